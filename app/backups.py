"""Local backups of the profile database, and restoring one.

A backup is a copy made with SQLite's online backup API, so it is a consistent snapshot even
while the app writes. It is written under a temporary name, checked with ``PRAGMA
integrity_check`` and only then renamed to ``backups/fieldmark-YYYYMMDD-HHMMSS.sqlite3``: a
backup that exists under its real name is whole. The last N are kept (setting ``backups_kept``).

Backups are made daily when the desktop opens a profile, before every migration of a database
that has data, before a restore (never destructive without a way back) and on request.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.errors import FieldmarkError
from app.paths import DB_NAME

BACKUP_DIR = "backups"
PREFIX = "fieldmark-"
SUFFIX = ".sqlite3"
PARTIAL = ".partial"
DEFAULT_KEPT = 10
KEPT_KEY = "setting.backups_kept"
DAILY = timedelta(days=1)


class BackupFailed(FieldmarkError):
    """A backup or a restore could not be made; what was on disk before is unchanged."""


def backup_dir(root: Path) -> Path:
    return Path(root) / BACKUP_DIR


def list_backups(root: Path) -> list[Path]:
    """The profile's backups, oldest first (their names sort by time)."""
    folder = backup_dir(root)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir()
                   if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX) and p.is_file()), key=_order)


def _order(path: Path) -> tuple[str, int]:
    # "fieldmark-20261124-080509-2" came after "fieldmark-20261124-080509", though it sorts before.
    stamp, _, n = path.name.removeprefix(PREFIX).removesuffix(SUFFIX).partition("-")[2].partition("-")
    day = path.name.removeprefix(PREFIX)[:8]
    return (day + stamp, int(n) if n.isdigit() else 1)


def _kept(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEPT_KEY,)).fetchone()
    except sqlite3.Error:  # a database from before the meta table, or none yet
        return DEFAULT_KEPT
    try:
        return max(1, int(row[0])) if row else DEFAULT_KEPT
    except ValueError:
        return DEFAULT_KEPT


def _target(folder: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    path = folder / f"{PREFIX}{stamp}{SUFFIX}"
    n = 2
    while path.exists():  # two backups in one second (a migration backup, then a manual one)
        path = folder / f"{PREFIX}{stamp}-{n}{SUFFIX}"
        n += 1
    return path


def _failure(action: str, exc: BaseException) -> BackupFailed:
    text = str(exc).lower()
    if "full" in text or "too large" in text or getattr(exc, "errno", None) in (28, 27):
        return BackupFailed(f"{action} not made: the disk is full; free some space and try again. "
                            "No partial file was left")
    if "i/o" in text or isinstance(exc, OSError):
        # A file-size limit or a failing disk: SQLite reports both as an I/O error.
        return BackupFailed(f"{action} not made: the disk could not be written ({exc}); it may be full. "
                            "No partial file was left")
    return BackupFailed(f"{action} not made ({exc}). No partial file was left")


def copy_database(source: sqlite3.Connection, target: Path, *, action: str = "backup") -> None:
    """Copy ``source`` to ``target`` through a temporary file, checked before it takes the name."""
    partial = target.with_name(target.name + PARTIAL)
    try:
        dest = sqlite3.connect(str(partial))
        try:
            source.backup(dest)  # one step: a snapshot of one committed state
            # A backup is one self-contained file: opening it later makes no -wal beside it.
            dest.execute("PRAGMA journal_mode=DELETE")
            problems = [r[0] for r in dest.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
        finally:
            dest.close()
        if problems:
            raise BackupFailed(f"{action} not made: the copy failed its integrity check "
                               f"({'; '.join(problems[:3])}). No partial file was left")
        os.replace(partial, target)
    except BackupFailed:
        partial.unlink(missing_ok=True)
        raise
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise _failure(action, exc) from exc


def _prune(folder: Path, keep: int) -> None:
    backups = list_backups(folder.parent)
    for old in backups[:max(0, len(backups) - keep)]:
        with contextlib.suppress(OSError):  # a backup that cannot be deleted now is kept
            old.unlink()


def make_backup(root: Path, conn: sqlite3.Connection | None = None, *, now: datetime | None = None) -> Path:
    """Back up the profile at ``root`` (through ``conn`` when the profile is open) and keep the last N."""
    root = Path(root)
    db_path = root / DB_NAME
    own = conn is None
    if conn is None:
        if not db_path.is_file():
            raise BackupFailed(f"no Fieldmark database in {root} to back up")
        try:
            conn = sqlite3.connect(str(db_path))
        except sqlite3.Error as exc:
            raise BackupFailed(f"backup not made: cannot open {db_path} ({exc})") from exc
    try:
        folder = backup_dir(root)
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise _failure("backup", exc) from exc
        target = _target(folder, now or datetime.now(UTC))
        copy_database(conn, target)
        _prune(folder, _kept(conn))
        return target
    finally:
        if own:
            conn.close()


def newest_age(root: Path, now: datetime | None = None) -> timedelta | None:
    backups = list_backups(root)
    if not backups:
        return None
    made = datetime.fromtimestamp(backups[-1].stat().st_mtime, UTC)
    return (now or datetime.now(UTC)) - made


def has_data(conn: sqlite3.Connection) -> bool:
    """Whether the database holds a Fieldmark schema (a fresh file has nothing to lose)."""
    row = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = '_sqlite_migrations'").fetchone()
    if not row[0]:
        return False
    return bool(conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0])


def daily_backup(root: Path, conn: sqlite3.Connection, now: datetime | None = None) -> Path | None:
    """A backup when the newest is more than a day old (or there is none) and there is data."""
    if not has_data(conn):
        return None
    age = newest_age(root, now)
    if age is not None and age < DAILY:
        return None
    return make_backup(root, conn, now=now)


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    from db.migrations import known_names

    if not has_data(conn):
        return []
    applied = {r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldmark'").fetchall()}
    return sorted(known_names() - applied)


def before_migration(root: Path) -> Path | None:
    """Called as a profile opens, before its migrations: a backup if one is pending on a database with data."""
    db_path = Path(root) / DB_NAME
    if not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(str(db_path))
    except sqlite3.Error:
        return None  # the open that follows says what is wrong with the file
    try:
        try:
            pending = pending_migrations(conn)
        except sqlite3.Error:
            return None
        if not pending:
            return None
        # A failed backup stops the upgrade: the migration must not run without a way back.
        return make_backup(root, conn)
    finally:
        conn.close()


def check_restorable(file: Path) -> None:
    """Refuse anything but a healthy Fieldmark database this version can open."""
    from db.migrations import known_names

    file = Path(file)
    if not file.is_file():
        raise BackupFailed(f"{file} is not a file; nothing was changed")
    try:
        with file.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupFailed(f"cannot read {file} ({exc.strerror}); nothing was changed") from exc
    if head != b"SQLite format 3\x00":
        raise BackupFailed(f"{file} is not a Fieldmark database (not an SQLite file); nothing was changed")
    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupFailed(f"{file} cannot be opened ({exc}); nothing was changed") from exc
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            raise BackupFailed(f"{file} is damaged ({'; '.join(rows[:3])}); nothing was changed")
        if not has_data(conn) or not conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()[0]:
            raise BackupFailed(f"{file} is not a Fieldmark database; nothing was changed")
        applied = {r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldmark'").fetchall()}
    except sqlite3.Error as exc:
        raise BackupFailed(f"{file} is not a Fieldmark database or is damaged ({exc}); nothing was changed") from exc
    finally:
        conn.close()
    if not applied:
        raise BackupFailed(f"{file} is not a Fieldmark database; nothing was changed")
    if applied - known_names():
        raise BackupFailed(f"{file} was written by a newer version of Fieldmark; upgrade Fieldmark to "
                           "restore it. Nothing was changed")


def restore(root: Path, file: Path) -> Path | None:
    """Make ``file`` the profile's database; returns the backup of the database it replaced.

    The profile must not be open anywhere (its lock is taken here). Afterwards the profile is
    opened once, so that a database from another installation takes a new device id (see
    ``app.installation``) and an older one is upgraded, before anything can sync from it.
    """
    from app.profile import Profile

    root, file = Path(root), Path(file)
    check_restorable(file)
    root.mkdir(parents=True, exist_ok=True)
    lock = Profile._take_lock(root)  # refuses while another window or process has the profile
    db_path = root / DB_NAME
    kept: Path | None = None
    try:
        if db_path.is_file() and db_path.stat().st_size > 0:
            try:
                kept = make_backup(root)  # never destructive without a way back
            except BackupFailed as exc:
                raise BackupFailed(f"restore not made: the database in use is kept as a backup first, and that "
                                   f"failed ({exc}). Nothing was changed") from exc
        incoming = root / (DB_NAME + ".restoring")
        try:
            source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise BackupFailed(f"{file} cannot be opened ({exc}); nothing was changed") from exc
        try:
            copy_database(source, incoming, action="restore")
        finally:
            source.close()
        # The old database's WAL must not be replayed into the restored file: the backup above
        # holds everything it had.
        for extra in ("-wal", "-shm"):
            Path(str(db_path) + extra).unlink(missing_ok=True)
        os.replace(incoming, db_path)
    finally:
        lock.close()
    Profile.open(root).close()
    return kept

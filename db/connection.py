"""Opening a profile database: pragmas, sanity checks and migrations.

A file we cannot read as SQLite is never touched: the checks below run before any write,
so a corrupt or foreign file keeps its bytes for recovery.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from db.errors import (
    CorruptDatabase,
    MigrationFailed,
    NotWritable,
    ProfileLocked,
    SchemaTooNew,
    StorageError,
)
from db.migrations import MIGRATIONS, known_names

SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise CorruptDatabase(f"cannot read the database {path}: {exc.strerror}") from exc
    if head and head != SQLITE_MAGIC:
        raise CorruptDatabase(
            f"{path} is not a Fieldmark database (not an SQLite file); it was left untouched"
        )


def _apply_pragmas(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives application crashes; FULL also survives power loss,
    # which is what an inspector on a laptop battery needs.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=5000")


def check_not_newer(db: Database, path: Path) -> None:
    applied = {m.name for m in MIGRATIONS.applied(db)}
    unknown = sorted(applied - known_names())
    if unknown:
        raise SchemaTooNew(
            f"{path} was written by a newer version of Fieldmark (schema steps {', '.join(unknown)}); "
            "upgrade Fieldmark to open it. The file was left unchanged."
        )


# SQLite's primary result codes (the low byte of ``sqlite_errorcode``) that say the file or
# its folder cannot be written or opened by this user: the bytes may be perfectly healthy.
# SQLITE_READONLY_DIRECTORY, for one, is what a WAL database in a read-only folder gives,
# because SQLite must create the -shm file beside it even to read.
_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_CANTOPEN = 3, 8, 14
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
_SQLITE_IOERR, _SQLITE_FULL = 10, 13
# What opening a WAL database writes before anything else: the shared-memory index, and a page or
# two of the write-ahead log.
_OPEN_NEEDS = 64 * 1024


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def open_failure(path: Path, exc: sqlite3.Error) -> StorageError:
    """The error that says truthfully why SQLite could not open ``path``.

    Only a file SQLite finds corrupt is called damaged: a read-only folder, a file this user
    may not write, or a busy database is not, and saying so would send the user to recovery
    for nothing.
    """
    code = _primary_code(exc)
    if code in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_CANTOPEN):
        return NotWritable(
            f"the profile in {path.parent} is read-only for Fieldmark ({exc}): SQLite must write "
            "beside the database even to read it. Give write access to the folder and the file, "
            "or copy the folder to a writable place"
        )
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return ProfileLocked(f"{path} is busy in another program ({exc}); try again when it is closed")
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or code is None:
        return CorruptDatabase(f"{path} is damaged and cannot be opened ({exc}); it was left untouched")
    # An I/O error, a full disk, ...: the file cannot be used now, which says nothing of its bytes.
    if code == _SQLITE_FULL or (code == _SQLITE_IOERR and _no_room(path.parent)):
        # SQLite must make its shared-memory file (32 KB) beside the database even to read it: on
        # a full disk that fails as an I/O error, which would send the user looking for damage.
        return StorageError(f"{path} cannot be opened: the disk is full ({exc}). Free some space and open it "
                            "again; it was left untouched")
    return StorageError(f"{path} cannot be opened ({exc}); it was left untouched")


def _no_room(folder: Path) -> bool:
    """Whether the disk of ``folder`` has less room than SQLite needs to open a database there."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # AttributeError: no statvfs on Windows
        return False
    return st.f_bavail * st.f_frsize < _OPEN_NEEDS


def _connect(path: Path) -> sqlite3.Connection:
    """Connect and read the schema: the first read is where SQLite finds a bad or unreachable file."""
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def open_database(path: Path, *, migrate: bool = True) -> Database:
    """Open (or create) the profile database at ``path`` and bring its schema up to date."""
    path = Path(path)
    if path.exists():
        _check_header(path)
    elif not path.parent.exists():
        raise NotWritable(f"the data folder {path.parent} does not exist")
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        raise open_failure(path, exc) from exc
    try:
        _apply_pragmas(conn)
    except sqlite3.Error as exc:
        conn.close()
        raise open_failure(path, exc) from exc
    db = Database(conn)
    try:
        check_not_newer(db, path)
    except sqlite3.Error as exc:
        conn.close()
        raise open_failure(path, exc) from exc
    except Exception:
        conn.close()
        raise
    if migrate:
        try:
            MIGRATIONS.apply(db)
            conn.execute(f"PRAGMA user_version={len(known_names())}")
        except sqlite3.Error as exc:
            conn.close()
            failure = open_failure(path, exc)
            if isinstance(failure, NotWritable | ProfileLocked):
                raise failure from exc
            # Each migration runs in its own transaction, so a failed step leaves the file
            # at the last good level.
            raise MigrationFailed(f"could not upgrade {path} ({exc}); it was left at its previous level") from exc
        except Exception:
            conn.close()
            raise
    return db


def integrity_problems(db: Database) -> list[str]:
    """Run SQLite's full integrity and foreign-key checks; an empty list means healthy."""
    rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
    problems = [r for r in rows if r != "ok"]
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall():
        problems.append(f"{table} row {rowid} points at a missing {parent} row")
    return problems

"""A profile: one data folder holding the SQLite database and the media folder.

Opening a profile for writing takes an exclusive lock on a file in the folder, so a second
instance of Fieldmark on the same profile is refused with a clear message instead of two
processes interleaving edits. Read-only opens (listing, checks) skip the lock: WAL mode lets
them read while the app writes.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from app.errors import FieldmarkError, ProfileError, WriteFailed
from app.hlc import HybridClock, Stamp
from app.ids import new_id
from app.installation import fingerprint
from app.paths import DB_NAME, LOCK_NAME, MEDIA_DIR
from db.errors import StorageError
from db.queries import meta
from db.rows import RowMeta

if TYPE_CHECKING:
    from sqlite_utils import Database

if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _lock(fh: IO[str]) -> None:
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(fh: IO[str]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


logger = logging.getLogger(__name__)

INSPECTOR_KEY = "inspector_id"
DEVICE_KEY = "device_id"
# The installation (machine and folder) the device id was made for; see app.installation.
INSTALLATION_KEY = "device_installation"
# The ids this profile had before it was copied: revisions stamped then keep them as their node.
PREVIOUS_DEVICES_KEY = "device_ids_before"
# The name of the profile's inspector until the user gives theirs in the settings.
UNNAMED_INSPECTOR = "本机督学"
# The folders whose files are written under a hidden temporary name and renamed when whole: the
# media (photos, signatures, sync downloads, bundle imports) and the thumbnails
# (app.evidence.thumbnails.THUMB_DIR), each in two-letter shard folders.
RENAMED_INTO = (MEDIA_DIR, "thumbs")


def remove_unfinished_writes(root: Path) -> list[Path]:
    """Delete the temporary files of writes that never finished; returns what was removed.

    A process killed (or a laptop losing power) between writing a photo's temporary file and
    renaming it leaves that file: part of a photo, named by no row, that nothing will finish.
    It is removed when the profile is next opened for writing, under the profile's lock, so no
    writer can still be at work on it. Whole files, such as a photo stored whose row was never
    committed, are kept: they are complete, ``evidence verify`` lists them, and importing that
    photo again uses them.
    """
    removed: list[Path] = []
    for name in RENAMED_INTO:
        for shard in _entries(root / name, lambda e: e.is_dir(follow_symlinks=False)):
            for path in _entries(Path(shard), lambda e: e.name.startswith(".") and e.is_file(follow_symlinks=False)):
                try:
                    os.chmod(path, 0o644)  # a download is made read-only before its rename
                    os.unlink(path)
                except OSError:
                    continue  # left for the next open; verify lists it meanwhile
                removed.append(Path(path))
    return removed


def _entries(folder: Path, keep: Callable[[os.DirEntry[str]], bool]) -> list[str]:
    """The paths in ``folder`` that ``keep`` accepts; none when it is missing or unreadable."""
    try:
        with os.scandir(folder) as found:
            return [e.path for e in found if keep(e)]
    except OSError:
        return []


def _write_failure(exc: sqlite3.OperationalError) -> WriteFailed | None:
    """The user-facing form of a write the database refused, or None for a programming error."""
    text = str(exc).lower()
    if "full" in text:
        return WriteFailed("not saved: the disk is full; free some space and it is saved again", cause="full")
    if "readonly" in text or "read-only" in text:
        return WriteFailed("not saved: the data folder is read-only", cause="read_only", transient=False)
    if "locked" in text or "busy" in text:
        return WriteFailed("not saved: the database is busy", cause="busy")
    if "i/o" in text or "unable to open" in text:
        return WriteFailed(f"not saved: the disk could not be written ({exc})", cause="io")
    return None


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Tx:
    """What one user action writes with: the revision stamp, device and time."""

    db: Database
    meta: RowMeta
    now: str
    profile: Profile = field(repr=False, compare=False)

    @property
    def by(self) -> str:
        """The profile's inspector: who this action is recorded as made by."""
        return self.profile.inspector_in(self)


class Profile:
    def __init__(self, root: Path, db: Database, lock: IO[str] | None) -> None:
        self.root = root
        self.db = db
        self._lock = lock
        self.device_id = self._device_id()
        # Known after the first write that needed it (see ``_inspector``).
        self.inspector_id: str | None = meta.get(db, INSPECTOR_KEY)
        self._new_inspector: str | None = None
        last = meta.get(db, "hlc_last")
        self.clock = HybridClock(self.device_id, last=Stamp.parse(last) if last else None)

    @property
    def media_dir(self) -> Path:
        return self.root / MEDIA_DIR

    @classmethod
    def open(cls, root: Path, *, create: bool = True, read_only: bool = False) -> Profile:
        root = Path(root)
        db_path = root / DB_NAME
        if root.exists() and not root.is_dir():
            raise ProfileError(f"{root} is a file, not a Fieldmark data folder")
        if not root.exists():
            if not create or read_only:
                raise ProfileError(f"no Fieldmark profile at {root}")
            try:
                root.mkdir(parents=True)
            except OSError as exc:
                raise ProfileError(f"cannot create the data folder {root}: {exc.strerror}") from exc
        if read_only and not db_path.exists():
            raise ProfileError(f"no Fieldmark database in {root}")
        # Imported here: the database library is the slowest import of start-up, and the
        # desktop opens the profile on its database thread while the window is built.
        from db import connection

        lock = None if read_only else cls._take_lock(root)
        try:
            if lock is not None:
                from app.backups import before_migration

                before_migration(root)  # a pending migration runs only with a backup to go back to
            db = connection.open_database(db_path, migrate=not read_only)
        except StorageError as exc:
            if lock:
                lock.close()
            raise ProfileError(str(exc)) from exc
        except FieldmarkError:
            if lock:
                lock.close()
            raise
        if not read_only:
            try:
                (root / MEDIA_DIR).mkdir(exist_ok=True)
            except OSError as exc:
                db.conn.close()
                if lock:
                    lock.close()
                raise ProfileError(f"cannot create the media folder in {root}: {exc.strerror}") from exc
            if removed := remove_unfinished_writes(root):
                logger.info("removed %d unfinished media write(s) left in %s", len(removed), root)
        return cls(root, db, lock)

    @staticmethod
    def _take_lock(root: Path) -> IO[str]:
        try:
            fh = open(root / LOCK_NAME, "a+")  # noqa: SIM115 - held open for the profile's life
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                # The folder (or the lock file in it) may not be written: the profile there may
                # be perfectly healthy, so the message says read-only, and how to get past it.
                raise ProfileError(
                    f"the data folder {root} is read-only ({exc.strerror}): Fieldmark must write there "
                    "to open it. Give write access to the folder, or copy it to a writable place"
                ) from exc
            raise ProfileError(f"the data folder {root} cannot be written: {exc.strerror}") from exc
        try:
            _lock(fh)
        except OSError as exc:
            fh.close()
            raise ProfileError(
                f"the profile {root} is already open in another Fieldmark window or process; "
                "close it there first"
            ) from exc
        return fh

    def _device_id(self) -> str:
        """The profile's device id, made anew when the folder is not where its id was made.

        A copy on another laptop, or a backup restored there, must not sync under the original's
        id: the id is replaced, before anything is written, by one for this installation. The
        old id stays in the rows it stamped (and in ``PREVIOUS_DEVICES_KEY``). A profile from
        before installations were recorded adopts the one it is opened in.
        """
        device = meta.get(self.db, DEVICE_KEY)
        if device is not None and self._lock is None:
            # A read-only open writes no revision: it reads with the stored id and leaves the
            # change to the next writable open.
            return device
        here = fingerprint(self.root)
        made_for = meta.get(self.db, INSTALLATION_KEY)
        if device is not None and made_for == here:
            return device
        if device is not None and made_for is None:
            self._remember({INSTALLATION_KEY: here})
            return device
        fresh = new_id()
        changes = {DEVICE_KEY: fresh, INSTALLATION_KEY: here}
        if device is not None:
            before = json.loads(meta.get(self.db, PREVIOUS_DEVICES_KEY) or "[]")
            changes[PREVIOUS_DEVICES_KEY] = json.dumps([*before, device])
        self._remember(changes)
        return fresh

    def _remember(self, values: dict[str, str]) -> None:
        try:
            with self.db.atomic():
                for key, value in values.items():
                    meta.put(self.db, key, value)
        except sqlite3.OperationalError:
            # A read-only open of a fresh database: the id is made for real on the first write.
            pass

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One user action: every write inside commits together or not at all.

        A write the database refuses (disk full, I/O error, busy, read-only) becomes
        ``WriteFailed``: the action left nothing behind and the caller may try it again.
        """
        try:
            with self.db.atomic():
                stamp = self.clock.tick()
                yield Tx(self.db, RowMeta(str(stamp), self.device_id), utc_now(), self)
                meta.put(self.db, "hlc_last", str(stamp))
            # Kept only once committed: a rolled-back action leaves no id without its row.
            if self._new_inspector is not None:
                self.inspector_id = self._new_inspector
        except sqlite3.OperationalError as exc:
            failure = _write_failure(exc)
            if failure is None:
                raise
            raise failure from exc
        finally:
            self._new_inspector = None

    def inspector_in(self, tx: Tx) -> str:
        """The inspector row that stands for this profile's user, made by the first write needing it.

        Every change records who made it; a profile whose user has not typed a name yet still
        has one person behind its edits, named from the settings when the name is set.
        """
        if self.inspector_id is not None:
            return self.inspector_id
        if self._new_inspector is None:
            from db import rows

            inspector_id = new_id()
            name = meta.get(tx.db, "setting.inspector_name") or UNNAMED_INSPECTOR
            rows.insert(tx.db, "inspectors", {"id": inspector_id, "name": name}, tx.meta)
            meta.put(tx.db, INSPECTOR_KEY, inspector_id)
            self._new_inspector = inspector_id
        return self._new_inspector

    def close(self) -> None:
        self.db.conn.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Profile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

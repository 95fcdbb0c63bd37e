"""Writing a document to a file the user chose: checked first, written whole, normal permissions.

A PDF is something the user mails, copies to a USB stick or hands to a colleague on the same
machine, so it gets the permissions any file they save gets (0666 less their umask), not the
0600 of a private temporary file. It is written to a temporary name beside the target and
renamed over it, so a half-written PDF never appears under the name.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from app.errors import FieldmarkError


class OutputError(FieldmarkError):
    """The document cannot be written where the user asked; the message says why."""


def _umask() -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_output(path: Path) -> None:
    """Refuse, with the reason, a target that cannot take a file: before any work is done.

    The folder must exist (a mistyped folder is not created behind the user's back) and be a
    folder, and the target itself must not be a folder.
    """
    path = Path(path)
    folder = path.parent
    for above in [folder, *folder.parents]:
        if above.exists() and not above.is_dir():
            raise OutputError(f"cannot write {path}: {above} is a file, not a folder")
        if above.exists():
            break
    if not folder.exists():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; give a file name such as "
                          f"{path / 'report.pdf'}")


def save_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (temporary file, fsync, rename) with normal permissions.

    Raises OutputError with a clear reason when the folder refuses the file.
    """
    path = Path(path)
    check_output(path)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:16]}-", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    return exc.strerror or str(exc)

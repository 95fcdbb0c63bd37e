"""Removable drives (USB sticks, SD cards) a document can be copied to when nothing prints.

On site the unit's office often has a printer but no network for the laptop: the inspector
copies the PDF to a stick and prints it from their computer. A removable drive is found where
each system mounts one: under ``/media`` or ``/run/media`` on Linux (udisks), ``/Volumes`` on
macOS (any volume but the start-up disk), and drive letters of the removable type on Windows.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from app.reports.output import save_file

_LINUX_ROOTS = ("/media/", "/run/media/")
# macOS lists these system volumes under /Volumes beside the user's drives.
_MAC_SYSTEM = {"Macintosh HD", "Recovery", "Preboot", "VM", "Update", "Data"}
_DRIVE_REMOVABLE = 2  # GetDriveTypeW


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str
    free_bytes: int


def removable_drives(*, platform: str | None = None, mounts: Path = Path("/proc/self/mounts"),
                     volumes: Path = Path("/Volumes"), roots: tuple[str, ...] = _LINUX_ROOTS) -> list[Drive]:
    """The writable removable drives mounted now, by label. ``roots``: where Linux mounts them."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        paths = _linux_mount_points(mounts, roots)
    elif platform == "darwin":
        paths = _mac_volumes(volumes)
    elif platform == "win32":
        paths = _windows_removable()
    else:
        paths = []
    drives = []
    for path in paths:
        if not path.is_dir() or not os.access(path, os.W_OK):
            continue  # a read-only card, a drive being ejected
        try:
            free = shutil.disk_usage(path).free
        except OSError:
            continue
        drives.append(Drive(path, path.name or str(path), free))
    return sorted(drives, key=lambda d: d.label.lower())


def _linux_mount_points(mounts: Path, roots: tuple[str, ...]) -> list[Path]:
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        fields = line.split()
        if len(fields) < 2:
            continue
        # /proc/mounts writes a space in a drive's label as \040.
        point = fields[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        if point.startswith(roots):
            found.append(Path(point))
    return found


def _mac_volumes(volumes: Path) -> list[Path]:
    try:
        root = os.stat("/").st_dev
        return [entry for entry in volumes.iterdir()
                if entry.name not in _MAC_SYSTEM and entry.is_dir() and entry.stat().st_dev != root]
    except OSError:
        return []


def _windows_removable() -> list[Path]:
    import ctypes

    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = kernel.GetLogicalDrives()
    found = []
    for index in range(26):
        if mask & (1 << index):
            root = f"{chr(ord('A') + index)}:\\"
            if kernel.GetDriveTypeW(root) == _DRIVE_REMOVABLE:
                found.append(Path(root))
    return found


def copy_to_drive(drive: Path, name: str, data: bytes) -> Path:
    """Write ``data`` as ``name`` on the drive, never over a file already there: "sheet (2).pdf".

    Written whole and flushed to the stick (OutputError with the reason when it is full or
    read-only), so pulling it out after the message does not leave half a file.
    """
    target = Path(drive) / name
    stem, suffix = target.stem, target.suffix
    number = 2
    while target.exists():
        target = Path(drive) / f"{stem} ({number}){suffix}"
        number += 1
    save_file(target, data)
    return target

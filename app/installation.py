"""Which installation a profile folder is open in: this machine, at this place.

A device id names one installation, and the server orders and attributes revisions by it. A
profile folder copied to a second laptop, or restored there from a backup, carries the first
laptop's id; if both went on syncing under one id, their changesets would collide on one
``device_seq`` and the server could not tell their edits apart. So the profile keeps, beside its
device id, the fingerprint of the installation that made it, and a profile that finds itself
elsewhere takes a new id before it writes anything.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from pathlib import Path

_MACHINE_ID_FILES = (Path("/etc/machine-id"), Path("/var/lib/dbus/machine-id"))


if sys.platform == "win32":  # pragma: no cover - Windows builds only
    import winreg

    def _windows_machine_guid() -> str | None:
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography") as key:
                value, _ = winreg.QueryValueEx(key, "MachineGuid")
        except OSError:
            return None
        return str(value)


def _mac_platform_uuid() -> str | None:  # pragma: no cover - macOS builds only
    try:
        out = subprocess.run(["ioreg", "-rd1", "-c", "IOPlatformExpertDevice"], capture_output=True,
                             text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        if "IOPlatformUUID" in line:
            return line.split("=", 1)[1].strip().strip('"')
    return None


def machine_id() -> str:
    """An id of this machine that stays across reboots and differs between machines.

    The system's own (systemd's machine-id, Windows' MachineGuid, the Mac's platform UUID); the
    host name when none can be read, which is stable though less certainly unique. Never the
    MAC address: ``uuid.getnode`` makes up a random one when it finds none, which would make
    every start look like a new machine.
    """
    found: str | None = None
    if sys.platform == "win32":  # pragma: no cover - Windows builds only
        found = _windows_machine_guid()
    elif sys.platform == "darwin":  # pragma: no cover - macOS builds only
        found = _mac_platform_uuid()
    else:
        for path in _MACHINE_ID_FILES:
            try:
                found = path.read_text(encoding="ascii").strip() or None
            except OSError:
                continue
            if found:
                break
    return found or f"host:{platform.node()}"


def fingerprint(root: Path) -> str:
    """The installation a profile folder is open in: this machine and the folder's absolute path.

    A moved folder counts as a copy: it takes a new device id, which costs a registration and
    loses nothing, whereas two laptops syncing under one id would lose edits.
    """
    place = str(Path(root).resolve())
    return hashlib.sha256(f"{machine_id()}\n{place}".encode()).hexdigest()

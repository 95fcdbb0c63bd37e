"""Checks on a zip's directory that run before a single byte is decompressed.

A bundle comes from a USB stick or a team-mate: it is hostile until proven otherwise. Each entry
must be a plain file with a relative, downward name, and the sizes the directory declares must fit
the limits, so a zip bomb is refused from its directory alone. The reader then counts what it
actually decompresses (``read_capped``), as a directory can lie.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from typing import IO

from app.sync.errors import BundleTooLarge, UnsafeEntry

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


@dataclass(frozen=True)
class BundleLimits:
    """What a reader accepts. The defaults fit a long day's photos; tests pass small ones."""

    max_entries: int = 20_000
    max_entry_bytes: int = 512 * MIB
    max_total_bytes: int = 32 * GIB
    max_manifest_bytes: int = 64 * MIB
    # Photos hardly compress and JSON about tenfold; a thousandfold entry is a bomb.
    max_ratio: int = 100
    # Entries smaller than this are not judged by ratio: a run of spaces compresses very well
    # and is harmless at that size.
    ratio_floor_bytes: int = 1 * MIB


_ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_DRIVE = re.compile(r"^[A-Za-z]:")


def check_name(name: str) -> None:
    """Refuse a name that could land outside the folder it is extracted to, on any system."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise UnsafeEntry("an absolute path", entry=name)
    if "\\" in name:
        # A backslash is a separator on Windows: "..\\x" would climb there.
        raise UnsafeEntry("a backslash in the name", entry=name)
    parts = name.split("/")
    if ".." in parts:
        raise UnsafeEntry("a path that goes up (..)", entry=name)
    if any(part in ("", ".") for part in parts[:-1]) or parts[-1] == ".":
        raise UnsafeEntry("an empty or '.' part in the path", entry=name)


def check_directory(infos: list[zipfile.ZipInfo], limits: BundleLimits) -> None:
    """Every check that needs only the zip's directory, in the order a person would fix them."""
    if len(infos) > limits.max_entries:
        raise BundleTooLarge(f"{len(infos)} entries; at most {limits.max_entries} are read")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        check_name(name)
        if name in seen:
            # Two readers could pick different copies; one of them would not be what was signed.
            raise UnsafeEntry("the name appears twice", entry=name)
        seen.add(name)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise UnsafeEntry("a symbolic link", entry=name)
        if kind not in (0, stat.S_IFREG) or info.is_dir():
            raise UnsafeEntry("not a plain file", entry=name)
        if info.flag_bits & 0x1:
            raise UnsafeEntry("an encrypted entry", entry=name)
        if info.compress_type not in _ALLOWED_COMPRESSION:
            raise UnsafeEntry(f"compression method {info.compress_type} is not read", entry=name)
        if info.file_size > limits.max_entry_bytes:
            raise BundleTooLarge(
                f"{info.file_size} bytes; one entry may hold {limits.max_entry_bytes}", entry=name
            )
        if info.file_size > limits.ratio_floor_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise BundleTooLarge(
                    f"compressed {ratio:.0f} to 1; at most {limits.max_ratio} to 1 is read", entry=name
                )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise BundleTooLarge(f"more than {limits.max_total_bytes} bytes in all")


def read_capped(stream: IO[bytes], cap: int, *, entry: str) -> bytes:
    """Read a whole (small) entry, refusing it past ``cap`` bytes whatever its header said."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise BundleTooLarge(f"more than {cap} bytes", entry=entry)
    return data

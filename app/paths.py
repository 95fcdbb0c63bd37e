"""Where a profile lives: ``--data-dir``, else ``FIELDMARK_DATA_DIR``, else the platform's folder."""

from __future__ import annotations

import os
from pathlib import Path

DB_NAME = "fieldmark.sqlite3"
MEDIA_DIR = "media"
LOCK_NAME = ".lock"
# A copy of the interface-language setting, readable before the database is open (the desktop
# builds its window in the right language while the profile opens).
LANGUAGE_HINT = "language.txt"
LANGUAGES = ("system", "zh_CN", "en")


def default_data_dir() -> Path:
    env = os.environ.get("FIELDMARK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir  # only here: it is a noticeable part of start-up

    return Path(user_data_dir("Fieldmark", "Fieldmark"))


def resolve_data_dir(explicit: str | os.PathLike[str] | None) -> Path:
    return Path(explicit).expanduser() if explicit else default_data_dir()


def language_hint(root: Path) -> str:
    """The language the profile at ``root`` last asked for; "system" when unknown."""
    try:
        value = (root / LANGUAGE_HINT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return "system"
    return value if value in LANGUAGES else "system"

"""Where a profile lives: ``--data-dir``, else ``FIELDMARK_DATA_DIR``, else the platform's folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

DB_NAME = "fieldmark.sqlite3"
MEDIA_DIR = "media"
LOCK_NAME = ".lock"


def default_data_dir() -> Path:
    env = os.environ.get("FIELDMARK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(user_data_dir("Fieldmark", "Fieldmark"))


def resolve_data_dir(explicit: str | os.PathLike[str] | None) -> Path:
    return Path(explicit).expanduser() if explicit else default_data_dir()

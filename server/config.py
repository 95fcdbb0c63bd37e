"""The server's settings: where it keeps its data and how long things last.

A data folder holds ``server.json`` (written by ``init``) so that ``serve`` and the other
commands need only ``--data-dir``; command-line options override it for one run.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from app.sync.protocol import API_PREFIX, MIN_CLIENT_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION
from server.errors import ConfigError

# The protocol spoken under API_PREFIX: defined once, in the contract both sides import.
# A client below MIN_PROTOCOL is told to update (426).
PROTOCOL = PROTOCOL_VERSION
MIN_PROTOCOL = MIN_CLIENT_VERSION
__all__ = ["API_PREFIX", "MIN_PROTOCOL", "PROTOCOL", "PROTOCOL_HEADER", "Config", "load_config",
           "normalise_database_url", "save_config"]

CONFIG_FILE = "server.json"
DEFAULT_DATA_DIR = "server-data"


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    # None: no blob store configured (readiness then checks the database only).
    blobs_url: str | None = None
    token_lifetime: float = 12 * 3600.0
    # Login attempts: failures counted over a sliding window, per account and per address.
    login_window: float = 15 * 60.0
    login_max_per_account: int = 5
    login_max_per_address: int = 30
    # The public verify page (GET /verify/{code}): requests per address over a sliding window.
    # Shorter than login_window, whose pruning shares the table (server.verify.HITS).
    verify_window: float = 60.0
    verify_max_per_address: int = 60
    # JSON messages; blob uploads stream and enforce their own limit (see STREAMED_PREFIXES).
    # Room for a changeset of MAX_ROWS_PER_CHANGESET ordinary rows (about 2 MB; notes make rows
    # longer); a laptop splits its work into changesets below this.
    max_body_bytes: int = 16 * 1024 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'server.db').resolve()}"


def load_config(data_dir: str | Path | None = None, *, database: str | None = None,
                blobs: str | None = None) -> Config:
    """The settings of a data folder: its ``server.json``, then these overrides."""
    folder = Path(data_dir or os.environ.get("FIELDMARK_SERVER_DIR") or DEFAULT_DATA_DIR)
    saved: dict = {}
    path = folder / CONFIG_FILE
    if path.is_file():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: cannot be read ({exc})") from None
        if not isinstance(saved, dict):
            raise ConfigError(f"{path}: expected a JSON object")
    config = Config(
        data_dir=folder,
        database_url=normalise_database_url(database or saved.get("database") or default_database_url(folder)),
        blobs_url=blobs or saved.get("blobs"),
    )
    for key in ("token_lifetime", "login_window", "login_max_per_account",
                "login_max_per_address", "verify_window", "verify_max_per_address", "max_body_bytes"):
        if key in saved:
            config = replace(config, **{key: saved[key]})
    return config


def save_config(config: Config) -> None:
    """Remember the database and blob URLs given to ``init`` for later commands."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    doc = {"database": config.database_url}
    if config.blobs_url:
        doc["blobs"] = config.blobs_url
    (config.data_dir / CONFIG_FILE).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def normalise_database_url(url: str) -> str:
    """psycopg 3 is the PostgreSQL driver; a plain postgresql:// URL means it."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if url.startswith(("sqlite:", "postgresql+psycopg:")):
        return url
    raise ConfigError(f"unsupported database URL {url.split(':', 1)[0]}:…; use sqlite:/// or postgresql://")

"""The log file: unexpected errors and failed saves, kept where support staff can find them.

One rotating file in the platform's log folder (``~/.local/state/Fieldmark/log`` on Linux,
``%LOCALAPPDATA%\\Fieldmark\\Fieldmark\\Logs`` on Windows, ``~/Library/Logs/Fieldmark`` on
macOS), or in ``FIELDMARK_LOG_DIR`` when that is set. It never holds photos or passwords.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "fieldmark.log"
# Five files of 1 MB: weeks of normal use, small enough to attach to a support request.
MAX_BYTES = 1_000_000
BACKUPS = 5

logger = logging.getLogger("fieldmark")


def log_dir() -> Path:
    env = os.environ.get("FIELDMARK_LOG_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_log_dir

    return Path(user_log_dir("Fieldmark", "Fieldmark"))


def setup_logging(directory: Path | None = None) -> Path | None:
    """Send the ``fieldmark`` logger to the rotating file; returns its path, or None if unwritable.

    Calling it again with another folder moves the log there (tests give each run its own).
    """
    folder = directory or log_dir()
    for handler in list(logger.handlers):
        if isinstance(handler, RotatingFileHandler):
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(logging.INFO)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(folder / LOG_NAME, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                      encoding="utf-8")
    except OSError as exc:
        # No log folder is no reason not to start; the errors still reach the screen.
        logging.getLogger(__name__).warning("cannot write the log in %s: %s", folder, exc)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    return folder / LOG_NAME


def log_file() -> Path | None:
    """The file the ``fieldmark`` logger writes to now, if any."""
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None

"""A diagnostics zip for the office's support staff: logs, versions, settings, the database's
schema level and integrity check, and counts of the evidence check and of sync.

Never a secret and never a photo: no media file is read into it, the keychain's token and
device key are looked up only to be blanked out wherever they appear, and anything written
like ``password=…``, ``token: …`` or ``Bearer …`` in the logs is blanked out too.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import platform
import re
import sqlite3
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.errors import FieldmarkError

if TYPE_CHECKING:
    from app.profile import Profile

REDACTED = "[redacted]"
# key=value, key: value and "key": "value" forms of a secret-sounding name, and bearer tokens.
_SECRET_WORDS = r"(?:pass(?:word|wd|phrase)?|pwd|token|secret|api[_-]?key|authorization|private[_-]?key|cookie)"
# Bearer first: "Authorization: Bearer x" must lose x, not only the word Bearer.
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]+)"),
    re.compile(rf"(?i)(\"?[\w.-]*{_SECRET_WORDS}[\w.-]*\"?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|\S+)"),
)


class DiagnosticsFailed(FieldmarkError):
    """The zip could not be written; no partial file is left."""


def known_secrets(profile: Profile) -> list[str]:
    """The keychain's secrets for this profile, to blank out; the keychain may be unavailable."""
    from app import credentials
    from app.settings import get_setting

    found: list[str] = []
    url = str(get_setting(profile, "server_url") or "").rstrip("/")
    login = str(get_setting(profile, "server_login") or "")
    with contextlib.suppress(Exception):  # no keychain: nothing of it can leak either
        if url and login:
            token = credentials.load_token(url, login)
            if token:
                found.append(token)
        key = credentials.load_device_key(profile.device_id)
        if key:
            found.append(base64.b64encode(key).decode("ascii"))  # as the keychain holds it
    return [s for s in found if len(s) >= 4]


def redact(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    found = {
        "fieldmark": __version__,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(),
        "machine": platform.machine(),
        "frozen": str(bool(getattr(sys, "frozen", False))),
    }
    for package in ("PySide6", "sqlite-utils", "reportlab", "Pillow"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    found.update(extra or {})
    return found


def _settings(profile: Profile) -> dict[str, object]:
    from app.settings import SETTINGS, get_setting

    # No setting holds a secret (tokens live in the keychain); the names are checked anyway.
    return {key: get_setting(profile, key) for key in SETTINGS
            if not re.search(_SECRET_WORDS, key, re.IGNORECASE)}


def _database(profile: Profile) -> dict[str, object]:
    from db.connection import integrity_problems
    from db.migrations import known_names

    applied = [r[0] for r in profile.db.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldmark' ORDER BY id").fetchall()]
    problems = integrity_problems(profile.db)
    return {
        "schema_level": len(applied),
        "schema_steps": applied,
        "known_steps": len(known_names()),
        "user_version": profile.db.execute("PRAGMA user_version").fetchone()[0],
        "integrity_check": problems or ["ok"],
        "size_bytes": (profile.root / "fieldmark.sqlite3").stat().st_size,
        "journal_mode": profile.db.execute("PRAGMA journal_mode").fetchone()[0],
    }


def _evidence(profile: Profile) -> dict[str, object]:
    from app.evidence.verify import verify_media

    report = verify_media(profile)
    return {"files_checked": report.files_checked, "rows_checked": report.rows_checked,
            "missing": len(report.missing), "corrupt": len(report.corrupt),
            "on_server": len(report.on_server), "unreferenced": len(report.unreferenced)}


def _sync(profile: Profile) -> dict[str, object]:
    from app.sync.status import sync_overview

    overview = sync_overview(profile)
    return {"pending_changes": overview.pending_changes, "last_receipt_at": overview.last_receipt_at,
            "last_server_seq": overview.last_server_seq, "open_conflicts": overview.open_conflicts,
            "server_configured": bool(overview.server_url)}


def _backups(profile: Profile) -> list[dict[str, object]]:
    from app.backups import list_backups

    return [{"name": p.name, "size_bytes": p.stat().st_size} for p in list_backups(profile.root)]


def _logs(log_folder: Path | None) -> list[Path]:
    if log_folder is None or not log_folder.is_dir():
        return []
    # Only the log and its rotated copies: whatever else shares the folder stays out.
    return sorted(p for p in log_folder.iterdir() if p.is_file() and p.name.startswith("fieldmark.log"))


def _part(name: str, build: object) -> tuple[str, object]:
    """A section that failed is reported in the zip instead of failing the whole zip."""
    try:
        return name, build()  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - support staff need the rest all the more
        return name, {"error": f"{type(exc).__name__}: {exc}"}


def write_diagnostics(profile: Profile, out: Path, *, log_folder: Path | None = None,
                      extra_versions: dict[str, str] | None = None) -> Path:
    """Write the diagnostics zip to ``out`` (through a temporary file); returns ``out``."""
    from app.logs import log_dir, log_file

    out = Path(out)
    if log_folder is None:
        current = log_file()
        log_folder = current.parent if current is not None else log_dir()
    secrets = known_secrets(profile)
    sections = dict(_part(n, b) for n, b in (
        ("versions", lambda: versions(extra_versions)),
        ("settings", lambda: _settings(profile)),
        ("database", lambda: _database(profile)),
        ("evidence", lambda: _evidence(profile)),
        ("sync", lambda: _sync(profile)),
        ("backups", lambda: _backups(profile)),
    ))
    partial = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, content in sections.items():
                text = json.dumps(content, ensure_ascii=False, indent=2, default=str)
                zf.writestr(f"{name}.json", redact(text, secrets))
            for log in _logs(log_folder):
                try:
                    text = log.read_text(encoding="utf-8", errors="replace")
                except OSError as exc:
                    text = f"(cannot be read: {exc})"
                zf.writestr(f"logs/{log.name}", redact(text, secrets))
        os.replace(partial, out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DiagnosticsFailed(f"diagnostics not saved to {out} ({exc.strerror or exc}); "
                                "no partial file was left") from exc
    return out

"""Writing an offline bundle of chosen visits (docs/sync-protocol.md section 11, "On the laptop").

``fieldmark bundle export VISIT... --out FILE.fmbundle [--for office|team]``: one changeset of
the visits' rows (every row of them, whole, with its key, revision and base revision, as a push
carries it), their photos and signatures, the rubric templates they use and their finalized
versions, signed with the device key from the keychain (the key the server registered at login).

- ``--for team`` (a team-mate's laptop): the signed zip as it is, with the device's public key in
  the zip's comment, so the receiving laptop can show its fingerprint and, once the person
  accepts it, keep it (see ``app.sync.bundle_import``).
- ``--for office``: the same zip sealed to the office's public key (``app.sync.sealed``), which
  the laptop keeps from the office settings (``remember_office_settings``) or asks the server for
  when it is online; only the office server can open it.

Exporting leaves every dirty flag as it is: only a receipt from the server says a row arrived. It
does take the next ``device_seq``, as a push would, so the server orders the bundle with the
laptop's pushes. The changeset is built by the sync engine's own functions, so a bundle and a
push carry the same thing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from app import credentials
from app.errors import FieldmarkError, NotFound
from app.evidence.store import blob_path
from app.profile import Profile
from app.settings import get_setting
from app.sync import engine, keys, sealed
from app.sync.bundle import write_bundle
from app.sync.client import Client, SyncError
from app.sync.device import Session
from app.sync.local import row_change
from app.sync.office import kept_office_key, remember_office_settings
from app.sync.offload import recall_quietly
from app.sync.protocol import MAX_ROWS_PER_CHANGESET, Changeset, RowChange
from app.sync.pull import OfficeSettings
from db.queries import meta
from db.rows import fetch_all

Recipient = Literal["office", "team"]
# The zip comment of a team bundle: this prefix, then the device's public key (base64). Outside
# the signed bytes on purpose: the key is checked by the signature it verifies and by the person
# who compares its fingerprint, not trusted for being there.
KEY_COMMENT = b"fieldmark-device-key:"


class NoDeviceKey(FieldmarkError):
    """No signing key: the laptop never logged in with a keychain."""


class BundleNotWritten(FieldmarkError):
    """The bundle file could not be written (a full disk, a folder that refuses it); nothing of it
    was left at its name."""


class NoOfficeKey(FieldmarkError):
    """The office's public key is not known here and the server cannot be asked."""


@dataclass
class Exported:
    path: Path
    recipient: Recipient
    changeset_id: str
    visits: list[str]
    rows: int
    blobs: int
    blob_bytes: int
    finalized_versions: int
    # Finalized visits whose amendment cannot name its predecessor yet (see engine._versions).
    versions_unsent: list[str] = field(default_factory=list)


def fingerprint(key_id: str) -> str:
    """A key's id as a person reads it aloud: the first 16 hex digits, in fours."""
    return " ".join(key_id[i:i + 4] for i in range(0, 16, 4))


def device_key(profile: Profile) -> Ed25519PrivateKey:
    """The device key the server registered, from the keychain; refuses in words without one."""
    how = ("log in once (`fieldmark login --server URL --user NAME`, or Sync → Log in): the laptop then "
           "keeps its device key in the keychain and the server registers it")
    try:
        raw = credentials.load_device_key(profile.device_id)
    except credentials.NoKeychain as exc:
        raise NoDeviceKey(f"bundles are signed with the device key, and {exc}") from exc
    if raw is None:
        raise NoDeviceKey(f"this laptop has no device key to sign bundles with: {how}")
    return keys.load_private_key(raw)


# --- the office's key ---------------------------------------------------------------------------


def office_public_key(profile: Profile, *, transport: httpx.BaseTransport | None = None) -> X25519PublicKey:
    """The office's key: the one kept here, else asked of the server (``GET /office``) with the
    login in the keychain, and kept."""
    kept = kept_office_key(profile)
    if kept:
        return sealed.load_public_key(kept)
    server = str(get_setting(profile, "server_url") or "").rstrip("/")
    login = str(get_setting(profile, "server_login") or "")
    advice = "sync once while online (or log in), so the laptop learns it, then export again"
    if not server or not login:
        raise NoOfficeKey(f"the office's key for sealed bundles is not known on this laptop: {advice}")
    try:
        token = credentials.load_token(server, login)
    except credentials.NoKeychain:
        token = None
    if not token:
        raise NoOfficeKey(f"the office's key for sealed bundles is not known on this laptop: {advice}")
    try:
        with Client(server, token, transport=transport) as client:
            answer = client.request("GET", "/office")
        settings = OfficeSettings.model_validate_json(answer.content)
    except (SyncError, ValueError) as exc:
        raise NoOfficeKey(f"the office's key for sealed bundles is not known on this laptop, and {server} "
                          f"did not give it ({exc}): {advice}") from exc
    if not settings.bundle_public_key:
        raise NoOfficeKey(f"{server} does not publish a key for sealed bundles (an older server): update it, "
                          "or export for the team and import it at the office unsealed")
    with profile.db.atomic():
        remember_office_settings(profile, settings)
    return sealed.load_public_key(settings.bundle_public_key)


# --- the changeset ------------------------------------------------------------------------------


def visit_changes(profile: Profile, visit_ids: list[str]) -> list[RowChange]:
    """Every row of the visits in the pushed tables, parents first, as the protocol carries them."""
    found = fetch_all(profile.db, f"SELECT id FROM visits WHERE id IN ({_marks(visit_ids)})", tuple(visit_ids))
    missing = sorted(set(visit_ids) - {r["id"] for r in found})
    if missing:
        raise NotFound(f"no visit with id {', '.join(missing)} on this laptop")
    changes: list[RowChange] = []
    marks = _marks(visit_ids)
    for table in engine.PUSHED_TABLES:
        if table == "inspectors":
            # The people the visits' rows name, so the receiving laptop can hold those rows.
            named = " UNION ".join(f"SELECT {column} FROM {source} WHERE visit_id IN ({marks})"
                                   for source, column in _NAMING_INSPECTORS)
            rows = fetch_all(profile.db, f"SELECT * FROM inspectors WHERE id IN ({named}) ORDER BY rev, id",
                             tuple(visit_ids) * len(_NAMING_INSPECTORS))
        else:
            # Every other pushed table but visits names its visit in a visit_id column (section 5).
            column = "id" if table == "visits" else "visit_id"
            rows = fetch_all(profile.db, f"SELECT * FROM {table} WHERE {column} IN ({marks}) "
                                         "ORDER BY rev, id", tuple(visit_ids))
        changes += [row_change(table, row) for row in rows]
    return changes


# (table, column) of a visit's rows that name an inspector.
_NAMING_INSPECTORS = (("visit_members", "inspector_id"), ("visit_sections", "inspector_id"),
                      ("responses", "answered_by"), ("finding_events", "by_inspector"),
                      ("audit_log", "by_inspector"))


def _marks(values: list[str]) -> str:
    return ", ".join("?" for _ in values)


def build_changeset(profile: Profile, visit_ids: list[str]) -> tuple[Changeset, list[str]]:
    """The visits' changeset (with the next device_seq, not yet taken) and the finalized visits
    left out because their amendment cannot name its predecessor yet."""
    rows = visit_changes(profile, visit_ids)
    if len(rows) > MAX_ROWS_PER_CHANGESET:
        raise FieldmarkError(f"these visits hold {len(rows)} rows; a bundle carries at most "
                             f"{MAX_ROWS_PER_CHANGESET}: export fewer visits at a time")
    # The engine's own building functions, so a bundle carries what a push would. _versions reads
    # only the profile and notes the versions it cannot state in the run's result.
    run = engine._Run(profile, cast(Session, None), cast(Client, None), lambda p: None, engine.SyncResult())
    wanted = set(visit_ids)
    versions = [v for v in engine._versions(run) if v.visit_id in wanted]
    unsent = [v for v in run.result.versions_unsent if v in wanted]
    return engine._build(profile, rows, versions), unsent


# --- the file -----------------------------------------------------------------------------------


def export_bundle(profile: Profile, visit_ids: list[str], out: Path, *, recipient: Recipient = "office",
                  private_key: Ed25519PrivateKey | None = None, office_key: X25519PublicKey | None = None,
                  transport: httpx.BaseTransport | None = None) -> Exported:
    """Write the visits' bundle to ``out`` for the office (sealed) or a team-mate (signed only)."""
    visit_ids = list(dict.fromkeys(visit_ids))
    if not visit_ids:
        raise FieldmarkError("name at least one visit to export")
    key = private_key or device_key(profile)
    if recipient == "office" and office_key is None:
        office_key = office_public_key(profile, transport=transport)
    changeset, unsent = build_changeset(profile, visit_ids)
    # Originals removed here to free space come back from the server first, checked.
    on_server = recall_quietly(profile, sorted(changeset.blobs))
    if on_server:
        raise FieldmarkError(f"{len(on_server)} photo(s) of these visits are kept on the server only (removed "
                             f"here to free space, first {on_server[0]}) and cannot be fetched now: log in and "
                             "connect, then export again")
    paths = {sha: blob_path(profile.media_dir, sha) for sha in changeset.blobs}
    absent = sorted(sha for sha, path in paths.items() if not path.is_file())
    if absent:
        raise FieldmarkError(f"{len(absent)} photo(s) of these visits are not in the data folder (first "
                             f"{absent[0]}): sync to fetch them, or run `fieldmark verify`")
    _take_number(profile, changeset.device_seq, out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".bundle-", suffix=".part", dir=out.parent)
        os.close(handle)
        plain = Path(name)
        try:
            write_bundle(plain, changeset=changeset, blob_paths=paths, private_key=key)
            _add_key_comment(plain, key)
            if recipient == "office":
                assert office_key is not None
                sealed.seal(plain, out, office_key)
            else:
                os.replace(plain, out)
        finally:
            plain.unlink(missing_ok=True)
    except OSError as exc:
        raise BundleNotWritten(f"the bundle was not written to {out}: {_reason(exc)}. Nothing was left "
                               "there; free some space or choose another folder, and export again") from exc
    return Exported(out, recipient, changeset.changeset_id, visit_ids, len(changeset.rows), len(paths),
                    sum(p.stat().st_size for p in paths.values()), len(changeset.finalizations), unsent)


def _take_number(profile: Profile, device_seq: int, out: Path) -> None:
    """Take the changeset's ``device_seq`` before the file is written, as a push keeps its
    changeset before sending it. A bundle written without its number taken would share it with
    the next push, and the server refuses the later of two changesets with one number; a number
    taken for a bundle that could not be written is only a gap, which the server accepts. The
    dirty flags stay as they are."""
    try:
        with profile.db.atomic():
            held = int(meta.get(profile.db, engine.SEQ_KEY) or 0)
            meta.put(profile.db, engine.SEQ_KEY, str(max(held, device_seq)))
    except sqlite3.OperationalError as exc:
        raise BundleNotWritten(f"the bundle was not written to {out}: the data folder could not be written "
                               f"({exc}); free some space and export again") from exc


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the folder cannot be written (permission denied or read-only disk)"
    return exc.strerror or str(exc)


def _add_key_comment(path: Path, key: Ed25519PrivateKey) -> None:
    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = KEY_COMMENT + keys.public_key_text(key).encode("ascii")
    with open(path, "rb+") as fh:
        fh.flush()
        os.fsync(fh.fileno())


def embedded_key(path: Path) -> str | None:
    """The public key a team bundle carries in its comment, or None."""
    with contextlib.suppress(zipfile.BadZipFile, OSError), zipfile.ZipFile(path) as zf:
        comment: Any = zf.comment
        if comment.startswith(KEY_COMMENT):
            text = comment[len(KEY_COMMENT):].decode("ascii", "replace")
            with contextlib.suppress(ValueError):
                keys.load_public_key(text)
                return str(text)
    return None

"""Importing a team-mate's offline bundle on a laptop (docs/sync-protocol.md section 11).

``fieldmark bundle import FILE [--trust]``: ``app.sync.bundle.read_bundle`` checks the file (paths,
sizes, entries, manifest, every blob's SHA-256, the signature), then the photos go to the media
folder and the rows are merged as pulled rows are (``app.sync.local.apply_pulled_row``): a new or
clean row is stored, a local edit that differs is kept and both versions become a conflict.

**Whose key.** A laptop has no list of the server's registered keys. It trusts a team-mate's
device key on first use: a team bundle carries its public key (``bundle_export.KEY_COMMENT``);
the first bundle of a device is refused with ``UntrustedDevice``, which names the device and the
key's fingerprint, until the person accepts it (``--trust``, or the dialog's question) after
comparing it with the sender's (``fieldmark bundle key`` on that laptop). The key is then kept
(meta ``bundle.trusted_devices``) and every later bundle of that device must verify with it; a
bundle of that device signed with another key is refused.

**Idempotent.** The changeset ids imported are kept (meta ``bundle.imported``): the same bundle
again changes nothing. A row whose revision the laptop holds already, or that a local edit or
an open conflict already accounts for, is left alone. Nothing marks a received row dirty: the
sender's laptop (or the office's import of its bundle) brings it to the server.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from app.canonical import canonical_json, content_hash, loads_exact
from app.evidence.store import blob_path
from app.hlc import Stamp
from app.profile import Profile, utc_now
from app.sync import keys
from app.sync.bundle import BLOB_PREFIX, SIGNATURE, VerifiedBundle, read_bundle
from app.sync.bundle_export import embedded_key, fingerprint
from app.sync.errors import BlobMismatch, SignatureInvalid
from app.sync.local import apply_pulled_row
from app.sync.protocol import RowChange, RowVersion
from app.sync.sealed import HEADER_ENTRY, SealInvalid, is_sealed
from db.queries import meta
from db.queries import rubrics as rq
from db.queries import sync as sq

TRUSTED_KEY = "bundle.trusted_devices"
IMPORTED_KEY = "bundle.imported"
_CHUNK = 1024 * 1024


class SealedForOffice(SealInvalid):
    """A bundle sealed to the office: a laptop cannot open it."""


class UntrustedDevice(SignatureInvalid):
    """A device this laptop has not trusted yet; ``key_id`` is the key the bundle carries."""

    def __init__(self, device_id: str, key_id: str | None) -> None:
        if key_id is None:
            text = (f"from device {device_id}, which this laptop does not know, and the bundle does not carry "
                    "its key: ask for a bundle exported for the team")
        else:
            text = (f"from device {device_id}, not trusted on this laptop yet; its key's fingerprint is "
                    f"{fingerprint(key_id)}. Compare it with the sender's (`fieldmark bundle key` on their "
                    "laptop), then import again accepting it (--trust)")
        super().__init__(text, entry=SIGNATURE)
        self.device_id = device_id
        self.key_id = key_id


@dataclass
class ImportedBundle:
    changeset_id: str
    device_id: str
    # False: this bundle was imported before, and nothing changed now.
    new: bool
    rows_applied: int = 0
    rows_unchanged: int = 0
    conflicts: int = 0
    # Rows this laptop's database could not hold (a unit or area it lacks), in words.
    rows_skipped: list[str] = field(default_factory=list)
    blobs_stored: int = 0
    templates: int = 0
    # True when this import trusted the device's key for the first time.
    trusted_now: bool = False


def trusted_devices(profile: Profile) -> dict[str, str]:
    held: dict[str, str] = json.loads(meta.get(profile.db, TRUSTED_KEY) or "{}")
    return held


def _imported(profile: Profile) -> list[str]:
    held: list[str] = json.loads(meta.get(profile.db, IMPORTED_KEY) or "[]")
    return held


def import_bundle(profile: Profile, path: Path, *, trust: bool = False) -> ImportedBundle:
    """Check the bundle at ``path`` and merge it into the profile; ``trust`` accepts the key of a
    device seen for the first time. Raises a ``BundleError`` naming the entry, with nothing stored."""
    if is_sealed(path):
        raise SealedForOffice("this bundle is sealed for the office: only the office's server can open it. "
                              "Import it there (fieldmark-server bundle import, or hand it in), or ask the sender "
                              "for a bundle exported for the team", entry=HEADER_ENTRY)
    carried = embedded_key(path)
    known = trusted_devices(profile)
    trusting: dict[str, str] = {}

    def key_for(device_id: str) -> str | None:
        if device_id == profile.device_id:
            raise SignatureInvalid("made on this laptop: its work is here already", entry=SIGNATURE)
        if device_id in known:
            return known[device_id]
        if carried is None or not trust:
            raise UntrustedDevice(device_id, None if carried is None else keys.key_id(carried))
        trusting[device_id] = carried
        return carried

    with read_bundle(path, public_key_for=key_for) as bundle:
        changeset = bundle.changeset
        result = ImportedBundle(changeset.changeset_id, changeset.device_id,
                                new=changeset.changeset_id not in _imported(profile),
                                trusted_now=bool(trusting))
        if not result.new and not trusting:
            return result
        result.blobs_stored = _store_blobs(profile, bundle)
        with profile.db.atomic():
            if result.new:
                _merge(profile, bundle, result)
                meta.put(profile.db, IMPORTED_KEY, json.dumps(_imported(profile) + [changeset.changeset_id]))
            if trusting:
                meta.put(profile.db, TRUSTED_KEY, json.dumps(known | trusting, sort_keys=True))
    return result


def _store_blobs(profile: Profile, bundle: VerifiedBundle) -> int:
    """Put the photos the media folder lacks, each re-checked as it streams (a USB stick can
    change under the reader) and written whole or not at all."""
    stored = 0
    for sha in bundle.changeset.blobs:
        target = blob_path(profile.media_dir, sha)
        if target.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".bundle-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(handle, "wb") as out, bundle.open_blob(sha) as stream:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha:
                raise BlobMismatch("changed while it was read", entry=BLOB_PREFIX + sha)
            os.chmod(temp, 0o444)  # as the media folder keeps photos: never edited in place
            os.replace(temp, target)
            stored += 1
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    return stored


def _merge(profile: Profile, bundle: VerifiedBundle, result: ImportedBundle) -> None:
    changeset = bundle.changeset
    for template in changeset.rubric_templates:
        document = loads_exact(json.dumps(template.document))
        if content_hash(document) != template.hash:
            # read_bundle validated the manifest, but not each template against its name.
            result.rows_skipped.append(f"rubric template {template.hash}: its document does not hash to its name")
            continue
        if rq.insert_template(profile.db, hash=template.hash, rubric_id=template.rubric_id,
                              version=template.version, name_zh=template.name_zh, name_en=template.name_en,
                              document=canonical_json(document), imported_at=utc_now()):
            result.templates += 1
    for change in changeset.rows:
        if _accounted_for(profile, change):
            result.rows_unchanged += 1
            continue
        try:
            outcome = apply_pulled_row(profile, change.table, change.key, _version(change, changeset.device_id),
                                       guard_finalized=True)
        except (sqlite3.IntegrityError, ValueError) as exc:
            result.rows_skipped.append(f"{change.table} {change.key}: {exc}")
            continue
        if outcome is None:  # a local edit accounts for it (app.sync.local.held_already)
            result.rows_unchanged += 1
        elif outcome == "conflict":
            result.conflicts += 1
        else:
            result.rows_applied += 1
    # The versions the sender finalized, kept as "recorded": they are the sender's to send (this
    # laptop could not: the server checks a version against rows it may not hold yet), and an
    # amendment made here then names its predecessor. The schema knows no state for "received
    # from a team-mate"; a version of that number made here is left as it is.
    for version in changeset.finalizations:
        sq.held_version(profile.db, version.visit_id, version.amendment_no, version.content_hash,
                        version.replaces, version.finalized_at)


def _version(change: RowChange, sender: str) -> RowVersion:
    # A revision's node is the device that wrote it (app.hlc), which need not be the sender: a
    # visit holds the whole team's rows.
    try:
        writer = Stamp.parse(change.rev).node
        return RowVersion(rev=change.rev, device_id=writer, deleted=change.deleted, values=change.values)
    except ValueError:
        return RowVersion(rev=change.rev, device_id=sender, deleted=change.deleted, values=change.values)


def _accounted_for(profile: Profile, change: RowChange) -> bool:
    """A revision the laptop has no need of: held already, older than a clean row's, the one a
    local edit started from (or older), or either side of a conflict kept already (a local
    conflict keeps the received version as ``incoming``, which ``held_already`` does not look
    at). A bundle, unlike a pull, can bring a revision older than the laptop's."""
    local = sq.get_row(profile.db, change.table, change.key)
    if local is None:
        return False
    if change.rev in (local["rev"], local["base_rev"]):
        return True
    incoming = Stamp.parse(change.rev)
    if not local["dirty"] and Stamp.parse(local["rev"]) > incoming:
        return True
    if local["base_rev"] and Stamp.parse(local["base_rev"]) > incoming:
        return True
    for conflict in sq.open_conflicts_of_row(profile.db, change.table, change.key):
        if change.rev in (json.loads(conflict["current"]).get("rev"), json.loads(conflict["incoming"]).get("rev")):
            return True
    return False

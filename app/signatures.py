"""Signatures of the team leader and the unit head, stored as PNG images with their time.

The image is a media file named by its SHA-256, like a photo; the row says who signed, in
which role, when, and which version of the visit it signed. Signing again replaces the role's
signature of the same version (the old row becomes a tombstone, its file stays). An amendment
that changes the score or the findings moves the visit to a new version: the signatures given
before stay on record as signatures of the earlier version, and the role may sign again.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.changes import OpChanges, OpChangesWithId
from app.errors import FieldmarkError, InvalidAnswer, VisitLocked
from app.ids import new_id
from app.profile import Profile
from app.visits import get_visit
from db import rows
from db.queries import signatures as sq

ROLES = ("team_leader", "unit_head")


@dataclass(frozen=True)
class Signature:
    id: str
    role: str
    signer_name: str
    sha256: str
    signed_at: str
    path: Path
    # The visit version signed; older than the visit's own means "given for an earlier version".
    signed_version: int = 0


def media_path(profile: Profile, sha256: str) -> Path:
    return profile.media_dir / sha256[:2] / sha256


def _store(profile: Profile, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    target = media_path(profile, digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write, fsync, rename: a crash leaves either no file or the whole file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".sig-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FieldmarkError(f"cannot save the signature: {exc.strerror}") from exc
    return digest


def add_signature(profile: Profile, visit_id: str, *, role: str, signer_name: str, png: bytes) -> OpChangesWithId:
    if role not in ROLES:
        raise InvalidAnswer(f"unknown signature role {role!r}; one of {', '.join(ROLES)}")
    if not signer_name.strip():
        raise InvalidAnswer("a signature needs the signer's name")
    visit = get_visit(profile, visit_id)
    if visit.status == "cancelled":
        raise VisitLocked(f"visit {visit_id} was cancelled")
    if visit.locked and (visit.version == 0 or sq.current(profile.db, visit_id, role, version=visit.version)):
        # What was finalized stays as signed. Only an amendment that changed the score or the
        # findings (a new version) asks for new signatures, once per role.
        raise VisitLocked(f"visit {visit_id} is finalized; it cannot be signed again")
    try:
        with Image.open(io.BytesIO(png)) as img:
            if img.format != "PNG":
                raise InvalidAnswer("a signature must be a PNG image")
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InvalidAnswer(f"the signature image is damaged: {exc}") from exc
    digest = _store(profile, png)
    signature_id = new_id()
    with profile.transaction() as tx:
        for old in sq.current(tx.db, visit_id, role, version=visit.version):
            rows.tombstone(tx.db, "signatures", old["id"], tx.meta)
        rows.insert(tx.db, "signatures", {
            "id": signature_id, "visit_id": visit_id, "role": role, "signer_name": signer_name.strip(),
            "sha256": digest, "signed_at": tx.now, "signed_version": visit.version,
        }, tx.meta)
    return OpChangesWithId(signature_id, OpChanges(visit=True, visit_ids=frozenset({visit_id})))


def _signature(profile: Profile, r: dict) -> Signature:
    return Signature(r["id"], r["role"], r["signer_name"], r["sha256"], r["signed_at"],
                     media_path(profile, r["sha256"]), r["signed_version"])


def list_signatures(profile: Profile, visit_id: str) -> list[Signature]:
    """The signatures of the visit as it stands now (one per role at most)."""
    visit = get_visit(profile, visit_id)
    return [_signature(profile, r) for r in sq.current(profile.db, visit_id, version=visit.version)]


def earlier_signatures(profile: Profile, visit_id: str) -> list[Signature]:
    """Signatures given for a version an amendment has since changed, newest first."""
    visit = get_visit(profile, visit_id)
    return [_signature(profile, r) for r in sq.earlier(profile.db, visit_id, version=visit.version)]

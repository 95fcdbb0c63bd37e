"""Signatures of the team leader and the unit head, stored as PNG images with their time.

The image is a media file named by its SHA-256, like a photo; the row says who signed, in
which role, and when. Signing again replaces the role's signature (the old row becomes a
tombstone, its file stays).
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
    if visit.locked:
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
        for old in sq.current(tx.db, visit_id, role):
            rows.tombstone(tx.db, "signatures", old["id"], tx.meta)
        rows.insert(tx.db, "signatures", {
            "id": signature_id, "visit_id": visit_id, "role": role, "signer_name": signer_name.strip(),
            "sha256": digest, "signed_at": tx.now,
        }, tx.meta)
    return OpChangesWithId(signature_id, OpChanges(visit=True, visit_ids=frozenset({visit_id})))


def list_signatures(profile: Profile, visit_id: str) -> list[Signature]:
    return [
        Signature(r["id"], r["role"], r["signer_name"], r["sha256"], r["signed_at"], media_path(profile, r["sha256"]))
        for r in sq.current(profile.db, visit_id)
    ]

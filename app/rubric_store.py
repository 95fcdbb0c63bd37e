"""Storing rubric templates in a profile and getting them back.

Templates are immutable and addressed by content hash, so a parsed rubric can be cached by
hash for the life of the process: the same hash is always the same rubric.
"""

from __future__ import annotations

from app.canonical import canonical_json, content_hash, loads_exact
from app.errors import NotFound, RubricError
from app.ids import RubricHash
from app.models import RubricRef
from app.profile import Profile
from app.rubric import Rubric, load_rubric
from app.rubric.validate import build_rubric
from db.queries import rubrics as q


def import_document(profile: Profile, doc: dict) -> tuple[RubricRef, bool]:
    """Validate and store a template; returns its reference and whether it was new."""
    rubric = load_rubric(doc)
    with profile.transaction() as tx:
        new = q.insert_template(
            tx.db, hash=rubric.content_hash, rubric_id=rubric.id, version=rubric.version,
            name_zh=rubric.name.zh, name_en=rubric.name.en, document=canonical_json(doc),
            imported_at=tx.now,
        )
    ref = RubricRef(RubricHash(rubric.content_hash), rubric.id, rubric.version, rubric.name.zh, rubric.name.en)
    return ref, new


def list_rubrics(profile: Profile) -> list[RubricRef]:
    return [RubricRef.from_row(r) for r in q.list_templates(profile.db)]


def resolve(profile: Profile, ref: str) -> RubricRef:
    """A stored template by rubric id (its newest import) or by a hash prefix of 6+ characters."""
    rows = q.find_templates(profile.db, ref)
    by_id = [r for r in rows if r["rubric_id"] == ref]
    if by_id:
        return RubricRef.from_row(by_id[0])
    if len(ref) >= 6 and rows:
        if len({r["hash"] for r in rows}) > 1:
            raise NotFound(f"the hash prefix {ref!r} matches several rubrics; give more characters")
        return RubricRef.from_row(rows[0])
    raise NotFound(f"no stored rubric with id or hash {ref!r}; see `fieldmark rubric list`")


def get_document(profile: Profile, rubric_hash: str) -> dict:
    row = q.get_template(profile.db, rubric_hash)
    if row is None:
        raise NotFound(f"rubric version {rubric_hash[:12]} is not stored in this profile")
    # Exact numbers: canonical_json writes a Decimal with the text a float parse gave before, so
    # a template stored while documents were read as floats still matches its hash.
    return loads_exact(row["document"])


def get_rubric(profile: Profile, rubric_hash: str) -> Rubric:
    cached = _PARSED.get(rubric_hash)
    if cached is not None:
        return cached
    doc = get_document(profile, rubric_hash)
    if content_hash(doc) != rubric_hash:
        raise RubricError(f"stored rubric {rubric_hash[:12]} does not match its hash; the profile is damaged")
    # Only validated documents are ever stored (import_document) and the hash proves this is
    # one of them, so the schema check is skipped: it is most of the time of opening a visit.
    rubric = build_rubric(doc)
    _PARSED[rubric_hash] = rubric
    return rubric


# Keyed by content hash, so it can never serve a stale or foreign rubric.
_PARSED: dict[str, Rubric] = {}

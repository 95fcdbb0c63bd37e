"""The gap check (查漏补缺) before leaving a site: everything still missing from a visit."""

from __future__ import annotations

from dataclasses import dataclass

from app.profile import Profile
from app.scores import score_visit
from app.signatures import ROLES, list_signatures
from app.visits import get_visit

SIGNATURE_TEXT = {"team_leader": "组长签名 / team leader's signature", "unit_head": "受检单位负责人签名 / unit head's signature"}


@dataclass(frozen=True)
class GapEntry:
    """One missing thing; ``item_code`` (with ``rubric_hash``) says where to jump to."""

    kind: str  # "unanswered" | "no_reason" | "photo_missing" | "signature_missing"
    message: str
    rubric_hash: str | None = None
    item_code: str | None = None
    role: str | None = None


def gap_check(profile: Profile, visit_id: str) -> list[GapEntry]:
    visit = get_visit(profile, visit_id)
    entries: list[GapEntry] = []
    for rubric_hash in visit.rubric_hashes:
        result = score_visit(profile, visit_id, rubric_hash)
        entries += [GapEntry(g.kind, g.message, rubric_hash, g.item) for g in result.gaps]
    signed = {s.role for s in list_signatures(profile, visit_id)}
    entries += [GapEntry("signature_missing", SIGNATURE_TEXT[role], role=role) for role in ROLES if role not in signed]
    return entries

"""Verifiable paper: a code that ties a printed document to the finalized record it shows.

Two forms of one code:

* the QR payload ``FM1-<visit id>-<first 16 hex digits of the content hash>``, exact and long;
* the short code printed under it for typing, ``XXXX-XXXX-XXXX-XXXX``: the first 8 hex digits
  of the visit id, then the first 8 of the content hash, upper case.

``verify_code`` recomputes the hash of the visit's canonical record (``visit_record``) now and
compares: an amendment after printing, or a record edited behind Fieldmark's back, no longer
matches the paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.canonical import content_hash
from app.errors import NotFound
from app.models import Visit
from app.profile import Profile
from app.visits import VisitFilter, get_visit, list_visits, visit_record

PREFIX = "FM1"
HASH_DIGITS = 16
SHORT_DIGITS = 8
_LONG_RE = re.compile(r"^fm1-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-([0-9a-f]{16})$")
_SHORT_RE = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    message: str
    visit_id: str | None = None


def qr_payload(visit_id: str, digest: str) -> str:
    return f"{PREFIX}-{visit_id}-{digest[:HASH_DIGITS]}"


def short_code(visit_id: str, digest: str) -> str:
    raw = (visit_id.replace("-", "")[:SHORT_DIGITS] + digest[:SHORT_DIGITS]).upper()
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def codes_for(visit: Visit) -> tuple[str, str] | None:
    """(QR payload, short code) of a finalized visit; None for a draft, which has no code."""
    if not visit.locked or not visit.content_hash:
        return None
    return qr_payload(visit.id, visit.content_hash), short_code(visit.id, visit.content_hash)


def _parse(code: str) -> tuple[str | None, str, str] | None:
    """(visit id or None, visit id prefix, hash prefix) from either form of the code."""
    text = code.strip().lower()
    m = _LONG_RE.match(text)
    if m:
        return m.group(1), m.group(1).replace("-", "")[:SHORT_DIGITS], m.group(2)
    compact = re.sub(r"[\s-]", "", text)
    if _SHORT_RE.match(compact):
        return None, compact[:SHORT_DIGITS], compact[SHORT_DIGITS:]
    return None


def _candidates(profile: Profile, id_prefix: str) -> list[Visit]:
    found = []
    for status in ("finalized", "amended"):
        offset = 0
        while True:
            page = list_visits(profile, VisitFilter(status=status), limit=1000, offset=offset)
            found += [v for v in page if v.id.replace("-", "").startswith(id_prefix)]
            if len(page) < 1000:
                break
            offset += 1000
    return found


def _check(profile: Profile, visit: Visit, hash_prefix: str) -> VerifyResult:
    where = f"{visit.unit_name}, {visit.starts_on}"
    if not visit.locked:
        return VerifyResult(False, f"visit {visit.id} ({where}) is not finalized: a paper with a code "
                                   "cannot come from it", visit.id)
    now = content_hash(visit_record(profile, visit.id))
    if now != visit.content_hash:
        return VerifyResult(False, f"the record of visit {visit.id} ({where}) no longer matches its own "
                                   "hash: it was changed outside Fieldmark", visit.id)
    if now.startswith(hash_prefix):
        state = "amended record" if visit.status == "amended" else "finalized record"
        return VerifyResult(True, f"the paper matches the {state} of visit {visit.id} ({where})", visit.id)
    if visit.status == "amended":
        return VerifyResult(False, f"MISMATCH: visit {visit.id} ({where}) was amended after this paper was "
                                   "printed; the paper no longer matches the record", visit.id)
    return VerifyResult(False, f"MISMATCH: the paper does not match the record of visit {visit.id} ({where})",
                        visit.id)


def verify_code(profile: Profile, code: str) -> VerifyResult:
    """Does the paper carrying ``code`` match the visit's record in this profile now?"""
    parsed = _parse(code)
    if parsed is None:
        return VerifyResult(False, f"{code!r} is not a Fieldmark verification code "
                                   "(FM1-<visit id>-<hash> or XXXX-XXXX-XXXX-XXXX)")
    visit_id, id_prefix, hash_prefix = parsed
    if visit_id is not None:
        try:
            return _check(profile, get_visit(profile, visit_id), hash_prefix)
        except NotFound:
            return VerifyResult(False, f"no visit {visit_id} in this profile; sync first, or check online")
    visits = _candidates(profile, id_prefix)
    if not visits:
        return VerifyResult(False, "no finalized visit in this profile has this code; sync first, or check online")
    results = [_check(profile, get_visit(profile, v.id), hash_prefix) for v in visits]
    return next((r for r in results if r.ok), results[0])

"""Verifiable paper: a code that ties a printed document to the finalized record it shows.

The code's two forms (the QR payload ``FM1-<visit id>-<16 hex>`` and the short code
``XXXX-XXXX-XXXX-XXXX``) are defined in ``app.sync.codes``, which the server reads too. Once the
profile knows its server (the ``server_url`` setting), the QR code holds the server's verify page
for the long form, so a phone camera opens it.

``verify_code`` recomputes the hash of the visit's canonical record (``visit_record``) now and
compares: an amendment after printing, or a record edited behind Fieldmark's back, no longer
matches the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.canonical import content_hash
from app.errors import NotFound
from app.models import Visit
from app.profile import Profile
from app.sync.codes import parse_code, qr_payload, short_code, verify_url
from app.visits import VisitFilter, get_visit, list_visits, visit_record

__all__ = ["VerifyResult", "codes_for", "qr_payload", "short_code", "verify_code"]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    message: str
    visit_id: str | None = None


def codes_for(visit: Visit, server_url: str = "") -> tuple[str, str] | None:
    """(QR payload, short code) of a finalized visit; None for a draft, which has no code.

    With a ``server_url`` the payload is the server's verify page for the code, else the code."""
    if not visit.locked or not visit.content_hash:
        return None
    short = short_code(visit.id, visit.content_hash)
    if server_url.strip():
        return verify_url(server_url, visit.id, visit.content_hash), short
    return qr_payload(visit.id, visit.content_hash), short


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
    parsed = parse_code(code)
    if parsed is None:
        return VerifyResult(False, f"{code!r} is not a Fieldmark verification code "
                                   "(FM1-<visit id>-<hash>, XXXX-XXXX-XXXX-XXXX or a verify page's URL)")
    visit_id, id_prefix, hash_prefix = parsed.visit_id, parsed.id_prefix, parsed.hash_prefix
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

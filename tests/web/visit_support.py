"""A visit pushed through a real server by a real demo laptop, for the visit page and its PDF.

``pushed_visit(server, template, root)`` copies the demo profile, gives the server the demo's
office tree (the county of the visit is 丹江口市, ``COUNTY``; ``OTHER_COUNTY`` is 郧西县), logs
in as a team leader of that county, works through a visit under way (every item answered, a
finding, a good practice, one photo marked up, both signatures), finalizes it and syncs. The
server is either tests/server's ``LiveServer`` or tests/web's ``Site``: only ``url``, ``engine``
and ``make_account`` are used (the latter's answer differs, so the login is made here).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import select

from app.evidence import AnnotationLayer, list_photos, save_annotations
from app.evidence.annotations import Rect, Text
from app.finalize import finalize_visit
from app.profile import Profile
from app.signatures import add_signature
from app.sync.device import Session, login
from app.sync.engine import sync
from app.visits import VisitFilter, list_visits
from server import accounts
from server.store.schema import accounts as accounts_table
from server.store.schema import units
from tests.server.finalized_support import answer_visit, copy_profile
from tests.server.sync_support import QUICK, MemoryKeyring, mirror_office, use_keyring

COUNTY = "420381"        # 丹江口市: the demo's visits are there
OTHER_COUNTY = "420382"  # 郧西县
PASSWORD = "password-123"
# Where the mark-up is, as fractions of the photo: a box in the lower right.
MARK = (0.55, 0.55, 0.95, 0.95)


@dataclass
class Pushed:
    profile: Profile
    session: Session
    visit_id: str
    photo_id: str
    leader: str  # the account's login


def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


def signature_png(text: str) -> bytes:
    img = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(img)
    draw.line([(20, 90), (120, 30), (200, 95), (330, 40)], fill="black", width=5)
    draw.text((20, 5), text, fill="black")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _account(server: Any, role: str, scope: str) -> str:
    made = server.make_account(role, scope)
    return made[0] if isinstance(made, tuple) else made.login


def sign_and_finalize(profile: Profile, visit_id: str) -> str:
    """Answer the visit, mark up its photo, sign it (both roles) and finalize; the photo's id."""
    answer_visit(profile, visit_id)
    photo = list_photos(profile, visit_id)[0]
    save_annotations(profile, photo.id, AnnotationLayer((Rect(MARK, width=0.03), Text((0.05, 0.05), "问题",
                                                                                        size=0.08))))
    add_signature(profile, visit_id, role="team_leader", signer_name="张建国", png=signature_png("leader"))
    add_signature(profile, visit_id, role="unit_head", signer_name="刘校长", png=signature_png("head"))
    finalize_visit(profile, visit_id, accept_gaps=True)
    return photo.id


def school_visit(profile: Profile) -> str:
    """The demo's acceptance review under way (a school, the 1000-point rubric, photos)."""
    return next(v.id for v in list_visits(profile, VisitFilter(status="in_progress"), limit=100)
                if v.visit_type == "preliminary_review")


def printed(number: str) -> str:
    """A score as the sheet and the page print it: "812.5", "900" (not "900.0")."""
    return format(Decimal(number).normalize(), "f")


def pushed_visit(server: Any, template: Path, root: Path) -> Pushed:
    """The demo laptop's visit, finalized and synced to ``server`` (a keychain must be in use)."""
    profile = copy_profile(template, root)
    mirror_office(server, profile)
    leader = _account(server, "team_leader", COUNTY)
    session = login(profile, server.url, leader, PASSWORD, retry=QUICK)
    visit_id = school_visit(profile)
    photo_id = sign_and_finalize(profile, visit_id)
    result = sync(profile, session, retry=QUICK)
    assert result.complete, (result.reason, result.message)
    return Pushed(profile, session, visit_id, photo_id, leader)


def office_account(server: Any, scope: str | None, role: str = "office_staff") -> tuple[str, str]:
    """An office account straight in the store (after the tree is mirrored): (login, password)."""
    login_name = f"{role}-{scope or 'all'}"
    with server.engine.begin() as conn:
        if conn.execute(select(accounts_table.c.id).where(accounts_table.c.login == login_name)).first() is None:
            accounts.add_account(conn, login=login_name, password=PASSWORD, role=role, scope_code=scope)
    return login_name, PASSWORD


def unit_of(server: Any, unit_id: str) -> tuple[str, str]:
    """(code, name) of a unit as the server holds it."""
    with server.engine.connect() as conn:
        row = conn.execute(select(units.c.code, units.c.name).where(units.c.id == unit_id)).one()
    return row.code, row.name

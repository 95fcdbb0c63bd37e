"""Data for the planner's and the rubric library's tests: published rubrics, teams, campaigns,
a visit begun from an assignment (as a push would store it), and a laptop (a copy of the demo
profile, with the server's tree made the laptop's) that syncs with the test site.

``FIELDMARK_WEB_SHOTS=docs/screenshots/web`` also saves the pages' screenshots there (``shoot``)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from app.ids import new_id
from app.profile import Profile
from app.sync.device import Session, login
from server import planning, rubrics
from server.store.schema import assignment_removals, assignments, sync_rows
from server.sync.sequence import stamp
from tests.server.finalized_support import build_demo_profile, copy_profile
from tests.server.sync_support import QUICK, MemoryKeyring, mirror_office, use_keyring
from tests.web.conftest import Site

ROOT = Path(__file__).resolve().parents[2]
RUBRICS = ROOT / "resources" / "rubrics"


def publish(site: Site, name: str = "study-habits") -> str:
    """A sample rubric published as the office would; returns its hash."""
    doc, rubric = rubrics.read_rubric(RUBRICS / f"{name}.json")
    with site.engine.begin() as conn:
        ref, _ = rubrics.publish_rubric(conn, doc, rubric)
    return ref.hash


def team(site: Site, name: str, *logins: str, scope: str = "/") -> str:
    with site.engine.begin() as conn:
        made = planning.create_team(conn, name)
        if logins:
            planning.add_members(conn, scope, made.id, list(logins))
    return made.id


def campaign(site: Site, name: str) -> str:
    with site.engine.begin() as conn:
        return planning.create_campaign(conn, name).id


def count(site: Site, table: Any) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def stored_assignments(site: Site) -> list[Any]:
    with site.engine.connect() as conn:
        return list(conn.execute(select(assignments)).all())


def removals(site: Site) -> list[Any]:
    with site.engine.connect() as conn:
        return list(conn.execute(select(assignment_removals)).all())


def begin_visit(site: Site, assignment_id: str, day: str = "2026-11-20") -> str:
    """A visit begun from the assignment, as the server holds a pushed one."""
    with site.engine.begin() as conn:
        row = conn.execute(select(assignments).where(assignments.c.id == assignment_id)).one()
        visit_id = new_id()
        values = {"assignment_id": assignment_id, "unit_id": row.unit_id, "visit_type": row.visit_type,
                  "status": "in_progress", "starts_on": day, "ends_on": day, "team_id": row.team_id,
                  "created_at": day + "T08:00:00Z", "finalized_at": None, "content_hash": None}
        conn.execute(insert(sync_rows).values(
            table_name="visits", key=visit_id, rev=f"{int(time.time() * 1000):015d}-000000-{new_id()}",
            device_id=new_id(), base_rev=None, deleted=False, row_values=json.dumps(values, sort_keys=True),
            visit_id=visit_id, unit_id=row.unit_id, server_seq=stamp(conn)))
    return visit_id


@dataclass
class Laptop:
    profile: Profile
    session: Session


@pytest.fixture(scope="session")
def demo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo laptop profile, made once; tests work on copies."""
    return build_demo_profile(tmp_path_factory.mktemp("demo") / "profile")


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


def laptop(site: Site, template: Path, root: Path, login_name: str, password: str) -> Laptop:
    """A copy of the demo profile logged in to the site as ``login_name``."""
    profile = copy_profile(template, root)
    return Laptop(profile, login(profile, site.url, login_name, password, retry=QUICK))


def mirror(site: Site, template: Path, root: Path) -> None:
    """Make the demo laptop's tree (areas and units, same ids) the site's."""
    profile = copy_profile(template, root)
    try:
        mirror_office(site, profile)
    finally:
        profile.close()


def shoot(page: Any, name: str) -> None:
    """With FIELDMARK_WEB_SHOTS=<folder>, save the page as <name>.png (1366×768) and
    <name>-full.png (the whole page)."""
    folder = os.environ.get("FIELDMARK_WEB_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
        page.screenshot(path=str(Path(folder) / f"{name}-full.png"), full_page=True)

"""Shared fixtures: a fresh profile on disk, a small rubric, a unit and a team."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.ids import new_id
from app.profile import Profile
from app.rubric_store import import_document
from db import rows
from db.queries import people

ROOT = Path(__file__).resolve().parents[1]
TRANSLATION_SOURCES = ROOT / "resources" / "translations"

SMALL_RUBRIC = {
    "format": "fieldmark.rubric/1",
    "id": "small-check",
    "version": "2026.1",
    "name": {"zh": "小型检查表", "en": "Small checklist"},
    "sections": [
        {"code": "A", "name": {"zh": "安全", "en": "Safety"}, "items": [
            {"code": "A1", "kind": "points", "text": {"zh": "消防器材", "en": "Fire equipment"}, "max": 10, "step": 0.5},
            {"code": "A2", "kind": "passfail", "text": {"zh": "无D级危房", "en": "No D-class building"}, "max": 5},
        ]},
        {"code": "B", "name": {"zh": "教学", "en": "Teaching"}, "items": [
            {"code": "B1", "kind": "level", "text": {"zh": "作业管理", "en": "Homework"}, "levels": [
                {"code": "met", "label": {"zh": "达标", "en": "Met"}, "points": 5},
                {"code": "basic", "label": {"zh": "基本达标", "en": "Basic"}, "points": 3},
                {"code": "unmet", "label": {"zh": "未达标", "en": "Unmet"}, "points": 0}]},
            {"code": "B2", "kind": "text", "text": {"zh": "总体评价", "en": "Overall"}, "required": False,
             "na_allowed": True},
        ]},
    ],
}


@dataclass(frozen=True)
class Seeded:
    profile: Profile
    unit_id: str
    team_id: str
    inspector_ids: list[str]
    rubric_hash: str


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def profile(data_dir: Path):
    p = Profile.open(data_dir)
    yield p
    p.close()


def insert_row(profile: Profile, table: str, /, **row) -> str:
    row.setdefault("id", new_id())
    with profile.transaction() as tx:
        rows.insert(tx.db, table, row, tx.meta)
    return row["id"]


@pytest.fixture
def seeded(profile: Profile) -> Seeded:
    area = insert_row(profile, "admin_areas", parent_id=None, level="county", code="420381", name="丹江口市")
    unit = insert_row(profile, "units", area_id=area, code="DJK001", name="均州路中心小学",
                      unit_type="primary", profile=json.dumps({"enrolment_primary": 800}))
    inspectors = [insert_row(profile, "inspectors", name=n) for n in ("张建华", "李秀梅")]
    team = insert_row(profile, "teams", name="第一督导组")
    with profile.transaction() as tx:
        people.add_team_member(tx.db, team, inspectors[0], "leader")
        people.add_team_member(tx.db, team, inspectors[1], "member")
    ref, _ = import_document(profile, SMALL_RUBRIC)
    return Seeded(profile, unit, team, inspectors, ref.hash)


def pyside_tool(name: str) -> str:
    """A PySide6 tool from the interpreter's own environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    # PySide6 installs these tools; missing ones mean a broken environment, never a skip.
    assert found is not None, f"{name} is not installed (it comes with PySide6)"
    return found


@pytest.fixture(scope="session")
def built_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the .qm catalogues compiled from the committed .ts files for this run.

    Tests never read a .qm that `make` left in resources/: after a fresh clone or a plain
    `pytest` there is none, and after an edit of the .ts it is out of date.
    """
    out = tmp_path_factory.mktemp("translations")
    sources = sorted(TRANSLATION_SOURCES.glob("*.ts"))
    assert sources, f"no .ts file in {TRANSLATION_SOURCES}"
    for ts in sources:
        done = subprocess.run([pyside_tool("pyside6-lrelease"), str(ts), "-qm", str(out / f"{ts.stem}.qm")],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture(autouse=True)
def _desktop_reads_built_translations(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The desktop's translations come from built_translations in every test that can load them.

    Only UI tests pay for it: core tests never import Qt, and the catalogues are built once.
    """
    in_ui_tests = (ROOT / "tests" / "ui") in request.node.path.parents
    if not in_ui_tests and "ui.app" not in sys.modules:
        return
    import ui.app

    monkeypatch.setattr(ui.app, "TRANSLATIONS", request.getfixturevalue("built_translations"))



# Secrets never reach a log: the end-of-run check (tests/log_secrets.py) is this suite's plugin.
from tests.log_secrets import (  # noqa: E402, F401 - hooks and fixtures pytest finds here by name
    _log_check_folder,
    _planted_secrets,
    pytest_configure,
    pytest_sessionfinish,
    pytest_sessionstart,
    pytest_terminal_summary,
)

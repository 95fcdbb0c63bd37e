"""``fieldmark-server`` commands, on SQLite and on PostgreSQL, each on an empty database."""

from __future__ import annotations

import io
import json
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from server.cli import main
from server.config import normalise_database_url
from server.store.database import open_engine
from server.store.schema import accounts, admin_areas, assignments, rubric_templates, units
from tests.server.conftest import DEMO_UNITS, ROOT, database_on

RUBRICS = ROOT / "resources" / "rubrics"


@pytest.fixture
def empty_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    name = f"fm_test_{secrets.token_hex(6)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield database_on(admin, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def run(empty_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> object:
    """run(*args, stdin="") -> (status, stdout, stderr), on this test's data folder and database."""
    def call(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            status = main([*args, "--data-dir", str(tmp_path / "data"), "--database", empty_db])
        except SystemExit as exc:  # argparse's usage errors
            status = int(exc.code or 0)
        out, err = capsys.readouterr()
        return status, out, err
    return call


@pytest.fixture
def initialised(run: object) -> object:
    assert run("init", stdin="admin-password\n")[0] == 0  # type: ignore[operator]
    return run


def _count(url: str, table: object) -> int:
    engine = open_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]
    engine.dispose()
    return int(n)


def test_init_makes_the_store_and_an_admin_once(run, empty_db, tmp_path):
    status, out, _ = run("init", stdin="admin-password\n")
    assert status == 0 and "admin" in out
    saved = json.loads((tmp_path / "data" / "server.json").read_text())
    assert saved == {"database": normalise_database_url(empty_db)}
    status, out, _ = run("user", "list", "--json")
    assert json.loads(out) == [{"login": "admin", "name": "", "role": "admin", "scope": None, "disabled": False}]
    status, _, err = run("init", stdin="admin-password\n")
    assert status == 1 and err.startswith("fieldmark-server: ") and "already has accounts" in err


def test_init_refuses_a_missing_or_short_password(run, empty_db):
    assert run("init", stdin="")[2].startswith("fieldmark-server: no password given")
    assert "too short" in run("init", stdin="short\n")[2]
    assert _count(empty_db, accounts) == 0


def test_users(initialised, empty_db):
    run = initialised
    assert run("units", "import", str(DEMO_UNITS))[0] == 0
    status, out, _ = run("user", "add", "zhang", "--role", "inspector", "--scope", "420381", "--name", "张建华",
                         stdin="zhang-password\n")
    assert status == 0 and "scope 420381" in out
    failures = [
        (("user", "add", "li", "--role", "inspector"), "needs a scope"),
        (("user", "add", "li", "--role", "inspector", "--scope", "999"), "no area with code '999'"),
        (("user", "add", "zhang", "--role", "admin"), "is taken"),
        (("user", "passwd", "nobody"), "no account 'nobody'"),
    ]
    for args, message in failures:
        status, _, err = run(*args, stdin="some-password\n")
        assert status == 1 and err.startswith("fieldmark-server: ") and message in err, err
    status, _, err = run("user", "add", "li", "--role", "boss", "--scope", "420381", stdin="x\n")
    assert status == 2 and err.splitlines()[-1].startswith("fieldmark-server: argument --role")
    assert run("user", "passwd", "zhang", stdin="another-password\n")[0] == 0
    status, out, _ = run("user", "disable", "zhang")
    assert status == 0 and "0 session(s) revoked" in out
    status, out, _ = run("user", "list")
    assert "zhang" in out and "disabled" in out and "420381" in out
    assert _count(empty_db, accounts) == 2


BAD_UNITS = """level,code,name,parent,unit_type,head_name,phone,address,staff
province,42,湖北省,,,,,,
city,4203,十堰市,42,,,,,
county,4203,again,42,,,,,
township,420381001,镇,999,,,,,
unit,U1,学校,4203,,,,,
unit,U2,学校,4203,primary,,,,many
city,4204,,42,,,,,
county,bad code,x,4203,,,,,
province,43,省,4203,,,,,
"""


def test_units_import_reports_every_row_and_stores_nothing(initialised, empty_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_UNITS, encoding="utf-8")
    status, _, err = initialised("units", "import", str(bad))
    lines = err.splitlines()
    assert status == 1 and lines[0] == "fieldmark-server: bad.csv: 7 problem(s); nothing was imported"
    assert lines[1:] == [
        "  bad.csv row 4: the code 4203 appears twice in the file",
        "  bad.csv row 5: the parent area 999 is neither stored nor on an earlier row",
        "  bad.csv row 6: a unit needs its unit_type",
        "  bad.csv row 7: staff must be a number of 0 or more, not 'many'",
        "  bad.csv row 8: the name is empty",
        "  bad.csv row 9: code 'bad code': use letters, digits, '-', '_' or '.' (at most 32)",
        "  bad.csv row 10: a province cannot be inside a city (4203)",
    ]
    assert _count(empty_db, admin_areas) == _count(empty_db, units) == 0


def test_units_import_csv_and_xlsx_and_moves(initialised, empty_db, tmp_path):
    from openpyxl import Workbook

    status, out, _ = initialised("units", "import", str(DEMO_UNITS))
    assert status == 0 and out.strip() == "imported 15 areas and 32 units from demo-units.csv"
    # Again: the same tree, nothing doubled.
    assert initialised("units", "import", str(DEMO_UNITS))[0] == 0
    assert (_count(empty_db, admin_areas), _count(empty_db, units)) == (15, 32)
    # A workbook moves a township to the other county; its units' scope moves with it.
    book = Workbook()
    sheet = book.active
    sheet.append(["level", "code", "name", "parent", "unit_type", "head_name", "phone", "address", "staff"])
    sheet.append(["township", "420381001", "均州路街道", "420322", None, None, None, None, None])
    sheet.append(["unit", "NEW1", "新学校", "420381001", "primary", "王", None, None, 12])
    book.save(tmp_path / "move.xlsx")
    assert initialised("units", "import", str(tmp_path / "move.xlsx"))[0] == 0
    engine = open_engine(empty_db.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        path = conn.execute(select(admin_areas.c.path).where(admin_areas.c.code == "420381001")).scalar_one()
        profile = conn.execute(select(units.c.profile).where(units.c.code == "NEW1")).scalar_one()
    engine.dispose()
    assert path == "/42/4203/420322/420381001/"
    assert json.loads(profile) == {"staff": 12}


def test_rubric_publish_is_immutable_by_hash(initialised, empty_db, tmp_path):
    status, out, _ = initialised("rubric", "publish", str(RUBRICS / "study-habits.json"))
    assert status == 0 and out.startswith("published: study-habits ")
    status, out, _ = initialised("rubric", "publish", str(RUBRICS / "study-habits.json"))
    assert status == 0 and out.startswith("already published: study-habits ")
    changed = json.loads((RUBRICS / "study-habits.json").read_text(encoding="utf-8"))
    changed["name"]["en"] += " (edited)"
    (tmp_path / "edited.json").write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    status, _, err = initialised("rubric", "publish", str(tmp_path / "edited.json"))
    assert status == 1 and "already published with other content" in err
    (tmp_path / "broken.json").write_text('{"id": "x"}', encoding="utf-8")
    status, _, err = initialised("rubric", "publish", str(tmp_path / "broken.json"))
    assert status == 1 and err.startswith("fieldmark-server: ") and len(err.splitlines()) > 1
    shutil.copy(RUBRICS / "examples" / "civilized-unit-example.xlsx", tmp_path / "civ.xlsx")
    status, out, _ = initialised("rubric", "publish", str(tmp_path / "civ.xlsx"))
    assert status == 0 and out.startswith("published: ")
    assert _count(empty_db, rubric_templates) == 2


def test_assign(initialised, empty_db):
    run = initialised
    run("units", "import", str(DEMO_UNITS))
    run("rubric", "publish", str(RUBRICS / "study-habits.json"))
    run("user", "add", "zhang", "--role", "team_leader", "--scope", "420381", stdin="zhang-password\n")
    base = ("assign", "--campaign", "Autumn", "--team", "Team 1", "--from", "2026-09-01", "--to", "2026-09-30",
            "--rubric", "study-habits")
    failures = [
        (("--unit", "DJK001,NOPE"), "no unit with code NOPE"),
        (("--unit", "DJK001", "--rubric", "nothing"), "no published rubric with id or hash 'nothing'"),
        (("--unit", "DJK001", "--visit-type", "party"), "unknown visit type 'party'"),
        (("--unit", "DJK001", "--member", "admin"), "admin is admin; a team holds inspectors and team leaders"),
    ]
    for extra, message in failures:
        status, _, err = run(*base, *extra)
        assert status == 1 and message in err, err
    status, _, err = run("assign", "--campaign", "A", "--team", "T", "--from", "2026-09-30", "--to", "2026-09-01",
                         "--rubric", "study-habits", "--unit", "DJK001")
    assert status == 1 and "after it ends" in err
    assert _count(empty_db, assignments) == 0
    status, out, _ = run(*base, "--unit", "DJK001,DJK002", "--member", "zhang")
    assert status == 0 and out.startswith("assigned 2 unit(s) to Team 1 in Autumn")
    status, _, err = run(*base, "--unit", "DJK002")
    assert status == 1 and "already assigned to Team 1 in Autumn: DJK002" in err
    assert _count(empty_db, assignments) == 2


def test_commands_need_an_initialised_folder(tmp_path, capsys):
    status = main(["user", "list", "--data-dir", str(tmp_path / "none")])
    assert status == 1
    assert capsys.readouterr().err.startswith(f"fieldmark-server: {tmp_path / 'none'} is not a server data folder")


def test_demo_prints_the_admin_password_once(tmp_path, capsys):
    folder = str(tmp_path / "demo")
    assert main(["demo", "--data-dir", folder]) == 0
    out = capsys.readouterr().out
    password = out.split("admin password (shown only now): ")[1].strip()
    assert "15 areas, 32 units, 7 rubrics" in out
    assert main(["demo", "--data-dir", folder, "--if-missing"]) == 0
    assert password not in capsys.readouterr().out
    assert main(["demo", "--data-dir", folder]) == 1

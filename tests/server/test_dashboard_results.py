"""The dashboard's results as real pushes write them (server.dashboard.results, called from the
finalized-version recording), an amendment replacing them, a refused version writing none, and
migration 0005 rebuilding them from the stored versions, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import delete, select

from app.finalize import amend_response, finalize_visit
from app.rubric_store import get_rubric
from app.scores import score_visit, summarise
from app.visits import get_visit, list_responses
from server.areas import area_by_code
from server.dashboard import figures
from server.errors import NotFound
from server.store.database import MIGRATIONS
from server.store.schema import (
    finalized_versions,
    item_scores,
    rubric_templates,
    section_scores,
    visit_results,
)
from tests.server.conftest import COUNTY, OTHER_COUNTY
from tests.server.finalized_support import (
    Laptop,
    adopt_unit,
    answer_visit,
    copy_profile,
    in_progress_visit,
    push_twice,
    register_device,
)

RESULTS = (visit_results, item_scores, section_scores)


@pytest.fixture
def laptop(server: Any, demo_template: Path, tmp_path: Path) -> Any:
    """A copy of the demo laptop whose county inspector answered a visit; its unit held by the server."""
    profile = copy_profile(demo_template, tmp_path / "laptop")
    account = server.make_account("inspector", COUNTY)
    machine = Laptop(profile, account.token)
    register_device(server, account.token, machine.device_id)
    visit_id = in_progress_visit(profile)
    answer_visit(profile, visit_id)
    adopt_unit(server, profile, get_visit(profile, visit_id).unit_id)
    yield machine, visit_id
    profile.close()


def send(server: Any, machine: Laptop, body: dict[str, Any]) -> dict[str, Any]:
    machine.upload(server, body["blobs"])
    answer = push_twice(server, machine.token, body)
    assert answer.status_code == 200, answer.text
    receipt: dict[str, Any] = answer.json()
    machine.acknowledge(receipt)
    return receipt


def push_finalized(server: Any, machine: Laptop, visit_id: str, replaces: str | None = None) -> dict[str, Any]:
    rows = machine.rows(visit_id)
    return send(server, machine, machine.changeset(
        rows, rubric_templates=machine.templates(machine.rubric_hashes(visit_id)),
        finalizations=[machine.version(visit_id, replaces=replaces)]))


def stored(server: Any) -> dict[str, list[tuple[Any, ...]]]:
    with server.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t)).all()) for t in RESULTS}


def check_against_laptop(server: Any, machine: Laptop, visit_id: str, amendment_no: int) -> None:
    """Every rubric's result, section and item is the laptop engine's score of the visit."""
    with server.engine.connect() as conn:
        results = {r.rubric_hash: r for r in conn.execute(select(visit_results)
                                                          .where(visit_results.c.visit_id == visit_id))}
        items = {(r.rubric_hash, r.item_code): r for r in conn.execute(select(item_scores))}
        sections = {(r.rubric_hash, r.section_code): r for r in conn.execute(select(section_scores))}
        version = conn.execute(select(finalized_versions).where(finalized_versions.c.visit_id == visit_id)
                               .order_by(finalized_versions.c.amendment_no.desc())).first()
    hashes = machine.rubric_hashes(visit_id)
    assert sorted(results) == sorted(hashes)
    visit = get_visit(machine.profile, visit_id)
    for position, rubric_hash in enumerate(hashes):
        laptop = score_visit(machine.profile, visit_id, rubric_hash)
        row = results[rubric_hash]
        assert (row.position, row.rubric_id, row.amendment_no, row.visit_date, row.unit_id) == \
            (position, get_rubric(machine.profile, rubric_hash).id, amendment_no, visit.starts_on, visit.unit_id)
        assert (Decimal(row.awarded), Decimal(row.total), Decimal(row.maximum)) == \
            (laptop.awarded, laptop.total_with_bonus, laptop.maximum)
        assert row.band_code == (laptop.band.code if laptop.band else None)
        assert json.loads(row.vetoes) == [v.code for v in laptop.vetoes] and row.vetoed == bool(laptop.vetoes)
        for code, item in laptop.items.items():
            assert (Decimal(items[(rubric_hash, code)].awarded), Decimal(items[(rubric_hash, code)].maximum)) == \
                (item.awarded, item.maximum)
        for code, section in laptop.sections.items():
            assert Decimal(sections[(rubric_hash, code)].awarded) == section.awarded
    # The visit's summary (its first rubric) is the figure the verify page shows.
    first = results[hashes[0]]
    summary = summarise(score_visit(machine.profile, visit_id, hashes[0]))
    assert version is not None and version.amendment_no == amendment_no
    assert Decimal(version.server_total) == Decimal(summary.awarded) == \
        Decimal(first.awarded).quantize(Decimal(summary.awarded))


def test_a_pushed_finalization_writes_its_results_and_an_amendment_replaces_them(server, laptop):
    machine, visit_id = laptop
    first = finalize_visit(machine.profile, visit_id, accept_gaps=True).id
    push_finalized(server, machine, visit_id)
    check_against_laptop(server, machine, visit_id, 0)
    before = stored(server)

    item = next(r for r in list_responses(machine.profile, visit_id)
                if r.value is not None and not r.na and score_visit(machine.profile, visit_id, r.rubric_hash)
                .items[r.item_code].awarded > 0)
    amend_response(machine.profile, visit_id, rubric_hash=item.rubric_hash, item_code=item.item_code, value=None,
                   reason_for_change="复核撤回")
    push_finalized(server, machine, visit_id, replaces=first)
    check_against_laptop(server, machine, visit_id, 1)
    after = stored(server)
    assert [len(after[t.name]) for t in RESULTS] == [len(before[t.name]) for t in RESULTS]
    with server.engine.connect() as conn:
        amended = conn.execute(select(item_scores.c.awarded).where(
            item_scores.c.visit_id == visit_id, item_scores.c.rubric_hash == item.rubric_hash,
            item_scores.c.item_code == item.item_code)).scalar_one()
    assert Decimal(amended) == 0

    # The office reads the amended figures; an account of the other county reads none of them.
    with server.engine.connect() as conn:
        unit = get_visit(machine.profile, visit_id).unit_id
        mine, theirs = area_by_code(conn, COUNTY).path, area_by_code(conn, OTHER_COUNTY).path
        history = figures.unit_history(conn, mine, unit)
        assert {v.amendment_no for v in history.visits} == {1}
        with pytest.raises(NotFound):
            figures.unit_history(conn, theirs, unit)


def test_a_refused_version_writes_no_results(server, laptop):
    machine, visit_id = laptop
    finalize_visit(machine.profile, visit_id, accept_gaps=True)
    body = machine.changeset(machine.rows(visit_id), rubric_templates=machine.templates(machine.rubric_hashes(visit_id)),
                             finalizations=[{**machine.version(visit_id), "content_hash": "0" * 64}])
    machine.upload(server, body["blobs"])
    answer = push_twice(server, machine.token, body)
    assert answer.json()["finalizations"][0]["status"] == "refused"
    assert stored(server) == {t.name: [] for t in RESULTS}


def _alembic(connection: Any) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def test_migration_0005_rebuilds_the_results_of_a_server_upgraded_with_data(server, laptop, capfd):
    machine, visit_id = laptop
    first = finalize_visit(machine.profile, visit_id, accept_gaps=True).id
    push_finalized(server, machine, visit_id)
    item = next(r for r in list_responses(machine.profile, visit_id) if r.value is not None and not r.na)
    amend_response(machine.profile, visit_id, rubric_hash=item.rubric_hash, item_code=item.item_code, value=None,
                   reason_for_change="复核撤回")
    push_finalized(server, machine, visit_id, replaces=first)
    pushed = stored(server)
    assert pushed["visit_results"]

    # Two more visits that cannot be scored, one whose template has gone and one whose answers
    # no longer fit its rubric: each is left out, and said so.
    with server.engine.begin() as conn:
        lost = conn.execute(select(finalized_versions)).first()._mapping
        record = json.loads(lost["record"])
        other, unfit = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
        misfit = {**record, "responses": [{**record["responses"][0], "item_code": "NO-SUCH-ITEM"}]}
        conn.execute(finalized_versions.insert().values(
            {**lost, "visit_id": other, "amendment_no": 0, "record": json.dumps({**record, "rubrics": ["f" * 64]})}))
        conn.execute(finalized_versions.insert().values(
            {**lost, "visit_id": unfit, "amendment_no": 0, "record": json.dumps(misfit)}))
    try:
        with server.engine.begin() as conn:
            command.downgrade(_alembic(conn), "0004")
        with server.engine.begin() as conn:
            command.upgrade(_alembic(conn), "head")
        assert stored(server) == pushed
        err = capfd.readouterr().err
        assert f"visit {other} left out of the dashboard: rubric template(s) {'f' * 64} not held" in err
        assert f"visit {unfit} left out of the dashboard: the answers do not fit rubric" in err
        assert "NO-SUCH-ITEM" in err
    finally:
        with server.engine.begin() as conn:
            conn.execute(delete(finalized_versions).where(finalized_versions.c.visit_id.in_([other, unfit])))
    with server.engine.connect() as conn:
        assert conn.execute(select(rubric_templates.c.hash)).first() is not None

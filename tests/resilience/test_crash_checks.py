"""The crash test's checks catch what they are there for: a lost acknowledged edit, a half
operation, a row whose file is missing or half written, a stray temporary file."""

from __future__ import annotations

import pytest

from app.evidence import import_bytes
from app.evidence.store import blob_path
from app.visits import NewVisit, answer_item, create_visit
from tests.app.photo_factory import jpeg
from tests.resilience.crash_child import unique_jpeg
from tests.resilience.crash_disk import MediaCheck
from tests.resilience.crash_model import snapshot
from tests.resilience.test_crash_consistency import Figures, check_round


@pytest.fixture
def visit(seeded) -> str:
    return create_visit(seeded.profile, NewVisit(unit_id=seeded.unit_id, visit_type="routine", starts_on="2026-11-24",
                                                 rubric_hashes=[seeded.rubric_hash], team_id=seeded.team_id)).id


def answer_line(seeded, visit: str, n: int, value: float) -> dict:
    return {"t": "do", "n": n, "op": "answer", "visit": visit, "rubric": seeded.rubric_hash, "item": "A1",
            "na": False, "note": f"op {n}", "value": value, "methods": ["site"]}


def do_answer(seeded, line: dict) -> None:
    answer_item(seeded.profile, line["visit"], rubric_hash=line["rubric"], item_code=line["item"],
                value=line["value"], evidence_methods=line["methods"], note=line["note"], reason="现场查看")


def check(seeded, model, lines, figures=None):
    return check_round(seeded.profile, model, lines, figures or Figures(), MediaCheck(), "test")


def test_an_acknowledged_answer_that_is_not_there_is_data_lost(seeded, visit):
    model = snapshot(seeded.profile.db)
    line = answer_line(seeded, visit, 0, 8.0)
    acked = [line, {"t": "ack", "n": 0}]
    with pytest.raises(pytest.fail.Exception, match="not the acknowledged state"):
        check(seeded, model, acked)
    do_answer(seeded, line)
    check(seeded, model, acked)


def test_an_acknowledged_answer_overwritten_by_an_older_value_is_caught(seeded, visit):
    first, second = answer_line(seeded, visit, 0, 8.0), answer_line(seeded, visit, 1, 9.5)
    do_answer(seeded, first)
    model = snapshot(seeded.profile.db)
    with pytest.raises(pytest.fail.Exception, match="op 1"):
        check(seeded, model, [second, {"t": "ack", "n": 1}])


def test_the_interrupted_operation_may_be_all_there_or_not_at_all(seeded, visit):
    model = snapshot(seeded.profile.db)
    line = answer_line(seeded, visit, 0, 8.0)
    figures = Figures()
    assert check(seeded, model, [line], figures) == model
    do_answer(seeded, line)
    after = check(seeded, model, [line], figures)
    assert after != model and figures.interrupted_committed == {"answer": 1}


def test_a_row_changed_by_no_operation_is_caught(seeded, visit):
    model = snapshot(seeded.profile.db)
    do_answer(seeded, answer_line(seeded, visit, 0, 8.0))
    with pytest.raises(pytest.fail.Exception, match="not the acknowledged state"):
        check(seeded, model, [])


def test_a_missing_or_half_written_photo_and_a_temp_file_are_caught(seeded, visit):
    profile = seeded.profile
    data = unique_jpeg(jpeg(), "op 0")
    import_bytes(profile, data, "IMG_0001.jpg", visit_id=visit)
    [sha] = [v[0] for k, v in snapshot(profile.db).items() if k[0] == "photo"]
    path = blob_path(profile.media_dir, sha)
    assert MediaCheck().problems(profile.root, profile.db) == []

    path.chmod(0o644)
    path.write_bytes(data[: len(data) // 2])
    assert "does not hash to its name" in " ".join(MediaCheck().problems(profile.root, profile.db))
    path.unlink()
    assert "has no such file" in " ".join(MediaCheck().problems(profile.root, profile.db))
    path.write_bytes(data)
    (path.parent / ".0123456789abcdef-x.tmp").write_bytes(data[:10])
    assert "not a stored photo's name" in " ".join(MediaCheck().problems(profile.root, profile.db))

"""``fieldmark rubric …`` and ``fieldmark score``."""

from __future__ import annotations

import json

from app.cli import main
from app.rubric.samples import sample_paths
from tests.conftest import SMALL_RUBRIC


def write(path, doc):
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_validate_a_good_file(tmp_path, capsys):
    assert main(["rubric", "validate", str(write(tmp_path / "r.json", SMALL_RUBRIC))]) == 0
    assert "valid (small-check 2026.1" in capsys.readouterr().out


def test_validate_lists_every_problem_and_fails(tmp_path, capsys):
    bad = json.loads(json.dumps(SMALL_RUBRIC))
    bad["sections"][0]["items"][0]["max"] = "abc"
    bad["sections"][1]["items"][0]["kind"] = "stars"
    assert main(["rubric", "validate", str(write(tmp_path / "bad.json", bad))]) == 1
    err = capsys.readouterr().err
    assert "sections[0].items[0].max" in err and "abc" in err
    assert "sections[1].items[0]" in err and "stars" in err


def test_validate_reports_duplicate_codes(tmp_path, capsys):
    bad = json.loads(json.dumps(SMALL_RUBRIC))
    bad["sections"][1]["items"][0]["code"] = "A2"
    assert main(["rubric", "validate", str(write(tmp_path / "bad.json", bad))]) == 1
    err = capsys.readouterr().err
    assert "A2" in err and "duplicate" in err.lower()


def test_validate_a_broken_json_file_names_the_line(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "fieldmark.rubric/1",\n  "id": \n}', encoding="utf-8")
    assert main(["rubric", "validate", str(path)]) == 1
    assert "line 4" in capsys.readouterr().err


def test_import_list_export_round_trip(tmp_path, capsys):
    data = tmp_path / "profile"
    src = write(tmp_path / "r.json", SMALL_RUBRIC)
    assert main(["rubric", "import", str(src), "--data-dir", str(data)]) == 0
    assert "imported: small-check 2026.1" in capsys.readouterr().out
    assert main(["rubric", "import", str(src), "--data-dir", str(data)]) == 0
    assert "already stored" in capsys.readouterr().out
    assert main(["rubric", "list", "--json", "--data-dir", str(data)]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["rubric_id"] == "small-check"
    out_x, out_j = tmp_path / "out.xlsx", tmp_path / "out.json"
    assert main(["rubric", "export", "small-check", "--xlsx", str(out_x), "--json", str(out_j),
                 "--data-dir", str(data)]) == 0
    assert json.loads(out_j.read_text(encoding="utf-8")) == SMALL_RUBRIC
    assert main(["rubric", "validate", str(out_x)]) == 0
    # Importing the exported workbook finds the very same version: nothing was lost.
    assert main(["rubric", "import", str(out_x), "--data-dir", str(data)]) == 0
    assert "already stored" in capsys.readouterr().out


def test_edited_rubric_becomes_a_new_version(tmp_path, capsys):
    data = tmp_path / "profile"
    main(["rubric", "import", str(write(tmp_path / "a.json", SMALL_RUBRIC)), "--data-dir", str(data)])
    edited = json.loads(json.dumps(SMALL_RUBRIC))
    edited["sections"][0]["items"][0]["max"] = 12
    main(["rubric", "import", str(write(tmp_path / "b.json", edited)), "--data-dir", str(data)])
    capsys.readouterr()
    main(["rubric", "list", "--json", "--data-dir", str(data)])
    hashes = {r["hash"] for r in json.loads(capsys.readouterr().out)}
    assert len(hashes) == 2


def test_export_unknown_rubric(tmp_path, capsys):
    data = tmp_path / "profile"
    main(["rubric", "import", str(write(tmp_path / "a.json", SMALL_RUBRIC)), "--data-dir", str(data)])
    assert main(["rubric", "export", "nope", "--xlsx", str(tmp_path / "x.xlsx"), "--data-dir", str(data)]) == 1
    assert "no stored rubric" in capsys.readouterr().err


def test_score_an_answers_file_as_json(tmp_path, capsys):
    answers = write(tmp_path / "answers.json", {"format": "fieldmark.answers/1", "answers": {
        "A1": {"value": 7.5, "reason": "两具灭火器过期"}, "A2": True, "B1": "basic"}})
    rubric = write(tmp_path / "r.json", SMALL_RUBRIC)
    assert main(["score", str(rubric), str(answers), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["awarded"] == "15.5"
    assert result["maximum"] == "20"
    assert {s["code"]: s["awarded"] for s in result["sections"]} == {"A": "12.5", "B": "3"}


def test_score_by_stored_id_and_human_summary(tmp_path, capsys):
    data = tmp_path / "profile"
    main(["rubric", "import", str(write(tmp_path / "r.json", SMALL_RUBRIC)), "--data-dir", str(data)])
    answers = write(tmp_path / "answers.json", {"format": "fieldmark.answers/1", "answers": {"A1": 10}})
    capsys.readouterr()
    assert main(["score", "small-check", str(answers), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "10 / 20" in out.replace(".0", "") and "gaps" in out


def test_score_rejects_answers_that_do_not_fit(tmp_path, capsys):
    answers = write(tmp_path / "answers.json", {"format": "fieldmark.answers/1", "answers": {"A1": 99, "ZZ": 1}})
    assert main(["score", str(write(tmp_path / "r.json", SMALL_RUBRIC)), str(answers), "--json"]) == 1
    err = capsys.readouterr().err
    assert "A1" in err and "ZZ" in err


def test_every_sample_validates_through_the_cli(capsys):
    for path in sample_paths():
        assert main(["rubric", "validate", str(path)]) == 0, capsys.readouterr().err


# --- exact numbers ----------------------------------------------------------------------------


def test_an_answer_just_above_the_maximum_is_out_of_range(tmp_path, capsys):
    # As a float this answer is 10.0 and would be accepted as full marks on the 10-point A1.
    answers = tmp_path / "answers.json"
    answers.write_text('{"format": "fieldmark.answers/1", "answers": {"A1": 10.0000000000000000000001}}',
                       encoding="utf-8")
    assert main(["score", str(write(tmp_path / "r.json", SMALL_RUBRIC)), str(answers), "--json"]) == 1
    err = capsys.readouterr().err
    assert "A1: 10.0000000000000000000001 is out of range [0, 10]" in err


def test_a_rubric_number_a_float_cannot_hold_is_read_exactly(tmp_path, capsys):
    # max 10.0000000000000000000001 with the default step 1 is off the step grid; as a float it
    # would be 10.0 and the file would pass.
    text = json.dumps(SMALL_RUBRIC, ensure_ascii=False).replace('"max": 10, "step": 0.5',
                                                                '"max": 10.0000000000000000000001')
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    assert main(["rubric", "validate", str(path)]) == 1
    assert "sections[0].items[0].max: max 10.0000000000000000000001 is not on the step grid" in \
        capsys.readouterr().err


def test_a_stored_rubric_keeps_exact_numbers_and_its_hash(tmp_path, capsys):
    from app.rubric_store import _PARSED

    doc = json.loads(json.dumps(SMALL_RUBRIC))
    doc["id"] = "exact-check"
    text = json.dumps(doc, ensure_ascii=False).replace('"points": 3}', '"points": 3.0000000000000000000001}')
    data = tmp_path / "profile"
    assert main(["rubric", "import", str(write_text(tmp_path / "r.json", text)), "--data-dir", str(data)]) == 0
    _PARSED.clear()  # read the stored document back, as a new process would
    answers = write(tmp_path / "a.json", {"format": "fieldmark.answers/1", "answers": {"B1": "basic"}})
    capsys.readouterr()
    # Read back as floats the level would be worth 3.0 and the hash check would call the profile
    # damaged.
    assert main(["score", "exact-check", str(answers), "--data-dir", str(data), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["awarded"] == "3.0000000000000000000001"
    assert main(["rubric", "export", "exact-check", "--json", str(tmp_path / "out.json"),
                 "--data-dir", str(data)]) == 0
    assert '"points": 3.0000000000000000000001' in (tmp_path / "out.json").read_text(encoding="utf-8")


def write_text(path, text):
    path.write_text(text, encoding="utf-8")
    return path

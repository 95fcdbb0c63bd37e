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


# --- each problem once ------------------------------------------------------------------------


def test_a_lone_problem_is_printed_once(tmp_path, capsys):
    path = write_text(tmp_path / "broken.json", '{\n  "format": "fieldmark.rubric/1",\n  "id": \n}')
    assert main(["rubric", "validate", str(path)]) == 1
    assert capsys.readouterr().err == "fieldmark: broken.json line 4, column 1: Expecting value\n"


def test_a_workbook_problem_is_printed_once_with_its_row(tmp_path, capsys):
    import openpyxl

    from app.rubric.xlsx import write_xlsx

    book = tmp_path / "r.xlsx"
    write_xlsx(SMALL_RUBRIC, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["items"]
    # Row 2 is section A's heading; A1 is on row 3. The header reads "分值" over "max".
    ws.cell(row=3, column=[c.value for c in ws[1]].index("分值\nmax") + 1).value = "abc"
    wb.save(book)
    assert main(["rubric", "validate", str(book)]) == 1
    assert capsys.readouterr().err == ("fieldmark: r.xlsx: 1 problem in the workbook\n"
                                       "  - items row 3, column D (分值 max): 'abc' is not a number\n")


def test_a_workbook_rule_problem_names_the_row_not_a_json_path(tmp_path, capsys):
    from app.rubric.xlsx import write_xlsx

    doc = json.loads(json.dumps(SMALL_RUBRIC))
    doc["sections"][0]["cap"] = 16  # A holds 10 + 5: a cap of 16 can never bind
    book = tmp_path / "r.xlsx"
    write_xlsx(doc, book)
    assert main(["rubric", "validate", str(book)]) == 1
    assert capsys.readouterr().err == (
        "fieldmark: r.xlsx: rubric small-check is invalid\n"
        "  - sections row 2, column E (得分上限 cap): cap 16 is above the 15 points the section's items and "
        "sub-sections can give at most, so it can never bind\n")


def test_each_answers_problem_is_printed_once_under_the_file_name(tmp_path, capsys):
    answers = write(tmp_path / "answers.json", {"format": "fieldmark.answers/1", "answers": {"A1": 99, "ZZ": 1}})
    assert main(["score", str(write(tmp_path / "r.json", SMALL_RUBRIC)), str(answers)]) == 1
    assert capsys.readouterr().err == (
        f"fieldmark: {answers}: answers file is invalid (2 problems)\n"
        "  - answers.A1: item A1: 99 is out of range [0, 10]\n"
        "  - answers.ZZ: no item 'ZZ' in rubric 'small-check'\n")


# --- the text output says what the JSON says ---------------------------------------------------

PRORATED = {
    "format": "fieldmark.rubric/1", "id": "prorated", "version": "1", "name": {"zh": "折算", "en": "Prorated"},
    "sections": [
        {"code": "P", "name": {"zh": "小学", "en": "Primary"}, "items": [
            {"code": "P1", "kind": "points", "text": {"zh": "p", "en": "p"}, "max": 100}]},
        {"code": "M", "name": {"zh": "初中", "en": "Middle"}, "items": [
            {"code": "M1", "kind": "points", "text": {"zh": "m", "en": "m"}, "max": 90},
            {"code": "M2", "kind": "indicator", "text": {"zh": "巩固率", "en": "Retention"}, "max": 10,
             "indicator": {"numerator": {"zh": "在校", "en": "kept"}, "denominator": {"zh": "入学", "en": "entered"},
                           "comparator": ">=", "target": 99}}]},
    ],
    "bands": [{"code": "met", "label": {"zh": "达标", "en": "Meets"}, "min": 180, "min_inclusive": True},
              {"code": "low", "label": {"zh": "不达标", "en": "Does not meet"}}],
    "prorate": [{"section": "M", "unit_types": ["complete_secondary"],
                 "share": {"numerator": ["middle"], "denominator": ["middle", "high"]}}],
}


def score_text(tmp_path, capsys, profile_numbers, *extra):
    rubric = write(tmp_path / "r.json", PRORATED)
    answers = write(tmp_path / "a.json", {"format": "fieldmark.answers/1", "answers": {
        "P1": 90, "M1": 80, "M2": {"value": {"numerator": 95, "denominator": 100, "reported": 99}}}})
    profile = write(tmp_path / "p.json", {"format": "fieldmark.profile/1", "unit_type": "complete_secondary",
                                          "numbers": profile_numbers})
    assert main(["score", str(rubric), str(answers), "--profile", str(profile), *extra]) == 0
    return capsys.readouterr().out


def test_text_output_shows_the_prorated_total_the_band_was_decided_on(tmp_path, capsys):
    # M is prorated by 300 / (300 + 900) = 0.25: 80 of 100 becomes 20 of 25. Awarded 90 + 20 = 110
    # of 125; normalised to the nominal 200: 110 × 200 / 125 = 176, below the 180 of "met".
    out = score_text(tmp_path, capsys, {"middle": 300, "high": 900})
    assert "  M        初中  20.0 / 25.0  (2/2 answered)  share 0.25\n" in out
    assert "  总分 total   110.0 / 125.0  (满分 nominal maximum 200.0)\n" in out
    assert "  折算 prorated: normalised total 176.0 of 200.0\n" in out
    assert "  定级依据 band decided on   176.0 (normalised total)\n" in out
    assert "  等级 band   不达标 / Does not meet\n" in out
    from app.rubric import load_rubric

    assert f"  细则 rubric  prorated 1, hash {load_rubric(PRORATED).content_hash}\n" in out


def test_text_output_gives_the_exact_figure_when_rounding_hides_it(tmp_path, capsys):
    # 1 / (1 + 2): M gives 80 / 3 of 100 / 3, so 350/3 of 400/3, normalised 175 — after the
    # 28-digit division, a hair off 175, which the text shows instead of a rounded 175.0.
    data = json.loads(score_text(tmp_path, capsys, {"middle": 1, "high": 2}, "--json"))
    out = score_text(tmp_path, capsys, {"middle": 1, "high": 2})
    exact = data["band_value"]
    assert exact != "175" and exact.startswith(("174.99999", "175.00000"))
    assert f"  定级依据 band decided on   175.0 (= {exact}) (normalised total)\n" in out


def test_text_output_shows_indicator_mismatches_with_both_values(tmp_path, capsys):
    out = score_text(tmp_path, capsys, {"middle": 300, "high": 900})
    assert "    M2       95.0% (target >= 99%)  not met; MISMATCH: reported 99%, computed 95%\n" in out


def test_text_output_lists_every_gap_and_every_item(tmp_path, capsys):
    out = score_text(tmp_path, capsys, {"high": 900})
    assert "  缺漏 gaps   1\n    M: the unit profile has no middle, needed to prorate section M; the section " \
           "counts in full until it is recorded\n" in out
    for line in ("    P1       90.0 / 100.0\n", "    M1       80.0 / 90.0\n", "    M2       0.0 / 10.0\n"):
        assert line in out


def test_text_output_shows_the_notes():
    import dataclasses

    from app.cli_score import summary
    from app.rubric import Answer, load_rubric, score

    result = score(load_rubric(SMALL_RUBRIC), {"A1": Answer(10)})
    text = summary(dataclasses.replace(result, notes=("a note the result carries",)))
    assert text.endswith("  注 notes\n    a note the result carries")


# --- several checks combined --------------------------------------------------------------------


def monthly(tmp_path, total: int, n: int):
    """A study-habits check scoring ``total`` of 10: attendance loses 1 point per absence."""
    return write(tmp_path / f"month{n}.json", {"format": "fieldmark.answers/1", "answers": {
        "A1": {"value": {"A1-a": 10 - total}, "reason": "缺勤"}, "A2": 0, "A3": 0, "B1": {"value": {}},
        "C1": {"value": {}, "photos": 1}, "C2": "好"}})


def test_eight_monthly_checks_combine_into_the_yearly_mean(tmp_path, capsys):
    from app.rubric.samples import SAMPLES_DIR

    rubric = str(SAMPLES_DIR / "study-habits.json")
    months = [str(monthly(tmp_path, t, n)) for n, t in enumerate([9, 8, 10, 7, 9, 9, 8, 10])]
    assert main(["score", rubric, *months, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # (9 + 8 + 10 + 7 + 9 + 9 + 8 + 10) / 8 = 70 / 8 = 8.75: at least 6, below 9, so "pass".
    assert data["combined"] == {
        "method": "mean", "expected": 8, "checks": 8, "complete": True, "awarded": "8.75", "maximum": "10",
        "bonus": "0", "total_with_bonus": "8.75", "band_value": "8.75",
        "band": {"code": "pass", "label": {"zh": "合格", "en": "Satisfactory"}}, "vetoes": [], "failed": False}
    assert [c["result"]["awarded"] for c in data["checks"]] == ["9", "8", "10", "7", "9", "9", "8", "10"]
    assert [c["file"] for c in data["checks"]] == months
    assert main(["score", rubric, *months]) == 0
    out = capsys.readouterr().out
    assert f"  检查 check 1  {months[0]}  9.00 / 10.00  优良 / Good  缺漏 gaps 0\n" in out
    assert "  合成 combined: mean of 8 checks of the 8 the rubric combines\n" in out
    assert "  定级依据 band decided on   8.75\n  等级 band   合格 / Satisfactory" in out


def test_fewer_checks_are_combined_as_incomplete_and_more_are_refused(tmp_path, capsys):
    from app.rubric.samples import SAMPLES_DIR

    rubric = str(SAMPLES_DIR / "study-habits.json")
    assert main(["score", rubric, str(monthly(tmp_path, 9, 1)), str(monthly(tmp_path, 6, 2))]) == 0
    out = capsys.readouterr().out
    assert "  合成 combined: mean of 2 checks of the 8 the rubric combines  (不完整 incomplete)\n" in out
    assert "  定级依据 band decided on   7.50\n" in out
    nine = [str(monthly(tmp_path, 9, n)) for n in range(9)]
    assert main(["score", rubric, *nine]) == 1
    assert capsys.readouterr().err == "fieldmark: rubric 'study-habits' combines 8 checks, got 9\n"

"""Verification codes, the report CLI and the office's layout configuration."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.errors import InvalidAnswer
from app.finalize import amend_response, finalize_visit
from app.reports import (
    build_report,
    codes_for,
    load_layout,
    parse_layout,
    reset_layout,
    save_layout,
    short_code,
    verify_code,
)
from app.reports.layout import DEFAULT
from app.visits import get_visit
from tests.app.report_factory import banded_rubric_hash, banded_visit, pdf_text, squeeze


@pytest.fixture
def final(seeded):
    vid, rubric_hash = banded_visit(seeded, photos=0)
    digest = finalize_visit(seeded.profile, vid, accept_gaps=True).id
    return vid, rubric_hash, digest


def test_code_forms(final, seeded):
    vid, _, digest = final
    payload, short = codes_for(get_visit(seeded.profile, vid))
    assert payload == f"FM1-{vid}-{digest[:16]}"
    assert short == short_code(vid, digest)
    assert len(short) == 19 and short.count("-") == 3 and short == short.upper()


def test_verify_accepts_the_printed_code_in_either_form(final, seeded):
    vid, _, _ = final
    payload, short = codes_for(get_visit(seeded.profile, vid))
    text = squeeze(pdf_text(build_report(seeded.profile, vid).pdf))
    assert squeeze(payload) in text and short in text
    for code in (payload, short, short.lower(), short.replace("-", ""), f"  {payload.lower()} "):
        result = verify_code(seeded.profile, code)
        assert result.ok, (code, result.message)
        assert result.visit_id == vid


def test_verify_rejects_a_record_amended_after_printing(final, seeded):
    vid, rubric_hash, _ = final
    payload, short = codes_for(get_visit(seeded.profile, vid))
    amend_response(seeded.profile, vid, rubric_hash=rubric_hash, item_code="A1", value=10,
                   reason_for_change="补交材料")
    for code in (payload, short):
        result = verify_code(seeded.profile, code)
        assert not result.ok and "amended after this paper was printed" in result.message
    # The new paper matches the amended record.
    assert verify_code(seeded.profile, codes_for(get_visit(seeded.profile, vid))[0]).ok


def test_verify_rejects_a_record_changed_behind_fieldmarks_back(final, seeded):
    vid, _, _ = final
    payload, _ = codes_for(get_visit(seeded.profile, vid))
    with seeded.profile.db.atomic():
        seeded.profile.db.execute("UPDATE findings SET deadline = '2099-01-01' WHERE visit_id = ?", (vid,))
    result = verify_code(seeded.profile, payload)
    assert not result.ok and "changed outside Fieldmark" in result.message


@pytest.mark.parametrize("code", ["", "hello", "FM1-not-a-uuid-0123456789abcdef", "ZZZZ-ZZZZ-ZZZZ-ZZZZ"])
def test_verify_rejects_malformed_codes(seeded, code):
    assert not verify_code(seeded.profile, code).ok


def test_verify_unknown_visit(seeded):
    result = verify_code(seeded.profile, "FM1-00000000-0000-4000-8000-000000000000-0123456789abcdef")
    assert not result.ok and "no visit" in result.message
    assert not verify_code(seeded.profile, "0000-0000-0123-4567").ok


def test_a_draft_has_no_code(seeded):
    vid, _ = banded_visit(seeded, photos=0)
    assert codes_for(get_visit(seeded.profile, vid)) is None
    assert not verify_code(seeded.profile, f"FM1-{vid}-0123456789abcdef").ok


def test_cli_report_and_verify_exit_codes(final, seeded, data_dir, tmp_path, capsys):
    vid, rubric_hash, _ = final
    payload, short = codes_for(get_visit(seeded.profile, vid))
    seeded.profile.close()  # the CLI opens the profile itself
    out = tmp_path / "sheet.pdf"
    for kind in ("feedback", "rectification", "full"):
        assert main(["report", vid, "--kind", kind, "--out", str(out), "--lang", "en", "--paper", "letter",
                     "--data-dir", str(data_dir)]) == 0
        assert out.read_bytes().startswith(b"%PDF")
    assert "page(s)" in capsys.readouterr().out
    assert main(["verify", short, "--data-dir", str(data_dir)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")
    assert main(["verify", "1234-5678-9ABC-DEF0", "--data-dir", str(data_dir)]) == 1
    assert main(["report", "no-such-visit", "--out", str(out), "--data-dir", str(data_dir)]) == 1
    assert "no visit" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["report", vid, "--kind", "poster", "--out", str(out), "--data-dir", str(data_dir)])
    assert exc.value.code == 2
    # A mistyped folder is refused with the reason, not created (docs/reports.md).
    assert main(["report", vid, "--out", str(tmp_path / "missing" / "dir" / "x.pdf"),
                 "--data-dir", str(data_dir)]) == 1
    assert f"the folder {tmp_path / 'missing' / 'dir'} does not exist" in capsys.readouterr().err


def test_cli_report_layout(seeded, data_dir, tmp_path, capsys):
    seeded.profile.close()
    good = tmp_path / "layout.json"
    good.write_text(json.dumps({"header": {"zh": "2026年秋季督导", "en": "Autumn 2026"}}), encoding="utf-8")
    assert main(["report-layout", "default", "--set", str(good), "--data-dir", str(data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["header"]["zh"] == "2026年秋季督导"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"blocks": {"feedback": ["poster"]}}), encoding="utf-8")
    assert main(["report-layout", "default", "--set", str(bad), "--data-dir", str(data_dir)]) == 1
    assert "poster" in capsys.readouterr().err
    assert main(["report-layout", "default", "--reset", "--data-dir", str(data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["header"]["zh"] == ""


def test_layout_round_trip_and_fallback(seeded):
    profile = seeded.profile
    assert load_layout(profile, "camp-1") == DEFAULT
    doc = {"blocks": {"feedback": ["header", "scores", "signatures"]}, "header": {"zh": "专项督导", "en": "Themed"},
           "titles": {"feedback": {"zh": "督导意见反馈表", "en": "Feedback form"}},
           "signatures": [{"role": "team_leader", "zh": "督学签字", "en": "Inspector"},
                          {"role": "witness", "zh": "陪同人员", "en": "Escort"}],
           "seal": False, "feedback_photos": 2}
    saved = save_layout(profile, doc, "camp-1")
    assert load_layout(profile, "camp-1") == saved
    assert parse_layout(saved.to_json()) == saved
    assert load_layout(profile, "camp-2") == DEFAULT  # no campaign layout, no default: built-in
    save_layout(profile, {"seal": False})
    assert load_layout(profile, "camp-2").seal is False  # the profile default applies
    reset_layout(profile)
    assert load_layout(profile, "camp-2") == DEFAULT


@pytest.mark.parametrize("doc, words", [
    ([], "JSON object"),
    ({"colour": "red"}, "colour"),
    ({"blocks": {"poster": []}}, "poster"),
    ({"blocks": {"feedback": "scores"}}, "list"),
    ({"signatures": [{"zh": "x"}]}, "signatures"),
    ({"feedback_photos": -1}, "feedback_photos"),
    ({"seal": "yes"}, "seal"),
    ({"format": "other/1"}, "format"),
])
def test_layout_errors_say_what_is_wrong(doc, words):
    with pytest.raises(InvalidAnswer, match=words):
        parse_layout(doc)


def test_campaign_layout_changes_the_printed_sheet(seeded):
    from tests.conftest import insert_row

    profile = seeded.profile
    campaign = insert_row(profile, "campaigns", name="秋季专项督导", office="督导室", starts_on="2026-09-01",
                          ends_on="2026-12-31", description="")
    assignment = insert_row(profile, "assignments", campaign_id=campaign, unit_id=seeded.unit_id,
                            team_id=seeded.team_id, visit_type="routine", window_start="2026-11-01",
                            window_end="2026-11-30",
                            rubric_hashes=json.dumps([banded_rubric_hash(profile)]))
    vid, _ = banded_visit(seeded, photos=0, assignment_id=assignment)
    save_layout(profile, {"blocks": {"feedback": ["header", "scores", "signatures"]},
                          "header": {"zh": "2026年秋季专项督导", "en": "Autumn 2026"},
                          "titles": {"feedback": {"zh": "督导意见反馈表", "en": "Feedback form"}},
                          "signatures": [{"role": "witness", "zh": "陪同人员签字", "en": "Escort"}]}, campaign)
    text = squeeze(pdf_text(build_report(profile, vid).pdf))
    assert "督导意见反馈表" in text and "2026年秋季专项督导" in text and "陪同人员签字" in text
    assert "实验室危化品" not in text  # findings block left out
    assert "督导组组长" not in text

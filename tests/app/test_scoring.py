"""Hand-computed scores for every item kind and every scoring rule of docs/rubrics.md."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.errors import InvalidAnswer
from app.rubric import (
    Answer,
    Scorer,
    UnitProfile,
    check_answer,
    combine,
    combine_results,
    load_answers,
    load_profile,
    load_rubric,
    score,
)
from tests.app.rubric_factory import bands, item, label, one_item, rubric, section, veto


def score_one(kind: str, value, **fields):
    rub = load_rubric(one_item(kind, **fields))
    return score(rub, {"A1": Answer(value=value, reason="r")}).items["A1"]


# --- each item kind ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "value", "awarded", "maximum"),
    [
        ("points", {"max": 10, "step": 0.5}, 7.5, "7.5", "10"),
        ("points", {"max": 10, "min": 2}, 2, "2", "10"),
        ("points", {"max": 0.3, "step": 0.1}, 0.3, "0.3", "0.3"),  # exact: no float drift
        ("deduction", {}, {}, "10", "10"),
        ("deduction", {}, {"d3": 2, "d1": 1}, "3", "10"),  # 10 - 2*3 - 1
        ("deduction", {}, {"d3": 5}, "0", "10"),  # floored at 0, never negative
        ("passfail", {}, True, "5", "5"),
        ("passfail", {}, False, "0", "5"),
        ("passfail", {"max": 0}, True, "0", "0"),
        ("level", {}, "met", "4", "4"),
        ("level", {}, "basic", "2.5", "4"),
        ("level", {}, "unmet", "0", "4"),
        ("indicator", {}, {"numerator": 99, "denominator": 100}, "5", "5"),  # 99% >= 99
        ("indicator", {}, {"numerator": 989, "denominator": 1000}, "0", "5"),  # 98.9%
        ("indicator", {"indicator": {"numerator": label("cases"), "comparator": "==", "target": 0}},
         {"numerator": 0}, "5", "5"),  # zero-count gate
        ("indicator", {"indicator": {"numerator": label("cases"), "comparator": "==", "target": 0}},
         {"numerator": 1}, "0", "5"),
        ("count", {}, 7, "0", "0"),  # a plain count scores nothing
        ("count", {"points_each": 0.5, "max": 2}, 3, "1.5", "2"),
        ("count", {"points_each": 0.5, "max": 2}, 9, "2", "2"),  # capped at max
        ("text", {}, "all fine", "0", "0"),
    ],
)
def test_item_kinds(kind, fields, value, awarded, maximum):
    res = score_one(kind, value, **fields)
    assert (res.awarded, res.maximum, res.answered, res.na) == (D(awarded), D(maximum), True, False)


@pytest.mark.parametrize(
    ("comparator", "numerator", "met"),
    [(">=", 99, True), (">=", 98, False), (">", 99, False), (">", 100, True), ("<=", 99, True),
     ("<=", 100, False), ("<", 98, True), ("<", 99, False), ("==", 99, True), ("==", 98, False)],
)
def test_indicator_comparators(comparator, numerator, met):
    ind = {"numerator": label("n"), "denominator": label("d"), "comparator": comparator, "target": 99}
    rub = load_rubric(one_item("indicator", indicator=ind))
    res = score(rub, {"A1": Answer({"numerator": numerator, "denominator": 100})})
    assert res.indicators[0].met is met
    assert res.awarded == (D(5) if met else D(0))


def test_indicator_rate_false_is_a_plain_ratio():
    ind = {"numerator": label("n"), "denominator": label("d"), "rate": False,
           "comparator": ">=", "target": 0.9}
    rub = load_rubric(one_item("indicator", indicator=ind))
    res = score(rub, {"A1": Answer({"numerator": 9, "denominator": 10})})
    assert (res.indicators[0].value, res.indicators[0].met) == (D("0.9"), True)


def test_indicator_zero_denominator_is_not_met_and_reported():
    rub = load_rubric(one_item("indicator"))
    res = score(rub, {"A1": Answer({"numerator": 0, "denominator": 0, "reported": 100})})
    ind = res.indicators[0]
    assert (ind.value, ind.met, ind.mismatch) == (None, False, False)
    assert "denominator is 0" in ind.note
    assert res.awarded == 0


@pytest.mark.parametrize(("reported", "mismatch"), [(97.5, False), (97.6, False), (97.7, True), (None, False)])
def test_indicator_reported_mismatch(reported, mismatch):
    # computed 390/400 = 97.5%; tolerance 0.1 is inclusive: |97.6 - 97.5| = 0.1 is no mismatch.
    rub = load_rubric(one_item("indicator"))
    value = {"numerator": 390, "denominator": 400, "reported": reported}
    res = score(rub, {"A1": Answer(value)})
    assert res.indicators[0].value == D("97.5")
    assert res.indicators[0].mismatch is mismatch


# --- sections, caps, N/A, bonus ---------------------------------------------------------------


def test_section_cap_limits_award_and_maximum():
    doc = rubric(section("A", item("A1", max=10), item("A2", max=10), cap=15))
    res = score(load_rubric(doc), {"A1": Answer(10), "A2": Answer(8)})
    assert (res.sections["A"].awarded, res.sections["A"].maximum) == (D(15), D(15))
    assert (res.awarded, res.maximum) == (D(15), D(15))


def test_nested_sections_sum_and_count():
    doc = rubric(section("A", item("A0", max=2),
                         sections=[section("A.1", item("A1", max=3)), section("A.2", item("A2", max=5))]))
    res = score(load_rubric(doc), {"A1": Answer(3), "A2": Answer(1)})
    a = res.sections["A"]
    assert (a.awarded, a.maximum, a.answered_count, a.total_count) == (D(4), D(10), 2, 3)
    assert res.sections["A.2"].awarded == D(1)


def test_na_leaves_award_and_maximum_and_changes_the_percentage():
    doc = rubric(section("A", item("A1", max=10), item("A2", max=10, na_allowed=True)))
    rub = load_rubric(doc)
    answered = score(rub, {"A1": Answer(8), "A2": Answer(0, reason="none")})
    na = score(rub, {"A1": Answer(8), "A2": Answer(na=True)})
    assert (answered.maximum, answered.percentage) == (D(20), D(40))
    assert (na.maximum, na.percentage, na.nominal_maximum) == (D(10), D(80), D(20))
    assert na.items["A2"].na and na.items["A2"].maximum == 0
    assert na.gap_count == 0


def test_na_on_an_item_that_does_not_allow_it_is_refused():
    with pytest.raises(InvalidAnswer, match="A1"):
        score(load_rubric(one_item()), {"A1": Answer(na=True)})


def test_percentage_is_none_when_everything_is_na():
    rub = load_rubric(one_item(na_allowed=True))
    assert score(rub, {"A1": Answer(na=True)}).percentage is None


def test_unanswered_items_keep_their_maximum():
    doc = rubric(section("A", item("A1", max=10), item("A2", max=10)))
    res = score(load_rubric(doc), {"A1": Answer(10)})
    assert (res.awarded, res.maximum, res.percentage) == (D(10), D(20), D(50))
    assert res.sections["A"].answered_count == 1


def test_bonus_is_capped_and_stays_out_of_the_maximum():
    doc = rubric(section("A", item("A1", max=100)),
                 bonus={"cap": 10, "items": [item("B1", max=8), item("B2", max=8)]})
    res = score(load_rubric(doc), {"A1": Answer(90), "B1": Answer(8), "B2": Answer(6)})
    assert (res.bonus_raw, res.bonus, res.total_with_bonus) == (D(14), D(10), D(100))
    assert (res.maximum, res.percentage) == (D(100), D(90))


def test_civilized_unit_eight_sections_total_97():
    # The source report claims 98; the sections add up to 97, and totals are always computed.
    maxima = [15, 16, 13, 12, 9, 9, 8, 18]
    awarded = [15, 16, 13, 12, 8, 8, 8, 17]
    secs = [section(f"S{k}", item(f"S{k}.1", max=m)) for k, m in enumerate(maxima)]
    rub = load_rubric(rubric(*secs))
    res = score(rub, {f"S{k}.1": Answer(a) for k, a in enumerate(awarded)})
    assert [res.sections[f"S{k}"].awarded for k in range(8)] == [D(a) for a in awarded]
    assert (res.awarded, res.maximum) == (D(97), D(100))


# --- bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize("inclusive", [True, False])
@pytest.mark.parametrize("total", [849, 849.5, 850, 850.5, 899.5, 900, 900.5, 1000])
def test_band_boundaries(total, inclusive):
    doc = rubric(section("A", item("A1", max=1000, step=0.5)),
                 bands=bands(("met", 900, inclusive), ("basic", 850, inclusive)))
    res = score(load_rubric(doc), {"A1": Answer(total, reason="r")})
    t = D(str(total))
    if t > 900 or (t == 900 and inclusive):
        expected = "met"
    elif t > 850 or (t == 850 and inclusive):
        expected = "basic"
    else:
        expected = "low"
    assert res.band.code == expected


@pytest.mark.parametrize(("value", "band"), [(89, "low"), (90, "good"), (100, "good")])
def test_bands_on_percent_basis_ignore_na_items(value, band):
    doc = rubric(section("A", item("A1", max=100), item("A2", max=100, na_allowed=True)),
                 bands_basis="percent", bands=bands(("good", 90, True)))
    res = score(load_rubric(doc), {"A1": Answer(value, reason="r"), "A2": Answer(na=True)})
    assert (res.band_value, res.band.code) == (D(value), band)


def test_bonus_counts_towards_a_total_band():
    doc = rubric(section("A", item("A1", max=100)), bonus={"cap": 5, "items": [item("B1", max=5)]},
                 bands=bands(("top", 95, True)))
    res = score(load_rubric(doc), {"A1": Answer(92, reason="r"), "B1": Answer(3)})
    assert (res.band_value, res.band.code) == (D(95), "top")


# --- vetoes ---------------------------------------------------------------------------------


def veto_rubric(effect="fail", **condition):
    return load_rubric(rubric(
        section("A", item("A1", max=1000), item("V", "passfail", max=0),
                item("G", "indicator", indicator={"numerator": label("cases"), "comparator": "==", "target": 0})),
        bands=bands(("met", 900, True), ("basic", 850, True)),
        vetoes=[veto("X", condition.pop("item", "V"), effect, **condition)],
    ))


def test_fail_veto_overrides_a_perfect_score():
    rub = veto_rubric(equals=False)
    res = score(rub, {"A1": Answer(1000), "V": Answer(False)})
    assert (res.awarded, res.band.code, res.failed) == (D(1000), "low", True)
    assert [(v.code, v.label.en, v.effect) for v in res.vetoes] == [("X", "veto X", "fail")]
    assert score(rub, {"A1": Answer(1000), "V": Answer(True)}).band.code == "met"


def test_cap_band_veto_limits_the_band_but_not_a_lower_one():
    rub = veto_rubric({"cap_band": "basic"}, equals=False)
    high = score(rub, {"A1": Answer(1000), "V": Answer(False)})
    low = score(rub, {"A1": Answer(100, reason="r"), "V": Answer(False)})
    assert (high.band.code, high.failed) == ("basic", False)
    assert low.band.code == "low"


def test_not_met_veto_on_a_zero_count_gate():
    rub = veto_rubric(item="G", not_met=True)
    assert score(rub, {"A1": Answer(1000), "G": Answer({"numerator": 1})}).failed
    assert not score(rub, {"A1": Answer(1000), "G": Answer({"numerator": 0})}).failed


@pytest.mark.parametrize(("value", "hit"), [(499, True), (500, False), (1000, False)])
def test_award_below_veto(value, hit):
    rub = veto_rubric(item="A1", award_below=500)
    assert score(rub, {"A1": Answer(value, reason="r")}).failed is hit


def test_unanswered_trigger_items_do_not_trigger():
    rub = veto_rubric(item="A1", award_below=500)
    res = score(rub, {})
    assert (res.failed, res.vetoes) == (False, ())


# --- prorating ------------------------------------------------------------------------------


def prorate_rubric():
    return load_rubric(rubric(
        section("P", item("P1", max=100)),
        section("M", item("M1", max=100)),
        bands=bands(("met", 180, True)),
        prorate=[{"section": "M", "unit_types": ["complete_secondary"],
                  "share": {"numerator": ["middle"], "denominator": ["middle", "high"]}}],
    ))


def test_prorate_scales_the_section_and_normalises_the_total():
    rub = prorate_rubric()
    profile = UnitProfile("complete_secondary", {"middle": 300, "high": 900})
    res = score(rub, {"P1": Answer(90), "M1": Answer(80)}, profile)
    assert res.sections["M"].share == D("0.25")
    assert (res.sections["M"].awarded, res.sections["M"].maximum) == (D(20), D(25))
    assert (res.awarded, res.maximum, res.nominal_maximum) == (D(110), D(125), D(200))
    assert res.normalised_total == D(176)  # 110 / 125 * 200
    assert (res.prorated, res.band_value, res.band.code) == (True, D(176), "low")


def test_prorate_does_not_apply_to_other_unit_types():
    res = score(prorate_rubric(), {"P1": Answer(90), "M1": Answer(90)}, UnitProfile("primary", {"middle": 1}))
    assert (res.prorated, res.normalised_total, res.awarded, res.band.code) == (False, None, D(180), "met")


def test_prorate_with_a_missing_profile_number_is_a_gap_naming_it():
    # Without "middle" the share 0 / 900 used to zero section M in silence. Now M counts in full
    # (90 + 80 of 200) and the gap check names the number to record.
    profile = UnitProfile("complete_secondary", {"high": 900})
    res = score(prorate_rubric(), {"P1": Answer(90), "M1": Answer(80)}, profile)
    assert res.sections["M"].share == 1
    assert (res.awarded, res.maximum, res.normalised_total, res.band_value) == (D(170), D(200), D(170), D(170))
    assert [(g.kind, g.item) for g in res.gaps] == [("profile_missing", "M")]
    assert res.gaps[0].message == ("M: the unit profile has no middle, needed to prorate section M; "
                                   "the section counts in full until it is recorded")
    assert res.gap_count == 1 and res.notes == ()
    assert res.to_json()["gaps"] == [{"kind": "profile_missing", "item": "M", "message": res.gaps[0].message}]


def test_prorate_names_every_missing_profile_number_and_comes_before_item_gaps():
    res = score(prorate_rubric(), {"P1": Answer(90)}, UnitProfile("complete_secondary"))
    assert [(g.kind, g.item) for g in res.gaps] == [
        ("profile_missing", "M"), ("profile_missing", "M"), ("unanswered", "M1")]
    assert ["middle," in res.gaps[0].message, "high," in res.gaps[1].message] == [True, True]
    assert res.gap_count == 3 and res.sections["M"].share == 1


def test_prorate_with_profile_numbers_adding_up_to_0_is_a_gap_too():
    res = score(prorate_rubric(), {"P1": Answer(90), "M1": Answer(90)},
                UnitProfile("complete_secondary", {"middle": 0, "high": 0}))
    assert (res.sections["M"].share, res.normalised_total) == (1, D(180))
    assert [g.message for g in res.gaps] == [
        "M: the unit profile's middle + high add up to 0, so section M cannot be prorated; it counts in "
        "full until they are recorded"]


def test_the_live_scorer_keeps_profile_gaps_in_its_count():
    scorer = Scorer(prorate_rubric(), UnitProfile("complete_secondary", {"middle": 300}))
    assert scorer.result.gap_count == 3  # high, P1, M1
    res = scorer.set_answers({"P1": Answer(90), "M1": Answer(80)})
    assert res.gap_count == len(res.gaps) == 1 and res.gaps[0].kind == "profile_missing"


# --- gaps -----------------------------------------------------------------------------------


def test_gaps_list_unanswered_unjustified_and_missing_photos():
    rub = load_rubric(rubric(section(
        "A",
        item("A1"),
        item("A2", required=False),
        item("A3", "deduction"),
        item("A4", "deduction"),
        item("A5", photo_required=True),
        item("A6", reason_below_max=True),
    )))
    res = score(rub, {
        "A3": Answer({"d1": 1}),
        "A4": Answer({"d1": 1}, reason="broken lock"),
        "A5": Answer(10),
        "A6": Answer(10),
    })
    assert [(g.kind, g.item) for g in res.gaps] == [
        ("unanswered", "A1"), ("no_reason", "A3"), ("photo_missing", "A5")]
    assert res.gap_count == 3
    assert "A1" in res.gaps[0].message


def test_photo_attached_clears_the_photo_gap_even_before_the_answer():
    rub = load_rubric(one_item(photo_required=True))
    assert score(rub, {"A1": Answer(photos=1)}).items["A1"].gaps == ("unanswered",)


# --- conditional items (when) ---------------------------------------------------------------


def test_conditional_item_applies_only_when_its_condition_holds():
    rub = load_rubric(rubric(section(
        "A", item("K", "passfail", max=0), item("D1", max=10, when={"item": "K", "equals": True}))))
    off = score(rub, {"K": Answer(False), "D1": Answer(4, reason="r")})
    on = score(rub, {"K": Answer(True), "D1": Answer(4, reason="r")})
    pending = score(rub, {})
    assert (off.maximum, off.items["D1"].applicable, off.gap_count) == (D(0), False, 0)
    assert (on.awarded, on.maximum) == (D(4), D(10))
    assert [g.item for g in pending.gaps] == ["K"]


# --- answers, results, combining ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "fields", "value", "message"),
    [
        ("points", {"max": 10}, 11, "out of range"),
        ("points", {"max": 10, "step": 0.5}, 2.25, "step grid"),
        # Exact: just above the maximum is out of range, not the float 10.0 ...
        ("points", {"max": 10}, D("10.0000000000000000000001"), "out of range"),
        # ... and a difference beyond the 28 digits of the scoring context is still off the grid.
        ("points", {"max": 10, "step": 0.5}, D("9.50000000000000000000000000001"), "step grid"),
        ("points", {}, "7", "must be a number"),
        ("points", {}, True, "must be a number"),
        ("deduction", {}, {"zz": 1}, "unknown deduction code 'zz'"),
        ("deduction", {}, {"d1": 3}, "above max_count 2"),
        ("deduction", {}, {"d1": -1}, "must not be negative"),
        ("deduction", {}, [1], "is an object"),
        ("passfail", {}, 1, "true or false"),
        ("level", {}, "gold", "unknown level code 'gold'"),
        ("indicator", {}, {"numerator": 1}, "needs a denominator"),
        ("indicator", {}, {"numerator": 1, "denominator": 2, "extra": 3}, "unexpected key"),
        ("count", {"max_count": 5}, 6, "above max_count 5"),
        ("count", {}, 1.5, "whole number"),
        ("text", {}, 3, "a string"),
    ],
)
def test_check_answer_refuses_bad_values(kind, fields, value, message):
    rub = load_rubric(one_item(kind, **fields))
    with pytest.raises(InvalidAnswer, match="A1") as err:
        check_answer(rub.items["A1"], value)
    assert message in str(err.value)
    with pytest.raises(InvalidAnswer):
        score(rub, {"A1": Answer(value)})


def test_check_answer_normalises_numbers_exactly():
    rub = load_rubric(one_item(max=1, step=0.1))
    assert check_answer(rub.items["A1"], 0.3) == D("0.3")
    assert check_answer(rub.items["A1"], None) is None


def test_unknown_item_in_answers_is_refused():
    with pytest.raises(InvalidAnswer, match="ZZ"):
        score(load_rubric(one_item()), {"ZZ": Answer(1)})


def test_load_answers_full_and_short_forms():
    rub = load_rubric(rubric(section("A", item("A1"), item("A2", "deduction", na_allowed=True), item("A3"))))
    doc = {"format": "fieldmark.answers/1", "rubric": {"id": "test-rubric"},
           "answers": {"A1": 7, "A2": {"value": {"d3": 1}, "reason": "no plan", "photos": 2},
                       "A3": {"na": False}}}
    answers = load_answers(doc, rub)
    assert answers == {"A1": Answer(7), "A2": Answer({"d3": 1}, reason="no plan", photos=2), "A3": Answer()}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"A1": {"d3": 1}}, "answers.A1: unknown key"),
        ({"A1": {"value": 1, "photos": -1}}, "answers.A1.photos"),
        ({"A1": {"value": 1, "na": "yes"}}, "answers.A1.na"),
        ({"A1": 11}, "answers.A1: item A1: 11 is out of range"),
        ({"B9": 1}, "answers.B9: no item 'B9'"),
    ],
)
def test_load_answers_errors_name_the_item(answers, message):
    rub = load_rubric(one_item())
    with pytest.raises(InvalidAnswer) as err:
        load_answers({"format": "fieldmark.answers/1", "answers": answers}, rub)
    assert str(err.value) == "answers file is invalid (1 problem)"
    [problem] = err.value.problems
    assert message in problem


def test_load_answers_refuses_another_format_and_another_rubric():
    rub = load_rubric(one_item())
    with pytest.raises(InvalidAnswer) as err:
        load_answers({"answers": {}})
    assert err.value.problems == ["format: expected 'fieldmark.answers/1', got None"]
    with pytest.raises(InvalidAnswer) as err:
        load_answers({"format": "fieldmark.answers/1", "rubric": {"id": "other"}, "answers": {"A1": 11}}, rub)
    assert str(err.value) == "answers file is invalid (2 problems)"
    assert err.value.problems == ["rubric.id: these answers are for 'other', not 'test-rubric'",
                                  "answers.A1: item A1: 11 is out of range [0, 10]"]


def test_load_profile():
    prof = load_profile({"format": "fieldmark.profile/1", "unit_type": "complete_secondary",
                         "numbers": {"middle": 300, "high": 900.5}})
    assert prof == UnitProfile("complete_secondary", {"middle": D(300), "high": D("900.5")})
    with pytest.raises(InvalidAnswer) as err:
        load_profile({"format": "fieldmark.profile/1", "numbers": {"middle": -1}})
    assert err.value.problems == ["numbers.middle: must be a number >= 0, not -1"]


def test_to_json_is_stable_and_uses_decimal_strings():
    rub = load_rubric(rubric(section("A", item("A1", max=1, step=0.1)), bands=bands(("ok", 0.5, True))))
    out = score(rub, {"A1": Answer(0.3, reason="r")}).to_json()
    assert (out["awarded"], out["maximum"], out["percentage"], out["band"]["code"]) == ("0.3", "1", "30", "low")
    assert list(out)[:3] == ["rubric", "awarded", "maximum"]
    assert out["rubric"]["content_hash"] == rub.content_hash
    assert out == score(rub, {"A1": Answer(0.3, reason="r")}).to_json()


@pytest.mark.parametrize(("places", "value", "shown"), [(1, "97.25", "97.3"), (0, "97.5", "98"), (2, "1", "1.00")])
def test_display_rounds_half_up_for_display_only(places, value, shown):
    rub = load_rubric(one_item() | {"rounding": {"places": places}})
    res = score(rub, {})
    assert res.display(D(value)) == shown


def test_scorer_matches_score_and_refuses_a_bad_answer_without_changing():
    rub = load_rubric(rubric(section("A", item("A1"), item("A2"))))
    scorer = Scorer(rub)
    scorer.set_answer("A1", Answer(4, reason="r"))
    before = scorer.result
    with pytest.raises(InvalidAnswer):
        scorer.set_answer("A2", Answer(99))
    assert scorer.result is before
    assert scorer.set_answer("A2", Answer(6, reason="r")).to_json() == score(
        rub, {"A1": Answer(4, reason="r"), "A2": Answer(6, reason="r")}).to_json()
    with pytest.raises(InvalidAnswer):
        scorer.set_answers({"A1": Answer(1, reason="r"), "A2": Answer(11)})
    assert dict(scorer.answers) == {"A1": Answer(4, reason="r"), "A2": Answer(6, reason="r")}
    assert scorer.set_answer("A1", None).awarded == D(6)


@pytest.mark.parametrize(
    ("method", "expected"), [("mean", "7.5"), ("min", "5"), ("max", "10"), ("median", "7.5")])
def test_combine(method, expected):
    assert combine([D(10), D(5), D(7), D(8)], method) == D(expected)


def test_combine_results_means_eight_monthly_checks():
    doc = rubric(section("A", item("A1", max=10, step=0.5)), combine={"method": "mean", "count": 8},
                 bands=bands(("good", 8, True)))
    rub = load_rubric(doc)
    months = [10, 9, 8, 7.5, 9, 10, 6, 8.5]
    results = [score(rub, {"A1": Answer(m, reason="r")}) for m in months]
    yearly = combine_results(rub, results)
    assert (yearly.awarded, yearly.band.code, yearly.complete) == (D("8.5"), "good", True)
    assert combine_results(rub, results[:6]).complete is False


def _doc_block(heading: str) -> dict:
    """The first JSON example under ``heading`` in docs/rubrics.md."""
    import json
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "rubrics.md").read_text(encoding="utf-8")
    after = text.split(heading, 1)[1]
    return json.loads(after.split("```json", 1)[1].split("```", 1)[0])


def test_the_documented_answers_and_profile_examples_load():
    answers = load_answers(_doc_block("## The answers file"))
    assert answers["A1"] == Answer(5)
    assert answers["A3"] == Answer({"d3": 2, "d1": 1}, reason="2 份案卷缺要素")
    assert answers["D1"] == Answer(na=True)
    profile = load_profile(_doc_block("## The unit profile file"))
    assert profile.numbers["enrolment_high"] == D(900)


def test_no_band_without_a_percentage_even_under_a_cap_band_veto():
    doc = rubric(section("A", item("A1", na_allowed=True), item("K", "passfail", max=0)),
                 bands_basis="percent", bands=bands(("good", 90, True)),
                 vetoes=[veto("X", "K", {"cap_band": "low"}, equals=False)])
    res = score(load_rubric(doc), {"A1": Answer(na=True), "K": Answer(False)})
    assert (res.percentage, res.band, [v.code for v in res.vetoes]) == (None, None, ["X"])

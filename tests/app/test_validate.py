"""Rubric validation: every malformed template is refused with a message naming the place."""

from __future__ import annotations

import copy
import json
from decimal import Decimal as D

import pytest

from app.errors import RubricError
from app.rubric import load_rubric, validate_document
from app.rubric.samples import load_sample, sample_ids
from tests.app.rubric_factory import bands, item, label, one_item, rubric, section, veto


def good() -> dict:
    return rubric(
        section("A", item("A1", max=10), item("A2", "passfail"),
                sections=[section("A.1", item("A3", "level"))], cap=18),
        section("B", item("B1", "deduction"), item("B2", "indicator")),
        bonus={"cap": 5, "items": [item("X1", max=5)]},
        bands=bands(("met", 30, True), ("basic", 20, False)),
        vetoes=[veto("V1", "A2", equals=False), veto("V2", "B2", {"cap_band": "basic"}, not_met=True)],
        prorate=[{"section": "B", "unit_types": ["complete_secondary"],
                  "share": {"numerator": ["middle"], "denominator": ["middle", "high"]}}],
        combine={"method": "mean", "count": 8},
    )


def test_a_good_rubric_loads():
    rub = load_rubric(good())
    assert validate_document(good()) == []
    assert list(rub.items) == ["A1", "A2", "A3", "B1", "B2", "X1"]
    assert rub.items["A3"].maximum == D(4)
    assert rub.maximum == D(18 + 10 + 5)  # A: min(cap 18, 10 + 5 + 4); B: deduction 10 + indicator 5
    assert rub.items["B1"].reason_below_max is True and rub.items["A1"].reason_below_max is False
    assert rub.sections_by_code["A.1"].parent == "A"
    assert rub.name.text("zh") == "test" and rub.name.text("en") == "test"
    assert (rub.bonus_cap, rub.bands[1].min_inclusive, rub.vetoes[1].cap_band) == (D(5), False, "basic")


def test_identity_is_the_content_hash():
    a, b = load_rubric(good()), load_rubric(json.loads(json.dumps(good())))
    assert a.content_hash == b.content_hash and a == b
    changed = good()
    changed["version"] = "2"
    assert load_rubric(changed).content_hash != a.content_hash


def test_the_rubric_keeps_its_own_copy_of_the_document():
    doc = good()
    rub = load_rubric(doc)
    doc["sections"][0]["items"][0]["max"] = 99
    assert rub.document["sections"][0]["items"][0]["max"] == 10


@pytest.mark.parametrize("sample", sample_ids())
def test_shipped_samples_are_valid(sample):
    assert validate_document(load_sample(sample)) == []


def problems_of(doc: dict) -> list[str]:
    with pytest.raises(RubricError) as err:
        load_rubric(doc)
    assert str(err.value) == f"rubric {doc.get('id', 'document')} is invalid"
    assert err.value.problems == validate_document(doc)
    return err.value.problems


def edit(path: str, value, doc: dict | None = None) -> dict:
    """``good()`` with the value at a dotted path (``sections.0.items.1.max``) replaced."""
    doc = copy.deepcopy(doc or good())
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[int(last) if last.isdigit() else last] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        # wrong type in a field, named by its JSON path
        (edit("sections.0.items.0.max", "abc"), "sections[0].items[0].max: 'abc' is not of type 'number'"),
        (edit("sections.0.items.1.required", "yes"), "sections[0].items[1].required: 'yes' is not of type 'boolean'"),
        (edit("sections.0.name", "A"), "sections[0].name: 'A' is not of type 'object'"),
        (edit("bonus.cap", None), "bonus.cap: None is not of type 'number'"),
        # unknown item kind
        (edit("sections.1.items.0.kind", "stars"), "sections[1].items[0].kind: 'stars' is not one of"),
        # missing fields
        (edit("sections.0.items.0", {"code": "A1", "kind": "points", "text": label("t")}),
         "sections[0].items[0]: 'max' is a required property"),
        (edit("name", {"zh": "只有中文"}), "name: 'en' is a required property"),
        (edit("format", "fieldmark.rubric/2"), "format: 'fieldmark.rubric/1' was expected"),
        (edit("sections.0.items.0.maxx", 3), "sections[0].items[0]: Additional properties are not allowed ('maxx'"),
        (edit("id", "Has Spaces"), "id: 'Has Spaces' does not match"),
        (edit("sections", []), "sections: [] should be non-empty"),
        # duplicate codes, across sections, items, bonus items and vetoes
        (edit("sections.1.items.0.code", "A1"), "sections[1].items[0].code: duplicate code 'A1' (already used at sections[0].items[0])"),
        (edit("sections.1.code", "A"), "sections[1].code: duplicate code 'A' (already used at sections[0])"),
        (edit("bonus.items.0.code", "B"), "bonus.items[0].code: duplicate code 'B'"),
        (edit("vetoes.0.code", "A2"), "vetoes[0].code: duplicate code 'A2'"),
        (edit("sections.0.sections.0.items.0.levels.1.code", "met"), "sections[0].sections[0].items[0].levels[1].code: duplicate level code 'met'"),
        (edit("sections.1.items.0.deductions.1.code", "d3"), "sections[1].items[0].deductions[1].code: duplicate deduction code 'd3'"),
        (edit("bands.1.code", "met"), "bands[1].code: duplicate band code 'met'"),
        # bands: order, missing min, explicit inclusivity, catch-all last
        (edit("bands.1.min", 30), "bands[1].min: band mins must strictly decrease"),
        (edit("bands.1.min", 40), "bands[1].min: band mins must strictly decrease"),
        (edit("bands", [{"code": "a", "label": label("a"), "min_inclusive": True}, {"code": "b", "label": label("b")}]),
         "bands[0]: every band but the last needs a min"),
        (edit("bands", [{"code": "a", "label": label("a"), "min": 5}, {"code": "b", "label": label("b")}]),
         "bands[0]: min_inclusive must be stated explicitly"),
        (edit("bands.2.min", 0), "bands[2].min: the last band takes everything below"),
        # negative maxima and other impossible numbers
        (edit("sections.0.items.0.max", -1), "sections[0].items[0].max: the maximum must not be negative"),
        (edit("sections.0.cap", -5), "sections[0].cap: a section cap must not be negative"),
        (edit("bonus.cap", -1), "bonus.cap: the bonus cap must not be negative"),
        (edit("sections.0.sections.0.items.0.levels.0.points", -4), "levels[0].points: level points must not be negative"),
        (edit("sections.0.items.0.min", 11), "sections[0].items[0].min: min 11 is above max 10"),
        (edit("sections.0.items.0.step", 0), "sections[0].items[0].step: the step must be greater than 0"),
        (edit("sections.0.items.0.step", 3), "sections[0].items[0].max: max 10 is not on the step grid"),
        (edit("sections.1.items.0.deductions.0.points", 0), "deductions[0].points: a deduction must take away more than 0"),
        # references
        (edit("vetoes.0.trigger.item", "Z9"), "vetoes[0].trigger.item: unknown item 'Z9'"),
        (edit("vetoes.0.trigger.item", "B"), "vetoes[0].trigger.item: 'B' is a section, not an item"),
        (edit("vetoes.0.trigger.item", "V2"), "vetoes[0].trigger.item: 'V2' is a veto, not an item"),
        (edit("vetoes.0.trigger", {"item": "A2"}), "vetoes[0].trigger: exactly one of equals, not_met, award_below"),
        (edit("vetoes.0.trigger", {"item": "A1", "not_met": True}), "vetoes[0].trigger.not_met: not_met needs an indicator item"),
        (edit("vetoes.0.trigger", {"item": "A2", "equals": "no"}), "vetoes[0].trigger.equals: item 'A2' is pass/fail"),
        (edit("vetoes.0.trigger", {"item": "A3", "equals": "gold"}), "vetoes[0].trigger.equals: item 'A3' has no level 'gold'"),
        (edit("vetoes.1.effect", {"cap_band": "silver"}), "vetoes[1].effect.cap_band: unknown band 'silver'"),
        (edit("prorate.0.section", "Q"), "prorate[0].section: unknown section 'Q'"),
        (edit("prorate.0.share.numerator", ["teachers"]), "prorate[0].share.numerator: ['teachers'] must also appear in the denominator"),
        # structure
        (edit("sections.1", {"code": "B", "name": label("B")}), "sections[1]: section 'B' has neither items nor sub-sections"),
        (edit("sections.0.items.0.levels", []), "sections[0].items[0].levels: [] should be non-empty"),
        (edit("sections.0.items.0.deductions", [{"code": "x", "label": label("x"), "points": 1}]),
         "sections[0].items[0].deductions: field 'deductions' does not apply to a 'points' item"),
    ],
)
def test_invalid_templates_name_the_place(doc, expected):
    problems = problems_of(doc)
    assert any(expected in p for p in problems), problems


def counting(**fields) -> dict:
    """A count item C1 (1 point each, at most 3 counted, max 3) and pass/fail K after it."""
    c1 = item("C1", "count", **{"points_each": 1, "max": 3, "max_count": 3, **fields})
    return rubric(section("A", c1, item("K", "passfail")))


# good(): section A holds 10 + 5 + 4 = 19 (cap 18), B 10 + 5, the bonus 5 (cap 5), so the highest
# total with bonus is 18 + 15 + 5 = 38; bands met >= 30, basic > 20.
@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (edit("sections.0.cap", 20), "sections[0].cap: cap 20 is above the 19 points the section's items "
         "and sub-sections can give at most, so it can never bind"),
        (edit("sections.0.sections.0.cap", 4.5), "sections[0].sections[0].cap: cap 4.5 is above the 4 points"),
        (edit("bonus.cap", 6), "bonus.cap: cap 6 is above the 5 points the bonus items can give at most"),
        (edit("bands.0.min", 39), "bands[0].min: no score reaches 39: the highest possible total with bonus "
         "is 38, so band 'met' can never be given"),
        (edit("bands.0.min_inclusive", False, edit("bands.0.min", 38)), "bands[0].min: no score reaches 38"),
        (edit("bands_basis", "percent", edit("bands.0.min", 100.5)),
         "bands[0].min: no score reaches 100.5: the highest possible percentage is 100"),
        (edit("bands.1.min_inclusive", True, edit("bands.1.min", 0)),
         "bands[1].min: every score reaches 0 (scores are never below 0), so the bands after 'basic' can never be given"),
        (edit("vetoes.0.trigger", {"item": "A1", "award_below": 0}),
         "vetoes[0].trigger.award_below: no award is below 0 (awards are never below 0), so the veto can never bind"),
        (edit("vetoes.1.effect", {"cap_band": "met"}),
         "vetoes[1].effect.cap_band: 'met' is the best band: a result capped at it is never changed"),
        (edit("vetoes.0.trigger", {"item": "A1", "equals": 11}),
         "vetoes[0].trigger.equals: no answer of item 'A1' is 11 (it takes 0 to 10 in steps of 1), so this can never hold"),
        (edit("vetoes.0.trigger", {"item": "A1", "equals": 2.5}), "vetoes[0].trigger.equals: no answer of item 'A1' is 2.5"),
        (edit("sections.0.items.1.when", {"item": "C1", "equals": 4}, counting()),
         "sections[0].items[1].when.equals: no answer of item 'C1' is 4 (it takes whole numbers from 0 up to 3)"),
        (edit("sections.1.items.0.max", 0), "sections[1].items[0].max: a deduction item with max 0 has nothing to "
         "take away, so its deductions can never bind"),
        (counting(max=4), "sections[0].items[0].max: max 4 can never be reached: at most 3 × 1 = 3 points"),
        (counting(points_each=0), "sections[0].items[0].max: max 3 can never be reached: at most 3 × 0 = 0 points"),
        (edit("sections.1.items.1.indicator", {"numerator": label("n"), "comparator": ">=", "target": 0}),
         "sections[1].items[1].indicator.target: every answer meets >= 0 (an indicator value is never below 0)"),
        (edit("sections.1.items.1.indicator", {"numerator": label("n"), "comparator": ">", "target": -1}),
         "sections[1].items[1].indicator.target: every answer meets > -1"),
        (edit("prorate.0.share.numerator", ["high", "middle"]), "prorate[0].share.numerator: the numerator is the "
         "whole denominator: the share is always 1, so the rule can never bind"),
    ],
)
def test_rules_that_can_never_bind_are_refused(doc, expected):
    problems = problems_of(doc)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize(
    "doc",
    [
        edit("sections.0.cap", 19),  # a cap equal to what the section holds restates its maximum
        edit("bonus.cap", 5),
        edit("bands.0.min", 38),  # inclusive: full marks with the full bonus reach it
        edit("bands.1.min", 0),  # exclusive: a score of 0 still falls to the last band
        edit("vetoes.0.trigger", {"item": "A1", "award_below": 0.5}),
        edit("vetoes.0.trigger", {"item": "A1", "equals": 10}),
        edit("sections.0.items.1.when", {"item": "C1", "equals": 3}, counting()),
        counting(),  # 3 × 1 reaches max 3
        rubric(section("A", item("C1", "count", points_each=0.5, max=3))),  # no max_count: any count
        edit("sections.1.items.1.indicator", {"numerator": label("n"), "comparator": "==", "target": 0}),
        edit("sections.1.items.1.indicator", {"numerator": label("n"), "comparator": ">", "target": 0}),
    ],
)
def test_rules_at_their_limit_still_bind(doc):
    assert validate_document(doc) == []


def test_every_problem_is_listed_at_once():
    doc = edit("sections.0.items.0.max", "abc")
    doc = edit("sections.1.items.0.kind", "stars", doc)
    doc = edit("bands.0.min_inclusive", "yes", doc)
    problems = problems_of(doc)
    assert len(problems) == 3
    assert [p.split(":")[0] for p in problems] == [
        "bands[0].min_inclusive", "sections[0].items[0].max", "sections[1].items[0].kind"]


def test_semantic_problems_are_all_listed_too():
    doc = edit("sections.1.items.0.code", "A1")
    doc = edit("vetoes.0.trigger.item", "Z9", doc)
    doc = edit("sections.0.items.0.max", -1, doc)
    assert len(problems_of(doc)) == 3


def conditional(*whens: tuple[str, str]) -> dict:
    """Items K1..Kn as pass/fail, each with ``when`` pointing at another item."""
    codes = sorted({c for pair in whens for c in pair})
    targets = dict(whens)
    items = [item(c, "passfail", **({"when": {"item": targets[c], "equals": True}} if c in targets else {}))
             for c in codes]
    return rubric(section("A", *items))


def test_conditional_chains_are_fine():
    assert validate_document(conditional(("K1", "K2"), ("K2", "K3"))) == []


@pytest.mark.parametrize(
    ("whens", "cycle"),
    [
        ((("K1", "K2"), ("K2", "K1")), "K1 -> K2 -> K1"),
        ((("K1", "K2"), ("K2", "K3"), ("K3", "K1")), "K1 -> K2 -> K3 -> K1"),
        ((("K0", "K1"), ("K1", "K2"), ("K2", "K1")), "K1 -> K2 -> K1"),
    ],
)
def test_a_cycle_of_conditional_items_is_refused(whens, cycle):
    problems = problems_of(conditional(*whens))
    assert len(problems) == 1
    assert problems[0].endswith(f"cycle in conditional items: {cycle}")
    assert problems[0].startswith("sections[0].items[")


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({"item": "A1", "equals": True}, "sections[0].items[0].when.item: item 'A1' cannot depend on itself"),
        ({"item": "Q", "equals": True}, "sections[0].items[0].when.item: unknown item 'Q'"),
        ({"item": "A2", "equals": 3}, "sections[0].items[0].when.equals: item 'A2' is pass/fail"),
    ],
)
def test_when_references_are_checked(when, expected):
    doc = rubric(section("A", item("A1", when=when), item("A2", "passfail")))
    assert [p for p in problems_of(doc) if p.startswith(expected)] != []


def test_a_count_item_needs_both_points_each_and_max():
    problems = problems_of(one_item("count", points_each=1))
    assert problems == ["sections[0].items[0]: a count item needs both points_each and max, or neither"]


def test_not_a_dict_at_all():
    assert validate_document([]) == ["(document): [] is not of type 'object'"]

"""Property tests: random rubrics and answers keep the invariants of the scoring rules."""

from __future__ import annotations

import random
from decimal import Decimal as D
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.rubric import Answer, Scorer, UnitProfile, load_rubric, score
from app.rubric.answers import award
from app.rubric.bounds import Bounds
from tests.app.rubric_factory import bands, item, label, rubric, section

KINDS = ("points", "deduction", "passfail", "level", "indicator", "count", "text")
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def item_and_values(draw: st.DrawFn, code: str, kind: str) -> tuple[dict[str, Any], st.SearchStrategy]:
    """An item document and a strategy of valid answer values for it."""
    extra: dict[str, Any] = {"na_allowed": draw(st.booleans()), "photo_required": draw(st.booleans())}
    if kind == "points":
        step = draw(st.sampled_from([0.5, 1, 2]))
        steps = draw(st.integers(0, 8))
        doc = item(code, max=step * steps, step=step, **extra)
        values = st.integers(0, steps).map(lambda k: k * step)
    elif kind == "deduction":
        # Not max 0: a deduction item with nothing to take away is refused (its rules never bind).
        doc = item(code, "deduction", max=draw(st.sampled_from([3, 10])), **extra)
        values = st.fixed_dictionaries({}, optional={"d3": st.integers(0, 4), "d1": st.integers(0, 2)})
    elif kind == "passfail":
        doc = item(code, "passfail", max=draw(st.sampled_from([0, 2, 5])), **extra)
        values = st.booleans()
    elif kind == "level":
        doc = item(code, "level", **extra)
        values = st.sampled_from(["met", "basic", "unmet"])
    elif kind == "indicator":
        doc = item(code, "indicator", **extra)
        values = st.fixed_dictionaries(
            {"numerator": st.integers(0, 120), "denominator": st.integers(0, 120)},
            optional={"reported": st.integers(0, 100)})
    elif kind == "count":
        scored = draw(st.booleans())
        doc = item(code, "count", **({"points_each": 0.5, "max": 3} if scored else {}), **extra)
        values = st.integers(0, 10)
    else:
        doc = item(code, "text", **extra)
        values = st.text(max_size=3)
    return doc, values


@st.composite
def scenarios(draw: st.DrawFn, conditional: bool = True, vetoes: bool = True) -> tuple[Any, dict, Any]:
    """(rubric, answers, profile) drawn together so every answer fits its item."""
    strategies: dict[str, st.SearchStrategy] = {}
    kinds: dict[str, str] = {}
    counter = iter(range(10_000))

    def items(prefix: str, n: int) -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            code = f"{prefix}{next(counter)}"
            kind = draw(st.sampled_from(KINDS))
            doc, values = item_and_values(draw, code, kind)
            passfails = [c for c, k in kinds.items() if k == "passfail"]
            if conditional and passfails and draw(st.integers(0, 4)) == 0:
                doc["when"] = {"item": draw(st.sampled_from(passfails)), "equals": draw(st.booleans())}
            kinds[code], strategies[code] = kind, values
            out.append(doc)
        return out

    def sec(code: str, depth: int) -> dict[str, Any]:
        subs = [sec(f"{code}.{k}", depth + 1) for k in range(draw(st.integers(0, 2 if depth < 2 else 0)))]
        own = items(f"{code}-", draw(st.integers(0 if subs else 1, 4)))
        doc = section(code, *own, sections=subs)
        if draw(st.integers(0, 3)) == 0:
            # A cap above what the section holds can never bind and is refused: clamp it.
            doc["cap"] = min(D(draw(st.sampled_from([0, 5, 12]))), Bounds(doc).section(doc, ""))
        return doc

    top = [sec(f"S{k}", 0) for k in range(draw(st.integers(1, 3)))]
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        bonus_items = items("X", draw(st.integers(1, 3)))
        bonus_max = Bounds({}).bonus({"cap": 0, "items": bonus_items})
        fields["bonus"] = {"cap": min(D(draw(st.sampled_from([0, 2, 5]))), bonus_max), "items": bonus_items}
    # Bands a score can reach (an unreachable one is refused): 20 and 10 when the rubric allows.
    highest = sum((Bounds({}).section(s, "") for s in top), D(0)) + (fields["bonus"]["cap"] if "bonus" in fields else 0)
    top_min = min(D(20), highest)
    if top_min > 0:
        # At exactly the highest score only an inclusive bound is reached.
        inclusive = True if top_min == highest else draw(st.booleans())
        fields["bands"] = bands(("a", top_min, inclusive), ("b", top_min / 2, draw(st.booleans())))
    else:
        fields["bands"] = bands()
    if draw(st.booleans()):
        fields["prorate"] = [{"section": "S0", "unit_types": ["mixed"],
                              "share": {"numerator": ["m"], "denominator": ["m", "h"]}}]
    scorable = list(kinds)
    if vetoes and draw(st.booleans()):
        target = draw(st.sampled_from(scorable))
        fields["vetoes"] = [{"code": "V", "label": label("v"), "trigger": {"item": target, "award_below": 1},
                             "effect": draw(st.sampled_from(["fail", {"cap_band": "b"}] if top_min > 0 else ["fail"]))}]
    rub = load_rubric(rubric(*top, **fields))
    answers = {}
    for code in scorable:
        choice = draw(st.sampled_from(["value", "value", "none", "na", "photo"]))
        if choice == "value":
            answers[code] = Answer(draw(strategies[code]), reason=draw(st.sampled_from([None, "", "why"])),
                                   photos=draw(st.integers(0, 1)))
        elif choice == "na" and rub.items[code].na_allowed:
            answers[code] = Answer(na=True)
        elif choice == "photo":
            answers[code] = Answer(photos=1)
    profile = UnitProfile(draw(st.sampled_from([None, "mixed"])),
                          {"m": draw(st.integers(0, 50)), "h": draw(st.integers(0, 50))})
    return rub, answers, profile


@PROPS
@given(scenarios())
def test_totals_are_the_sums_of_their_parts(case):
    rub, answers, profile = case
    res = score(rub, answers, profile)
    assert res.awarded == sum((res.sections[s.code].awarded for s in rub.sections), D(0))
    assert res.maximum == sum((res.sections[s.code].maximum for s in rub.sections), D(0))
    for code, sec in rub.sections_by_code.items():
        got = res.sections[code]
        parts = [res.items[i.code] for i in sec.items] + [res.sections[s.code] for s in sec.sections]
        aw = sum((p.awarded for p in parts), D(0))
        mx = sum((p.maximum for p in parts), D(0))
        if sec.cap is not None:
            aw, mx = min(sec.cap, aw), min(sec.cap, mx)
        share = got.share if got.share is not None else D(1)
        assert (got.awarded, got.maximum) == (aw * share, mx * share)
    assert res.bonus_raw == sum((res.items[i.code].awarded for i in rub.bonus_items), D(0))
    assert res.total_with_bonus == res.awarded + res.bonus
    profile_gaps = sum(g.kind == "profile_missing" for g in res.gaps)
    assert res.gap_count == len(res.gaps) == sum(len(i.gaps) for i in res.items.values()) + profile_gaps


@PROPS
@given(scenarios())
def test_awards_stay_within_their_maxima(case):
    rub, answers, profile = case
    res = score(rub, answers, profile)
    for part in [*res.items.values(), *res.sections.values()]:
        assert D(0) <= part.awarded <= part.maximum
    assert D(0) <= res.awarded <= res.maximum
    if rub.bonus_cap is not None:
        assert D(0) <= res.bonus <= rub.bonus_cap
    if res.percentage is not None:
        assert D(0) <= res.percentage <= D(100)


@PROPS
@given(scenarios(conditional=False, vetoes=False), st.data())
def test_improving_one_answer_never_lowers_the_total(case, data):
    rub, answers, profile = case
    code = data.draw(st.sampled_from(list(rub.items)))
    it = rub.items[code]
    current = answers.get(code)
    if current is not None and current.na:
        return  # N/A -> answered changes the maximum too; that is not an improvement of the answer
    before = score(rub, answers, profile)
    old = D(0) if current is None or current.value is None else award(it, current.value)
    candidates = [a for a in _sample_values(rub, code, data) if award(it, a) >= old]
    for value in candidates:
        after = score(rub, {**answers, code: Answer(value, reason="r", photos=1)}, profile)
        assert after.awarded >= before.awarded
        assert after.total_with_bonus >= before.total_with_bonus


def _sample_values(rub: Any, code: str, data: st.DataObject) -> list[Any]:
    doc = next(d for d in _item_docs(rub.document) if d["code"] == code)
    _, values = item_and_values(data.draw, code, doc["kind"])
    out = []
    for _ in range(5):
        value = data.draw(values)
        try:
            award(rub.items[code], value)
        except Exception:
            continue  # drawn for another maximum than this item's: skip it
        out.append(value)
    return out


def _item_docs(doc: dict) -> list[dict]:
    out: list[dict] = []

    def walk(sec: dict) -> None:
        out.extend(sec.get("items", ()))
        for sub in sec.get("sections", ()):
            walk(sub)

    for sec in doc["sections"]:
        walk(sec)
    out.extend((doc.get("bonus") or {}).get("items", ()))
    return out


@PROPS
@given(scenarios(), st.randoms(use_true_random=False))
def test_scoring_is_deterministic(case, rnd: random.Random):
    rub, answers, profile = case
    codes = list(answers)
    rnd.shuffle(codes)
    shuffled = {c: answers[c] for c in codes}
    assert score(rub, answers, profile).to_json() == score(rub, shuffled, profile).to_json()


@PROPS
@given(scenarios(), st.data())
def test_incremental_scorer_equals_a_full_score(case, data):
    rub, answers, profile = case
    start = dict(data.draw(st.sampled_from([{}, answers])))
    scorer = Scorer(rub, profile, answers=start)
    current = dict(start)
    codes = list(rub.items)
    for _ in range(data.draw(st.integers(1, 12))):
        code = data.draw(st.sampled_from(codes))
        new = data.draw(st.sampled_from([None, answers.get(code), Answer(photos=1)]))
        res = scorer.set_answer(code, new)
        if new is None:
            current.pop(code, None)
        else:
            current[code] = new
        assert res.to_json() == score(rub, current, profile).to_json()
    # set_answers merges into the current answers, like several set_answer calls.
    merged = {**current, **answers}
    assert scorer.set_answers(answers).to_json() == score(rub, merged, profile).to_json()

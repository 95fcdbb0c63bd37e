"""The scoring engine: a pure function from (rubric, answers, unit profile) to a ScoreResult.

One engine serves both ``score()`` and the live ``Scorer``: the rubric is compiled once into a
flat plan (item -> section path, section -> children, conditional dependents), per-item states
are immutable tuples, and a result only copies the list of states and builds the per-item
objects when someone asks for them. That keeps a full score of 1,000 items and a one-answer
re-score inside the live-typing budget in pure Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from functools import cached_property
from operator import itemgetter
from types import MappingProxyType
from typing import Any

from app.errors import InvalidAnswer
from app.rubric.answers import SCORERS
from app.rubric.model import (
    ANSWERED,
    INAPPLICABLE,
    NA,
    UNANSWERED,
    ZERO,
    Answer,
    Band,
    IndicatorResult,
    Item,
    Label,
    Plan,
    Rubric,
    UnitProfile,
    VetoHit,
    band_for,
    matches,
    plan_of,
)

_ONE = Decimal(1)
_HUNDRED = Decimal(100)

# One item's state: (award, maximum, status, gap kinds, indicator result, normalised value).
_State = tuple[Decimal, Decimal, str, tuple[str, ...], IndicatorResult | None, Any]

_GAP_TEXT = {
    "unanswered": "no answer yet",
    "no_reason": "awarded below the maximum without a reason",
    "photo_missing": "a photo is required",
}


@dataclass(frozen=True)
class ItemResult:
    code: str
    awarded: Decimal
    maximum: Decimal
    answered: bool
    na: bool
    gaps: tuple[str, ...] = ()
    # False when the item's ``when`` condition is not met (it then counts as N/A).
    applicable: bool = True


@dataclass(frozen=True)
class SectionResult:
    code: str
    awarded: Decimal
    maximum: Decimal
    # Items in the section and its sub-sections that need no more input (answered or N/A).
    answered_count: int
    total_count: int
    # The prorate share applied to this section, or None when it is not prorated.
    share: Decimal | None = None


@dataclass(frozen=True)
class Gap:
    kind: str  # "unanswered" | "no_reason" | "photo_missing"
    item: str
    message: str


@dataclass(frozen=True)
class ScoreResult:
    """The score of one set of answers. Totals are always computed, never typed.

    ``awarded``/``maximum`` are the base (without bonus); N/A items are out of ``maximum``;
    ``nominal_maximum`` is the rubric's full base maximum. ``band_value`` is what the bands
    compared: the total with bonus (normalised when prorated) or the percentage.
    """

    rubric: Rubric = field(repr=False, compare=False)
    awarded: Decimal
    maximum: Decimal
    nominal_maximum: Decimal
    bonus: Decimal
    bonus_raw: Decimal
    total_with_bonus: Decimal
    percentage: Decimal | None
    prorated: bool
    normalised_total: Decimal | None
    band_value: Decimal | None
    band: Band | None
    vetoes: tuple[VetoHit, ...]
    failed: bool
    gap_count: int
    notes: tuple[str, ...]
    _states: tuple[_State, ...] = field(repr=False)
    _sections: tuple[tuple[Decimal, Decimal, int, Decimal | None], ...] = field(repr=False)

    @cached_property
    def items(self) -> Mapping[str, ItemResult]:
        plan = plan_of(self.rubric)
        return {
            code: ItemResult(code, s[0], s[1], s[2] == ANSWERED, s[2] in (NA, INAPPLICABLE), s[3],
                             s[2] != INAPPLICABLE)
            for code, s in zip(plan.codes, self._states, strict=True)
        }

    @cached_property
    def sections(self) -> Mapping[str, SectionResult]:
        plan = plan_of(self.rubric)
        return {
            sec.code: SectionResult(sec.code, aw, mx, done, plan.sec_total[k], share)
            for k, (sec, (aw, mx, done, share)) in enumerate(zip(plan.sections, self._sections, strict=True))
        }

    @cached_property
    def gaps(self) -> tuple[Gap, ...]:
        plan = plan_of(self.rubric)
        return tuple(
            Gap(kind, code, f"{code}: {_GAP_TEXT[kind]}")
            for code, s in zip(plan.codes, self._states, strict=True)
            for kind in s[3]
        )

    @cached_property
    def indicators(self) -> tuple[IndicatorResult, ...]:
        return tuple(s[4] for s in self._states if s[4] is not None)

    def display(self, value: Decimal | None) -> str:
        """``value`` rounded (half up) to the rubric's places, for display only."""
        if value is None:
            return "—"
        quantum = Decimal(1).scaleb(-self.rubric.rounding_places)
        return format(value.quantize(quantum, rounding=ROUND_HALF_UP), "f")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: Decimals as exact strings, keys in a fixed order."""
        rub = self.rubric
        return {
            "rubric": {"id": rub.id, "version": rub.version, "content_hash": rub.content_hash},
            "awarded": _s(self.awarded),
            "maximum": _s(self.maximum),
            "nominal_maximum": _s(self.nominal_maximum),
            "percentage": _s(self.percentage),
            "bonus": _s(self.bonus),
            "bonus_raw": _s(self.bonus_raw),
            "total_with_bonus": _s(self.total_with_bonus),
            "prorated": self.prorated,
            "normalised_total": _s(self.normalised_total),
            "band_value": _s(self.band_value),
            "band": None if self.band is None else {"code": self.band.code, "label": _label(self.band.label)},
            "failed": self.failed,
            "vetoes": [
                {"code": v.code, "label": _label(v.label), "item": v.item, "effect": v.effect,
                 "cap_band": v.cap_band}
                for v in self.vetoes
            ],
            "sections": [
                {"code": s.code, "awarded": _s(s.awarded), "maximum": _s(s.maximum),
                 "answered_count": s.answered_count, "total_count": s.total_count,
                 "share": _s(s.share)}
                for s in self.sections.values()
            ],
            "items": [
                {"code": i.code, "awarded": _s(i.awarded), "maximum": _s(i.maximum),
                 "answered": i.answered, "na": i.na, "applicable": i.applicable, "gaps": list(i.gaps)}
                for i in self.items.values()
            ],
            "indicators": [
                {"code": r.code, "value": _s(r.value), "met": r.met, "reported": _s(r.reported),
                 "mismatch": r.mismatch, "note": r.note}
                for r in self.indicators
            ],
            "gaps": [{"kind": g.kind, "item": g.item, "message": g.message} for g in self.gaps],
            "gap_count": self.gap_count,
            "notes": list(self.notes),
        }


def _s(value: Decimal | None) -> str | None:
    # Normalised so equal numbers print alike ("30", not "30.0" from 0.3 * 100): the server
    # compares re-scored JSON with the laptop's.
    return None if value is None else format(value.normalize(), "f")


def _label(label: Label) -> dict[str, str]:
    return {"zh": label.zh, "en": label.en}


# --- the engine -----------------------------------------------------------------------------

# A fixed context: results must be identical on every laptop and on the server whatever the
# caller did to the thread's decimal context. Only figures that involve a division (shares and
# what they scale, rates, percentages, means) can round; sums of template numbers stay exact.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)


def _getter(indexes: list[int]) -> Callable[[list[_State]], tuple[_State, ...]]:
    if len(indexes) == 1:
        i = indexes[0]
        return lambda states: (states[i],)
    if not indexes:
        return lambda states: ()
    return itemgetter(*indexes)  # type: ignore[return-value]


def _compiled(plan: Plan) -> tuple[list[Any], list[tuple[str, ...]], list[Any], list[tuple[Any, ...]]]:
    """Per-item scorers and blank gaps, per-section state getters and the full-score loop's rows,
    all cached on the plan."""
    cached = plan.__dict__.get("_compiled")
    if cached is None:
        scorers = [SCORERS[it.kind] for it in plan.items]
        # What an item with no usable answer reports as gaps; photo_missing always comes last.
        blank = [
            (("unanswered",) if it.required else ()) + (("photo_missing",) if it.photo_required else ())
            for it in plan.items
        ]
        # One row per item in evaluation order, so the hot loop reads locals, not attributes.
        rows = [
            (i, it.code, it, scorers[i], it.maximum, it.reason_below_max, it.photo_required,
             plan.when[i] is not None)
            for i in plan.order
            for it in (plan.items[i],)
        ]
        cached = (scorers, blank, [_getter(idx) for idx in plan.sec_items], rows)
        plan.__dict__["_compiled"] = cached
    return cached


class _Engine:
    def __init__(self, rubric: Rubric, profile: UnitProfile | None) -> None:
        plan = self.plan = plan_of(rubric)
        self.shares, self.prorated, self.notes = plan.shares(profile or UnitProfile())
        self.answers: dict[str, Answer] = {}
        n, m = len(plan.items), len(plan.sections)
        self.states: list[_State] = [(ZERO, ZERO, UNANSWERED, (), None, None)] * n
        self.sec_aw = [ZERO] * m
        self.sec_mx = [ZERO] * m
        self.sec_mx0 = [ZERO] * m
        self.sec_done = [0] * m
        self.bonus_raw = ZERO
        self.gap_count = 0
        self.items = plan.items
        self.when = plan.when
        self.sec_children = plan.sec_children
        self.sec_cap = plan.sec_cap
        self.scorers, self.blank_gaps, self.get_items, self.rows = _compiled(plan)

    def evaluate(self, i: int) -> _State:
        item = self.items[i]
        return self._evaluate_other(i, item, self.answers.get(item.code))

    def _evaluate_other(self, i: int, item: Item, ans: Answer | None) -> _State:
        ctl = self.when[i]
        applicable = True
        if ctl is not None:
            cs = self.states[ctl]
            assert item.when is not None
            applicable = cs[2] == ANSWERED and matches(cs[5], item.when.equals)
        if ans is None:
            return (ZERO, ZERO, INAPPLICABLE, (), None, None) if not applicable else (
                ZERO, item.maximum, UNANSWERED, self.blank_gaps[i], None, None)
        if ans.na and not item.na_allowed:
            raise InvalidAnswer(f"item {item.code}: cannot be marked N/A")
        if ans.value is not None:
            # Scored even when N/A or switched off, so a bad value is refused when it is entered.
            value, aw, ind = self.scorers[i](item, ans.value)
        if not applicable:
            return (ZERO, ZERO, INAPPLICABLE, (), None, None)
        if ans.na:
            return (ZERO, ZERO, NA, (), None, None)
        if ans.value is None:
            gaps = self.blank_gaps[i]
            if ans.photos and item.photo_required:
                gaps = gaps[:-1]  # photo_missing is always last in blank_gaps
            return (ZERO, item.maximum, UNANSWERED, gaps, None, None)
        gaps = ()
        if item.reason_below_max and aw < item.maximum and not (ans.reason and ans.reason.strip()):
            gaps = ("no_reason",)
        if item.photo_required and not ans.photos:
            gaps += ("photo_missing",)
        return (aw, item.maximum, ANSWERED, gaps, ind, value)

    def section(self, k: int) -> None:
        # Sums in C (sum over a list) rather than a bytecode loop: this runs for every section on
        # a full score. Full and incremental scoring share it, so both add in the same order.
        states = self.get_items[k](self.states)
        aw = sum([s[0] for s in states], ZERO)
        mx = sum([s[1] for s in states], ZERO)
        done = len(states) - [s[2] for s in states].count(UNANSWERED)
        mx0 = mx
        for c in self.sec_children[k]:
            aw += self.sec_aw[c]
            mx += self.sec_mx[c]
            mx0 += self.sec_mx0[c]
            done += self.sec_done[c]
        cap = self.sec_cap[k]
        if cap is not None:
            aw, mx, mx0 = min(cap, aw), min(cap, mx), min(cap, mx0)
        share = self.shares[k]
        if share is not None:
            aw, mx = aw * share, mx * share
        self.sec_aw[k], self.sec_mx[k], self.sec_mx0[k], self.sec_done[k] = aw, mx, mx0, done

    def full(self, answers: Mapping[str, Answer]) -> None:
        plan = self.plan
        if not plan.index.keys() >= answers.keys():
            unknown = sorted(set(answers) - set(plan.index))
            raise InvalidAnswer(f"no item {unknown[0]!r} in rubric {plan.rubric.id!r}")
        self.answers = dict(answers)
        states = self.states = list(self.states)
        # The common case of evaluate() inlined (answered, unconditional item): this loop is most
        # of a full score. The hypothesis tests check it against the general path via Scorer.
        get = self.answers.get
        gap_count = 0
        for i, code, item, scorer, mx, why, photo, conditional in self.rows:
            ans = get(code)
            if ans is not None and not conditional and ans.value is not None and not ans.na:
                value, aw, ind = scorer(item, ans.value)
                gaps: tuple[str, ...] = ()
                if why and aw < mx and not (ans.reason and ans.reason.strip()):
                    gaps = ("no_reason",)
                if photo and not ans.photos:
                    gaps += ("photo_missing",)
                states[i] = (aw, mx, ANSWERED, gaps, ind, value)
            else:
                states[i] = state = self._evaluate_other(i, item, ans)
                gaps = state[3]
            if gaps:
                gap_count += len(gaps)
        self.gap_count = gap_count
        for k in plan.bottom_up:
            self.section(k)
        self.bonus_raw = sum((states[b][0] for b in plan.bonus), ZERO)

    def set(self, code: str, answer: Answer | None) -> None:
        plan = self.plan
        i = plan.index.get(code)
        if i is None:
            raise InvalidAnswer(f"no item {code!r} in rubric {plan.rubric.id!r}")
        old = self.answers.get(code)
        if answer is None:
            self.answers.pop(code, None)
        else:
            self.answers[code] = answer
        try:
            first = self.evaluate(i)
        except InvalidAnswer:
            if old is None:
                self.answers.pop(code, None)
            else:
                self.answers[code] = old
            raise
        states = self.states
        dirty: set[int] = set()
        bonus = False
        for j in (i, *plan.dependents[i]):
            new = first if j == i else self.evaluate(j)
            self.gap_count += len(new[3]) - len(states[j][3])
            states[j] = new
            dirty.update(plan.item_path[j])
            bonus = bonus or plan.items[j].bonus
        # Sub-sections are numbered after their parents, so descending order is bottom-up.
        for k in sorted(dirty, reverse=True):
            self.section(k)
        if bonus:
            self.bonus_raw = sum((states[b][0] for b in plan.bonus), ZERO)

    def result(self) -> ScoreResult:
        plan = self.plan
        rubric = plan.rubric
        awarded = sum((self.sec_aw[k] for k in plan.top), ZERO)
        maximum = sum((self.sec_mx[k] for k in plan.top), ZERO)
        cap = rubric.bonus_cap
        bonus = self.bonus_raw if cap is None else min(cap, self.bonus_raw)
        percentage = awarded * _HUNDRED / maximum if maximum else None
        normalised = None
        if self.prorated and maximum:
            unshared = sum((self.sec_mx0[k] for k in plan.top), ZERO)
            normalised = awarded * unshared / maximum
        if rubric.bands_basis == "percent":
            band_value = percentage
        else:
            band_value = (awarded if normalised is None else normalised) + bonus
        vetoes = tuple(self._vetoes())
        band, failed = self._band(band_value, vetoes)
        return ScoreResult(
            rubric=rubric,
            awarded=awarded,
            maximum=maximum,
            nominal_maximum=plan.nominal_max,
            bonus=bonus,
            bonus_raw=self.bonus_raw,
            total_with_bonus=awarded + bonus,
            percentage=percentage,
            prorated=self.prorated,
            normalised_total=normalised,
            band_value=band_value,
            band=band,
            vetoes=vetoes,
            failed=failed,
            gap_count=self.gap_count,
            notes=tuple(self.notes),
            _states=tuple(self.states),
            _sections=tuple(zip(self.sec_aw, self.sec_mx, self.sec_done, self.shares, strict=True)),
        )

    def _vetoes(self) -> list[VetoHit]:
        hits = []
        for veto, i in zip(self.plan.rubric.vetoes, self.plan.veto_items, strict=True):
            aw, _, status, _, ind, value = self.states[i]
            if status != ANSWERED:
                continue  # unanswered, N/A and switched-off items never trigger a veto
            if veto.condition == "equals":
                hit = matches(value, veto.operand)
            elif veto.condition == "not_met":
                hit = ind is not None and not ind.met
            else:
                hit = aw < veto.operand
            if hit:
                hits.append(VetoHit(veto.code, veto.label, veto.item, veto.effect, veto.cap_band))
        return hits

    def _band(self, value: Decimal | None, vetoes: tuple[VetoHit, ...]) -> tuple[Band | None, bool]:
        return band_for(self.plan.rubric, value, vetoes)


def score(
    rubric: Rubric, answers: Mapping[str, Answer], profile: UnitProfile | None = None
) -> ScoreResult:
    """Score ``answers`` (item code -> Answer) on ``rubric``; raise InvalidAnswer on a bad value."""
    with localcontext(_CTX):
        engine = _Engine(rubric, profile)
        engine.full(answers)
        return engine.result()


class Scorer:
    """Live re-scoring: each change re-evaluates one item (and its dependents) and one section path.

    ``set_answer`` returns the same result ``score()`` would for the current answers.
    """

    def __init__(
        self,
        rubric: Rubric,
        profile: UnitProfile | None = None,
        answers: Mapping[str, Answer] | None = None,
    ) -> None:
        with localcontext(_CTX):
            self._engine = _Engine(rubric, profile)
            self._engine.full(answers or {})
            self._result = self._engine.result()

    @property
    def result(self) -> ScoreResult:
        return self._result

    @property
    def answers(self) -> Mapping[str, Answer]:
        return MappingProxyType(self._engine.answers)

    def set_answer(self, code: str, answer: Answer | None) -> ScoreResult:
        """Set (or with None, clear) one answer; an invalid one raises and changes nothing."""
        with localcontext(_CTX):
            self._engine.set(code, answer)
            self._result = self._engine.result()
        return self._result

    def set_answers(self, answers: Mapping[str, Answer | None]) -> ScoreResult:
        """Set several answers at once; if one is invalid none of them is applied."""
        before = dict(self._engine.answers)
        with localcontext(_CTX):
            try:
                for code, answer in answers.items():
                    self._engine.set(code, answer)
            except InvalidAnswer:
                self._engine.full(before)
                raise
            self._result = self._engine.result()
        return self._result

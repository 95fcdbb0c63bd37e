"""The scoring engine: a pure function from (rubric, answers, unit profile) to a ScoreResult.

One engine serves both ``score()`` and the live ``Scorer``: the rubric is compiled once into a
flat plan (item -> section path, section -> children, conditional dependents), per-item states
are immutable tuples, and a result only copies the list of states and builds the per-item
objects when someone asks for them. That keeps a full score of 1,000 items and a one-answer
re-score inside the live-typing budget in pure Python.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
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
    Item,
    Plan,
    Rubric,
    UnitProfile,
    VetoHit,
    band_for,
    matches,
    plan_of,
)
from app.rubric.result import Gap, ItemResult, ScoreResult, SectionResult, _State

# Gap, ItemResult and SectionResult are part of this module's API since before the split.
__all__ = ["Gap", "ItemResult", "ScoreResult", "Scorer", "SectionResult", "VetoHit", "score"]

_HUNDRED = Decimal(100)

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
        self.shares, self.prorated, self.profile_gaps = plan.shares(profile or UnitProfile())
        self.notes: list[str] = []
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
            gap_count=self.gap_count + len(self.profile_gaps),
            notes=tuple(self.notes),
            _states=tuple(self.states),
            _profile_gaps=tuple(self.profile_gaps),
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

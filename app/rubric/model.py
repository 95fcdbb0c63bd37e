"""The rubric model: frozen values of a validated rubric, answers and unit profiles, and the flat
plan (``plan_of``) that scoring walks.

Everything numeric is a ``Decimal`` made from the JSON text of the number (``Decimal(str(x))``),
so a rubric that says 0.1 means exactly one tenth and no float rounding enters a score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

KINDS = ("points", "deduction", "passfail", "level", "indicator", "count", "text")
EVIDENCE = ("documents", "site", "interview", "questionnaire", "spot_check")
COMPARATORS = (">=", ">", "<=", "<", "==")
COMBINE_METHODS = ("mean", "min", "max", "median")
ZERO = Decimal(0)
ONE = Decimal(1)
# Subtraction and remainder that never round, for the step-grid test: in the scoring context's
# 28 digits, 9.50000000000000000000000000001 - 0 rounds to 9.5 and would pass as on a 0.5 grid.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
# Item status: answered, unanswered, marked N/A, or switched off by its ``when`` condition.
ANSWERED, UNANSWERED, NA, INAPPLICABLE = "answered", "unanswered", "na", "inapplicable"

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def to_decimal(value: Any) -> Decimal:
    """Exact Decimal of a JSON number; ``str`` first so 0.1 stays one tenth, not a binary float."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(str(value))


@dataclass(frozen=True)
class Label:
    """A bilingual label; Chinese is the source text, English its translation."""

    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.zh if lang.lower().startswith("zh") else self.en

    @classmethod
    def of(cls, doc: Mapping[str, str] | None) -> Label | None:
        return None if doc is None else cls(zh=doc["zh"], en=doc["en"])


@dataclass(frozen=True)
class Level:
    code: str
    label: Label
    points: Decimal


@dataclass(frozen=True)
class Deduction:
    code: str
    label: Label
    points: Decimal
    max_count: int | None = None


@dataclass(frozen=True)
class IndicatorSpec:
    numerator: Label
    denominator: Label | None
    comparator: str
    target: Decimal
    rate: bool = True
    tolerance: Decimal = Decimal("0.1")


class IndicatorResult(NamedTuple):
    """An indicator answer checked against its target (a NamedTuple: one is built per answer).

    ``value`` is None when it cannot be computed (denominator 0); such an indicator is not met.
    """

    code: str
    value: Decimal | None
    met: bool
    reported: Decimal | None = None
    mismatch: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Condition:
    """``when`` of a conditional item: it applies only when ``item`` was answered ``equals``."""

    item: str
    equals: Any


@dataclass(frozen=True)
class Item:
    code: str
    kind: str
    text: Label
    maximum: Decimal
    guidance: Label | None = None
    required: bool = True
    na_allowed: bool = False
    photo_required: bool = False
    evidence: tuple[str, ...] = ()
    reason_below_max: bool = False
    min: Decimal = ZERO
    max: Decimal | None = None
    step: Decimal = Decimal(1)
    deductions: tuple[Deduction, ...] = ()
    levels: tuple[Level, ...] = ()
    indicator: IndicatorSpec | None = None
    points_each: Decimal | None = None
    max_count: int | None = None
    when: Condition | None = None
    # Code of the enclosing section; None for bonus items.
    section: str | None = None
    bonus: bool = False


@dataclass(frozen=True)
class Section:
    code: str
    name: Label
    cap: Decimal | None
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    parent: str | None = None


@dataclass(frozen=True)
class Band:
    code: str
    label: Label
    min: Decimal | None = None
    min_inclusive: bool = True

    def admits(self, value: Decimal) -> bool:
        if self.min is None:
            return True
        return value >= self.min if self.min_inclusive else value > self.min


@dataclass(frozen=True)
class Veto:
    code: str
    label: Label
    item: str
    condition: str  # "equals" | "not_met" | "award_below"
    operand: Any
    effect: str  # "fail" | "cap_band"
    cap_band: str | None = None


@dataclass(frozen=True)
class Prorate:
    section: str
    unit_types: tuple[str, ...]
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]


@dataclass(frozen=True)
class CombineSpec:
    method: str
    count: int | None = None


class ProfileGap(NamedTuple):
    """A profile number a prorate rule needs and the unit profile lacks (or that adds up to 0)."""

    section: str
    number: str
    message: str


@dataclass(frozen=True)
class VetoHit:
    code: str
    label: Label
    item: str
    effect: str  # "fail" | "cap_band"
    cap_band: str | None = None


@dataclass(frozen=True, eq=False)
class Rubric:
    """A loaded, validated rubric. Two rubrics are equal when their content hashes are."""

    id: str
    version: str
    name: Label
    content_hash: str
    document: Mapping[str, Any]
    sections: tuple[Section, ...]
    # Every scorable item, base and bonus, in document order (base first).
    items: Mapping[str, Item]
    sections_by_code: Mapping[str, Section]
    bonus_items: tuple[Item, ...]
    bonus_cap: Decimal | None
    rounding_places: int
    bands_basis: str
    bands: tuple[Band, ...]
    vetoes: tuple[Veto, ...]
    prorate: tuple[Prorate, ...]
    combine: CombineSpec | None
    description: Label | None = None
    source: str | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rubric) and other.content_hash == self.content_hash

    def __hash__(self) -> int:
        return hash(self.content_hash)

    def band(self, code: str) -> Band:
        return next(b for b in self.bands if b.code == code)

    @property
    def maximum(self) -> Decimal:
        """The nominal base maximum: every item applicable, no N/A, no prorating, no bonus."""
        return plan_of(self).nominal_max


@dataclass(frozen=True)
class Answer:
    """One item's answer. ``value`` None and ``na`` False means unanswered."""

    value: Any = None
    na: bool = False
    reason: str | None = None
    photos: int = 0

    @property
    def answered(self) -> bool:
        return self.na or self.value is not None


def _frozen_numbers(numbers: Mapping[str, Any]) -> Mapping[str, Decimal]:
    return MappingProxyType({k: to_decimal(v) for k, v in numbers.items()})


@dataclass(frozen=True)
class UnitProfile:
    """The inspected unit's type and profile numbers (enrolment by section, staff, …)."""

    unit_type: str | None = None
    numbers: Mapping[str, Decimal] = field(default_factory=lambda: _EMPTY)

    def __post_init__(self) -> None:
        # Freeze whatever mapping the caller passed so the profile cannot change under a Scorer.
        object.__setattr__(self, "numbers", _frozen_numbers(self.numbers))

    def __hash__(self) -> int:
        return hash((self.unit_type, tuple(sorted(self.numbers.items()))))


# --- the compiled plan that scoring walks ----------------------------------------------------------------------


class Plan:
    """Flat arrays derived once per rubric; read-only after construction."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.items: list[Item] = list(rubric.items.values())
        self.codes: list[str] = [it.code for it in self.items]
        self.index = {c: k for k, c in enumerate(self.codes)}
        self.sections: list[Section] = []
        self.sec_parent: list[int] = []
        self.sec_items: list[list[int]] = []
        self.sec_children: list[list[int]] = []
        self.sec_cap: list[Decimal | None] = []
        self.sec_index: dict[str, int] = {}
        for sec in rubric.sections:
            self._add_section(sec, -1)
        self.top = [k for k, p in enumerate(self.sec_parent) if p < 0]
        # Children are appended after their parent, so reverse order is bottom-up.
        self.bottom_up = list(range(len(self.sections)))[::-1]
        self.item_path: list[tuple[int, ...]] = []
        for it in self.items:
            path: list[int] = []
            k = self.sec_index[it.section] if it.section is not None else -1
            while k >= 0:
                path.append(k)
                k = self.sec_parent[k]
            self.item_path.append(tuple(path))
        self.sec_total = [0] * len(self.sections)
        for item_path in self.item_path:
            for k in item_path:
                self.sec_total[k] += 1
        self.bonus = [self.index[it.code] for it in rubric.bonus_items]
        self.when = [None if it.when is None else self.index[it.when.item] for it in self.items]
        self.order = self._topological()
        self.dependents = self._dependents()
        self.nominal_max = sum((self._nominal(k) for k in self.top), ZERO)
        self.veto_items = [self.index[v.item] for v in rubric.vetoes]
        self.band_index = {b.code: k for k, b in enumerate(rubric.bands)}

    def shares(self, profile: UnitProfile) -> tuple[list[Decimal | None], bool, list[ProfileGap]]:
        """Per-section prorate shares for ``profile`` (None: not prorated), whether any rule
        matched, and the profile numbers a matching rule needs but cannot use.

        A share that cannot be computed (a number missing, or numbers adding up to 0) is 1: the
        section counts in full, which is the neutral choice (a missing enrolment figure must not
        zero a section), and the returned gap says so, naming the number, so it is never silent.
        """
        shares: list[Decimal | None] = [None] * len(self.sections)
        gaps: list[ProfileGap] = []
        prorated = False
        for rule in self.rubric.prorate:
            if profile.unit_type is None or profile.unit_type not in rule.unit_types:
                continue
            prorated = True
            # Validation keeps the numerator inside the denominator, so this covers both.
            missing = [n for n in dict.fromkeys(rule.denominator) if n not in profile.numbers]
            den = sum((profile.numbers.get(n, ZERO) for n in rule.denominator), ZERO)
            share = ONE
            for name in missing:
                gaps.append(ProfileGap(rule.section, name, f"{rule.section}: the unit profile has no "
                                       f"{name}, needed to prorate section {rule.section}; the section "
                                       "counts in full until it is recorded"))
            if not missing and den == 0:
                names = " + ".join(dict.fromkeys(rule.denominator))
                gaps.append(ProfileGap(rule.section, names, f"{rule.section}: the unit profile's {names} "
                                       f"add up to 0, so section {rule.section} cannot be prorated; it "
                                       "counts in full until they are recorded"))
            elif not missing:
                num = sum((profile.numbers[n] for n in rule.numerator), ZERO)
                share = min(ONE, max(ZERO, num / den))
            shares[self.sec_index[rule.section]] = share
        return shares, prorated, gaps

    def _add_section(self, sec: Section, parent: int) -> None:
        k = len(self.sections)
        self.sections.append(sec)
        self.sec_parent.append(parent)
        self.sec_items.append([self.index[it.code] for it in sec.items])
        self.sec_children.append([])
        self.sec_cap.append(sec.cap)
        self.sec_index[sec.code] = k
        if parent >= 0:
            self.sec_children[parent].append(k)
        for sub in sec.sections:
            self._add_section(sub, k)

    def _nominal(self, k: int) -> Decimal:
        raw = sum((self.items[i].maximum for i in self.sec_items[k]), ZERO)
        raw += sum((self._nominal(c) for c in self.sec_children[k]), ZERO)
        cap = self.sec_cap[k]
        return raw if cap is None else min(cap, raw)

    def _topological(self) -> list[int]:
        """Items in document order, except that a controlling item comes before its dependents."""
        done: set[int] = set()
        order: list[int] = []

        def visit(i: int) -> None:
            if i in done:
                return
            done.add(i)  # validation rejected cycles, so marking before recursing is safe
            ctl = self.when[i]
            if ctl is not None:
                visit(ctl)
            order.append(i)

        for i in range(len(self.items)):
            visit(i)
        return order

    def _dependents(self) -> list[tuple[int, ...]]:
        """For each item, the items whose applicability follows from it, in evaluation order."""
        direct: list[list[int]] = [[] for _ in self.items]
        for i, ctl in enumerate(self.when):
            if ctl is not None:
                direct[ctl].append(i)
        pos = {i: p for p, i in enumerate(self.order)}
        out: list[tuple[int, ...]] = []
        for i in range(len(self.items)):
            seen: set[int] = set()
            stack = list(direct[i])
            while stack:
                j = stack.pop()
                if j not in seen:
                    seen.add(j)
                    stack.extend(direct[j])
            out.append(tuple(sorted(seen, key=pos.__getitem__)))
        return out


def plan_of(rubric: Rubric) -> Plan:
    plan = rubric.__dict__.get("_plan")
    if plan is None:
        plan = Plan(rubric)
        # The rubric is frozen but the plan is a pure cache of it, so attaching it is safe.
        object.__setattr__(rubric, "_plan", plan)
    return plan


def matches(value: Any, operand: Any) -> bool:
    """Whether a normalised answer value equals a rubric operand (veto ``equals``, ``when``)."""
    if isinstance(operand, bool) or isinstance(value, bool):
        return value is operand
    if isinstance(operand, (int, float, Decimal)):
        return isinstance(value, Decimal) and value == to_decimal(operand)
    return value == operand


def band_for(rubric: Rubric, value: Decimal | None, vetoes: tuple[VetoHit, ...]) -> tuple[Band | None, bool]:
    """The band ``value`` reaches after veto effects, and whether a ``fail`` veto was hit."""
    bands = rubric.bands
    failed = any(v.effect == "fail" for v in vetoes)
    if not bands:
        return None, failed
    if failed:
        return bands[-1], True
    k = None if value is None else next(k for k, b in enumerate(bands) if b.admits(value))
    index = plan_of(rubric).band_index
    for v in vetoes:
        if v.cap_band is not None and k is not None:
            # "No better than": a better band has a lower index.
            k = max(k, index[v.cap_band])
    return (None if k is None else bands[k]), False

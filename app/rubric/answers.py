"""Answers: checking a value against its item, the award it earns, and the answers/profile files.

``check_answer`` and ``award`` share one code path per kind, so a value the editor accepts is
exactly a value the scorer can score, and the scorer never meets a value it has to guess about.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from app.errors import InvalidAnswer
from app.rubric.model import (
    EXACT,
    ZERO,
    Answer,
    IndicatorResult,
    Item,
    Rubric,
    UnitProfile,
    to_decimal,
)

ANSWERS_FORMAT = "fieldmark.answers/1"
PROFILE_FORMAT = "fieldmark.profile/1"
_ANSWER_KEYS = frozenset({"value", "na", "reason", "photos"})
_HUNDRED = Decimal(100)
_RATE_KEYS = frozenset({"numerator", "denominator", "reported"})
_COUNT_KEYS = frozenset({"numerator", "reported"})
_new_tuple = tuple.__new__


def _number(item: Item, value: Any, what: str = "value") -> Decimal:
    if type(value) is int:  # the common case first: this runs once per answered item
        return Decimal(value)
    # bool is an int in Python but never a number in a rubric answer.
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise InvalidAnswer(f"item {item.code}: {what} must be a number, not {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidAnswer(f"item {item.code}: {what} must be a finite number, not {value!r}")
        return Decimal(str(value))
    if not value.is_finite():
        raise InvalidAnswer(f"item {item.code}: {what} must be a finite number, not {value!r}")
    return value


def _count(item: Item, value: Any, max_count: int | None, deduction: str | None = None) -> int:
    if type(value) is not int:  # bool is a subclass of int: excluded by the exact type test
        raise InvalidAnswer(f"item {item.code}: {_what(deduction)} must be a whole number, not {value!r}")
    if value < 0:
        raise InvalidAnswer(f"item {item.code}: {_what(deduction)} must not be negative (got {value})")
    if max_count is not None and value > max_count:
        raise InvalidAnswer(f"item {item.code}: {_what(deduction)} {value} is above max_count {max_count}")
    return value


def _what(deduction: str | None) -> str:
    # Built only for an error message: this path must cost nothing when the answer is fine.
    return "count" if deduction is None else f"count of deduction {deduction}"


# Each scorer takes a non-None value and returns (normalised value, award, indicator result).
_Scored = tuple[Any, Decimal, IndicatorResult | None]


def _points(item: Item, value: Any) -> _Scored:
    v = _number(item, value)
    hi = item.max if item.max is not None else ZERO
    if v < item.min or v > hi:
        raise InvalidAnswer(f"item {item.code}: {v} is out of range [{item.min}, {hi}]")
    if EXACT.remainder(EXACT.subtract(v, item.min), item.step):
        raise InvalidAnswer(f"item {item.code}: {v} is not on the step grid (step {item.step} from {item.min})")
    return v, v, None


def _deduction(item: Item, value: Any) -> _Scored:
    if type(value) is not dict and not isinstance(value, Mapping):  # exact type first: ABC checks are slow
        raise InvalidAnswer(f"item {item.code}: a deduction answer is an object "
                            f"{{deduction code: count}}, not {value!r}")
    taken = ZERO
    for code, count in value.items():
        # A linear scan: an item lists a handful of deductions, fewer than a dict costs to build.
        for ded in item.deductions:
            if ded.code == code:
                break
        else:
            known = ", ".join(d.code for d in item.deductions)
            raise InvalidAnswer(f"item {item.code}: unknown deduction code {code!r} (known: {known})")
        _count(item, count, ded.max_count, code)
        taken += ded.points * count
    # The floor at 0 is the rule of 扣分 items: findings never take away more than the item holds.
    return value, max(ZERO, item.maximum - taken), None


def _passfail(item: Item, value: Any) -> _Scored:
    if not isinstance(value, bool):
        raise InvalidAnswer(f"item {item.code}: a pass/fail answer is true or false, not {value!r}")
    return value, item.maximum if value else ZERO, None


def _level(item: Item, value: Any) -> _Scored:
    for lv in item.levels:
        if lv.code == value:
            return value, lv.points, None
    codes = ", ".join(lv.code for lv in item.levels)
    raise InvalidAnswer(f"item {item.code}: unknown level code {value!r} (levels: {codes})")


_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def _indicator(item: Item, value: Any) -> _Scored:
    spec = item.indicator
    assert spec is not None  # the schema requires it for indicator items
    if type(value) is not dict and not isinstance(value, Mapping):  # exact type first: ABC checks are slow
        raise InvalidAnswer(f"item {item.code}: an indicator answer is an object "
                            f"{{\"numerator\": n, \"denominator\": d, \"reported\": r}}, not {value!r}")
    allowed = _RATE_KEYS if spec.denominator is not None else _COUNT_KEYS
    if not allowed.issuperset(value):
        extra = sorted(k for k in value if k not in allowed)
        raise InvalidAnswer(f"item {item.code}: unexpected key(s) {extra} in an indicator answer")
    if "numerator" not in value:
        raise InvalidAnswer(f"item {item.code}: an indicator answer needs a numerator")
    num = _number(item, value["numerator"], "numerator")
    if num < 0:
        raise InvalidAnswer(f"item {item.code}: numerator must not be negative (got {num})")
    reported = value.get("reported")
    if reported is not None:
        reported = _number(item, reported, "reported")
    note = None
    computed: Decimal | None = num
    if spec.denominator is not None:
        if "denominator" not in value:
            raise InvalidAnswer(f"item {item.code}: an indicator answer needs a denominator")
        den = _number(item, value["denominator"], "denominator")
        if den < 0:
            raise InvalidAnswer(f"item {item.code}: denominator must not be negative (got {den})")
        if den == 0:
            computed, note = None, "denominator is 0: the rate cannot be computed and is not met"
        else:
            computed = (num * _HUNDRED / den) if spec.rate else num / den
    met = computed is not None and _COMPARE[spec.comparator](computed, spec.target)
    mismatch = (
        reported is not None and computed is not None and abs(computed - reported) > spec.tolerance
    )
    # tuple.__new__ skips the NamedTuple's Python-level __new__: a third of this function's time.
    result = _new_tuple(IndicatorResult, (item.code, computed, met, reported, mismatch, note))
    # Indicator values are never compared by ``equals`` (validation forbids it): keep them raw.
    return value, item.maximum if met else ZERO, result


def _count_item(item: Item, value: Any) -> _Scored:
    n = _count(item, value, item.max_count)
    if item.points_each is None:
        return n, ZERO, None
    return n, min(item.maximum, item.points_each * n), None


def _text(item: Item, value: Any) -> _Scored:
    if not isinstance(value, str):
        raise InvalidAnswer(f"item {item.code}: a text answer is a string, not {value!r}")
    return value, ZERO, None


SCORERS: dict[str, Callable[[Item, Any], _Scored]] = {
    "points": _points,
    "deduction": _deduction,
    "passfail": _passfail,
    "level": _level,
    "indicator": _indicator,
    "count": _count_item,
    "text": _text,
}


def check_answer(item: Item, value: Any) -> Any:
    """Raise ``InvalidAnswer`` unless ``value`` fits ``item``; return the normalised value.

    Numbers come back as ``Decimal``; ``None`` (unanswered) is always accepted.
    """
    if value is None:
        return None
    return SCORERS[item.kind](item, value)[0]


def award(item: Item, value: Any) -> Decimal:
    """The points ``value`` earns on ``item`` (checked first)."""
    return SCORERS[item.kind](item, value)[1]


# --- the answers file and the profile file --------------------------------------------------


def _answer(code: str, entry: Any) -> Answer:
    if not isinstance(entry, Mapping):
        # Shorthand: a bare number, bool, string or null is the value itself.
        return Answer(value=entry)
    extra = sorted(set(entry) - _ANSWER_KEYS)
    if extra:
        raise InvalidAnswer(f"answers.{code}: unknown key(s) {extra}; an object answer has the keys "
                            "value, na, reason, photos (wrap deduction and indicator values in "
                            "{\"value\": …})")
    na = entry.get("na", False)
    reason = entry.get("reason")
    photos = entry.get("photos", 0)
    if not isinstance(na, bool):
        raise InvalidAnswer(f"answers.{code}.na: must be true or false, not {na!r}")
    if reason is not None and not isinstance(reason, str):
        raise InvalidAnswer(f"answers.{code}.reason: must be text, not {reason!r}")
    if isinstance(photos, bool) or not isinstance(photos, int) or photos < 0:
        raise InvalidAnswer(f"answers.{code}.photos: must be a whole number >= 0, not {photos!r}")
    return Answer(value=entry.get("value"), na=na, reason=reason, photos=photos)


def check_answers(rubric: Rubric, answers: Mapping[str, Answer]) -> list[str]:
    """Every problem of ``answers`` against ``rubric``, each naming the item."""
    problems = []
    for code, ans in answers.items():
        item = rubric.items.get(code)
        if item is None:
            problems.append(f"answers.{code}: no item {code!r} in rubric {rubric.id!r}")
            continue
        if ans.na and not item.na_allowed:
            problems.append(f"answers.{code}: item {code} cannot be marked N/A")
        try:
            check_answer(item, ans.value)
        except InvalidAnswer as exc:
            problems.append(f"answers.{code}: {exc}")
    return problems


def load_answers(doc: Any, rubric: Rubric | None = None) -> dict[str, Answer]:
    """Read an answers document (``fieldmark.answers/1``); with ``rubric``, check every value too.

    Raises ``InvalidAnswer`` whose message counts the problems and whose ``.problems`` lists
    every one, each naming the item.
    """
    problems: list[str] = []
    out: dict[str, Answer] = {}
    if not isinstance(doc, Mapping):
        problems.append("the answers file must be a JSON object")
    elif doc.get("format") != ANSWERS_FORMAT:
        problems.append(f"format: expected {ANSWERS_FORMAT!r}, got {doc.get('format')!r}")
    elif not isinstance(doc.get("answers"), Mapping):
        problems.append("answers: must be an object {item code: answer}")
    else:
        problems.extend(_check_pin(doc.get("rubric"), rubric))
        for code, entry in doc["answers"].items():
            try:
                out[code] = _answer(code, entry)
            except InvalidAnswer as exc:
                problems.append(str(exc))
        if rubric is not None:
            problems.extend(check_answers(rubric, out))
    if problems:
        raise _invalid("answers file is invalid", problems)
    return out


def _check_pin(pin: Any, rubric: Rubric | None) -> list[str]:
    """The optional ``rubric`` block pins the answers to a rubric id and, optionally, its hash."""
    if pin is None:
        return []
    if not isinstance(pin, Mapping) or not isinstance(pin.get("id"), str):
        return ["rubric: must be an object with at least an \"id\""]
    if rubric is None:
        return []
    problems = []
    if pin["id"] != rubric.id:
        problems.append(f"rubric.id: these answers are for {pin['id']!r}, not {rubric.id!r}")
    if "content_hash" in pin and pin["content_hash"] != rubric.content_hash:
        problems.append(f"rubric.content_hash: these answers were made for another edition of "
                        f"{rubric.id!r} ({pin['content_hash']!r})")
    return problems


def load_profile(doc: Any) -> UnitProfile:
    """Read a unit profile document (``fieldmark.profile/1``)."""
    problems: list[str] = []
    if not isinstance(doc, Mapping):
        raise _invalid("profile is invalid", ["the profile file must be a JSON object"])
    if doc.get("format") != PROFILE_FORMAT:
        problems.append(f"format: expected {PROFILE_FORMAT!r}, got {doc.get('format')!r}")
    unit_type = doc.get("unit_type")
    if unit_type is not None and not isinstance(unit_type, str):
        problems.append(f"unit_type: must be text, not {unit_type!r}")
    numbers = doc.get("numbers", {})
    clean: dict[str, Decimal] = {}
    if not isinstance(numbers, Mapping):
        problems.append("numbers: must be an object {name: number}")
    else:
        for name, raw in numbers.items():
            ok = not isinstance(raw, bool) and isinstance(raw, (int, float, Decimal)) and math.isfinite(raw)
            if not ok or raw < 0:
                problems.append(f"numbers.{name}: must be a number >= 0, not {raw!r}")
            else:
                clean[name] = to_decimal(raw)
    extra = sorted(set(doc) - {"format", "unit_type", "numbers", "unit"})
    if extra:
        problems.append(f"unknown key(s) {extra}")
    if problems:
        raise _invalid("profile is invalid", problems)
    return UnitProfile(unit_type=unit_type, numbers=clean)


def _invalid(message: str, problems: list[str]) -> InvalidAnswer:
    # The message counts and ``problems`` says what: the CLI prints both, so a message that
    # repeated the problems would show each of them twice.
    count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
    exc = InvalidAnswer(f"{message} ({count})")
    exc.problems = problems  # type: ignore[attr-defined]
    return exc

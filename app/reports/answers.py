"""Each recorded answer in words and numbers, by the kind of its item, for the report's appendix.

The reader of the appendix must see how a score came about without the rubric beside them:

* a deduction: the rule, how many times and what each cost, "每缺一项档案要素：2 处 × 3 分 = −6";
* a rate: the rate, the raw numbers and the target, "98.0%（98/100，目标 ≥ 99%）";
* a level: its label; a pass/fail item: 达标 or 不达标;
* points and counts: the number with its unit.

Never a bare rule label, never "无", and never raw numbers alone for an indicator that missed
its target ("1000/1000" next to a score of 0).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.models import Response
from app.reports.linebreak import keep
from app.reports.texts import t
from app.rubric import IndicatorResult, Item
from app.rubric.wording import plain

_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


def _sentence(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _pts(value: Decimal, lang: str) -> str:
    """ "3 分" / "3 points" ("1 point")."""
    n = plain(value)
    return f"{n} 分" if lang != "en" else f"{n} point{'' if n == '1' else 's'}"


def answer_text(item: Item, response: Response | None, lang: str,
                indicator: IndicatorResult | None = None) -> str:
    """The recorded answer as a person reads it; "" when there is none.

    ``indicator`` is the scorer's check of an indicator answer (its computed value and whether
    it met the target), so the words and the score never disagree.
    """
    if response is None:
        return ""
    if response.na:
        return t("na", lang)
    value = response.value
    if value is None:
        return ""
    if item.kind == "passfail":
        return t("pass" if value else "fail", lang)
    if item.kind == "level":
        level = next((lv for lv in item.levels if lv.code == value), None)
        return level.label.text(lang) if level else str(value)
    if item.kind == "deduction":
        return _deductions(item, value, lang)
    if item.kind == "indicator" and isinstance(value, Mapping):
        return _indicator(item, value, lang, indicator)
    if item.kind == "count" and _is_number(value):
        return _count(item, Decimal(str(value)), lang)
    if item.kind == "points" and _is_number(value):
        return _pts(Decimal(str(value)), lang)
    if _is_number(value):
        return plain(value)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _deductions(item: Item, value: Any, lang: str) -> str:
    counts = {code: int(n) for code, n in (value or {}).items() if n}
    if not counts:
        return t("deduction.none", lang)
    by_code = {d.code: d for d in item.deductions}
    lines, taken = [], Decimal(0)
    for code, count in counts.items():
        rule = by_code.get(code)
        if rule is None:  # a rubric version without this rule: say what was recorded
            lines.append(f"{code} × {count}")
            continue
        cost = rule.points * count
        taken += cost
        label = rule.label.text(lang)
        lines.append(_sentence(lang, f"{label}：{count} 处 × {_pts(rule.points, lang)} = −{plain(cost)}",
                               f"{label}: {count} × {_pts(rule.points, lang)} = −{plain(cost)}"))
    if taken > item.maximum:
        # The floor at 0 is the rule of deduction items; say so, or the sum reads as a mistake.
        lines.append(_sentence(lang, f"合计扣 {plain(taken)} 分，本项最低 0 分",
                               f"−{plain(taken)} in all; the item does not go below 0"))
    return "\n".join(lines)


def _shown(value: Decimal, comparator: str, target: Decimal, met: bool) -> str:
    """``value`` to one decimal, or more when one would hide why the target was (not) met."""
    for places in range(1, 5):
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if _COMPARE[comparator](rounded, target) == met:
            return format(rounded, "f")
    return format(value.normalize(), "f")


def _indicator(item: Item, value: Mapping[str, Any], lang: str, result: IndicatorResult | None) -> str:
    spec = item.indicator
    if spec is None or value.get("numerator") is None:
        return ""
    unit = "%" if spec.rate else ""
    target = f"{_SYMBOL[spec.comparator]} {plain(spec.target)}{unit}"
    goal = keep(f"目标 {target}" if lang != "en" else f"target {target}")
    num = plain(value["numerator"])
    den = value.get("denominator")
    raw = f"{num}/{plain(den)}" if spec.denominator is not None and den is not None else ""
    computed = result.value if result is not None else None
    met = bool(result.met) if result is not None else False
    if spec.denominator is not None and computed is None:
        head = _sentence(lang, "无法计算（分母为 0）", "cannot be computed (denominator 0)")
    elif computed is None:
        head = num
    else:
        head = _shown(computed, spec.comparator, spec.target, met) + unit if raw else num
    details = ("，" if lang != "en" else ", ").join(x for x in (raw, goal) if x)
    text = f"{head}（{details}）" if lang != "en" else f"{head} ({details})"
    if result is not None and result.mismatch and result.reported is not None:
        reported = plain(result.reported) + unit
        text += _sentence(lang, f"\n单位上报 {reported}，与核实数不一致",
                          f"\nthe unit reported {reported}, which does not match")
    return text


def _count(item: Item, n: Decimal, lang: str) -> str:
    if item.points_each is None:
        return plain(n)
    earned = item.points_each * n
    text = f"{plain(n)} × {_pts(item.points_each, lang)} = {_pts(earned, lang)}"
    if earned > item.maximum:
        text += _sentence(lang, f"，本项最高 {_pts(item.maximum, lang)}", f", capped at {plain(item.maximum)}")
    return text

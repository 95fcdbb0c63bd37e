"""What a rubric's figures can reach, and the rules that therefore can never bind.

A cap above everything its section can give, a band no score can reach, a veto no answer can
trigger: each reads like a rule but can never change a result, and it almost always hides a typo
(9000 for 900) or a rule copied from another rubric. Validation refuses them, each with its JSON
path, instead of letting an office believe the rule is applied.

Rules that always bind (a veto that fires on every answer, an indicator no answer meets) are left
alone: they are harsh, but they do what they say.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.rubric.model import EXACT, ZERO, to_decimal

_HUNDRED = Decimal(100)


def item_maximum(doc: Mapping[str, Any]) -> Decimal:
    """The points an item can award at most; shared by validation and the model so both agree."""
    kind = doc["kind"]
    if kind == "level":
        return max((to_decimal(lv["points"]) for lv in doc["levels"]), default=ZERO)
    if kind == "text":
        return ZERO
    if kind == "count" and "points_each" not in doc:
        return ZERO
    return to_decimal(doc.get("max", 0))


def impossible_answer(item: Mapping[str, Any], value: Any) -> str | None:
    """Why no answer of a points or count item can equal the number ``value``, or None.

    A veto or ``when`` that compares with such a value can never hold.
    """
    kind, code = item["kind"], item["code"]
    number = to_decimal(value)
    if kind == "points":
        lo, hi, step = (to_decimal(item.get("min", 0)), to_decimal(item["max"]),
                        to_decimal(item.get("step", 1)))
        off_grid = step > 0 and EXACT.remainder(EXACT.subtract(number, lo), step) != 0
        if number < lo or number > hi or off_grid:
            return (f"no answer of item {code!r} is {value} (it takes {lo} to {hi} in steps of "
                    f"{step}), so this can never hold")
    elif kind == "count":
        top = item.get("max_count")
        if number < 0 or number != number.to_integral_value() or (top is not None and number > top):
            limit = "" if top is None else f" up to {top}"
            return (f"no answer of item {code!r} is {value} (it takes whole numbers from 0{limit}), "
                    "so this can never hold")
    return None


class Bounds:
    """One pass over a schema-valid document: the maxima, and the rules above or below them."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.problems: list[str] = []

    def add(self, place: str, message: str) -> None:
        self.problems.append(f"{place}: {message}")

    def run(self) -> list[str]:
        doc = self.doc
        base = sum((self.section(s, f"sections[{i}]") for i, s in enumerate(doc["sections"])), ZERO)
        bonus = ZERO
        if "bonus" in doc:
            bonus = self.bonus(doc["bonus"])
        self.bands(_HUNDRED if doc.get("bands_basis") == "percent" else base + bonus)
        self.vetoes()
        self.prorate()
        return self.problems

    def section(self, sec: Mapping[str, Any], place: str) -> Decimal:
        """The section's nominal maximum (capped); a cap above what it holds can never bind."""
        raw = sum((self.item(it, f"{place}.items[{i}]") for i, it in enumerate(sec.get("items", ()))), ZERO)
        raw += sum((self.section(s, f"{place}.sections[{i}]")
                    for i, s in enumerate(sec.get("sections", ()))), ZERO)
        if "cap" not in sec:
            return raw
        cap = to_decimal(sec["cap"])
        if cap > raw:
            self.add(f"{place}.cap", f"cap {sec['cap']} is above the {raw} points the section's items "
                     "and sub-sections can give at most, so it can never bind")
        return min(cap, raw)

    def bonus(self, bonus: Mapping[str, Any]) -> Decimal:
        """The most bonus a result can carry; a cap above the bonus items' sum can never bind."""
        raw = sum((self.item(it, f"bonus.items[{i}]") for i, it in enumerate(bonus["items"])), ZERO)
        cap = to_decimal(bonus["cap"])
        if cap > raw:
            self.add("bonus.cap", f"cap {bonus['cap']} is above the {raw} points the bonus items can "
                     "give at most, so it can never bind")
        return min(cap, raw)

    def item(self, item: Mapping[str, Any], place: str) -> Decimal:
        kind = item["kind"]
        maximum = item_maximum(item)
        if kind == "deduction" and maximum == 0:
            self.add(f"{place}.max", "a deduction item with max 0 has nothing to take away, so its "
                     "deductions can never bind")
        elif kind == "count" and "points_each" in item and "max" in item:
            each = to_decimal(item["points_each"])
            if "max_count" in item or each == 0:
                reach = each * item.get("max_count", 0)
                if reach < maximum:
                    self.add(f"{place}.max", f"max {item['max']} can never be reached: at most "
                             f"{item.get('max_count', 0)} × {item['points_each']} = {reach} points, "
                             "so the max can never bind")
        elif kind == "indicator":
            spec = item["indicator"]
            comparator, target = spec["comparator"], to_decimal(spec["target"])
            if (comparator == ">=" and target <= 0) or (comparator == ">" and target < 0):
                # Counts, numerators and rates are never below 0.
                self.add(f"{place}.indicator.target", f"every answer meets {comparator} {spec['target']} "
                         "(an indicator value is never below 0), so it can never bind")
        return maximum

    def bands(self, highest: Decimal) -> None:
        """Bands no score reaches, and a band every score reaches (the bands after it are dead)."""
        bands = self.doc.get("bands", ())
        basis = "percentage" if self.doc.get("bands_basis") == "percent" else "total with bonus"
        for i, band in enumerate(bands[:-1]):
            if "min" not in band:
                continue  # reported by the semantic checks
            low, inclusive = to_decimal(band["min"]), band.get("min_inclusive", True)
            if low > highest or (low == highest and not inclusive):
                self.add(f"bands[{i}].min", f"no score reaches {band['min']}: the highest possible "
                         f"{basis} is {highest}, so band {band['code']!r} can never be given")
            elif low < 0 or (low == 0 and inclusive):
                self.add(f"bands[{i}].min", f"every score reaches {band['min']} (scores are never below "
                         f"0), so the bands after {band['code']!r} can never be given")

    def vetoes(self) -> None:
        bands = self.doc.get("bands", ())
        best = bands[0]["code"] if bands else None
        for i, veto in enumerate(self.doc.get("vetoes", ())):
            place = f"vetoes[{i}]"
            trigger = veto["trigger"]
            if "award_below" in trigger and to_decimal(trigger["award_below"]) <= 0:
                self.add(f"{place}.trigger.award_below", f"no award is below {trigger['award_below']} "
                         "(awards are never below 0), so the veto can never bind")
            effect = veto["effect"]
            if isinstance(effect, dict) and effect["cap_band"] == best:
                self.add(f"{place}.effect.cap_band", f"{best!r} is the best band: a result capped at it "
                         "is never changed, so the veto can never bind")

    def prorate(self) -> None:
        for i, rule in enumerate(self.doc.get("prorate", ())):
            share = rule["share"]
            if share["numerator"] and set(share["numerator"]) == set(share["denominator"]):
                self.add(f"prorate[{i}].share.numerator", "the numerator is the whole denominator: the "
                         "share is always 1, so the rule can never bind")


def never_binding(doc: Mapping[str, Any]) -> list[str]:
    """Every rule of a schema-valid document that can never change a result, with its place."""
    return Bounds(doc).run()

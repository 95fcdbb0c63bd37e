"""Validating rubric documents: the JSON Schema first, then the rules a schema cannot say, then
the rules that can never bind (``app.rubric.bounds``).

Every problem is one string ``"<place>: <message>"`` where the place is the JSON path in the
document (``sections[2].items[0].max``), so an office author can find it in the file or the sheet.
Each pass runs only when the one before is clean: semantic checks rely on the types the schema
guarantees, the never-binding checks on sound numbers, and an earlier problem usually explains
the noise a later pass would make anyway.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from app.canonical import content_hash
from app.errors import RubricError
from app.rubric.bounds import impossible_answer, item_maximum, never_binding
from app.rubric.model import (
    EXACT,
    Band,
    CombineSpec,
    Condition,
    Deduction,
    IndicatorSpec,
    Item,
    Label,
    Level,
    Prorate,
    Rubric,
    Section,
    Veto,
    to_decimal,
)

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

# Fields that only make sense for some kinds: a stray one is almost always a typo or a copy error.
_KIND_FIELDS = {
    "min": {"points"},
    "step": {"points"},
    "max": {"points", "deduction", "passfail", "indicator", "count"},
    "deductions": {"deduction"},
    "levels": {"level"},
    "indicator": {"indicator"},
    "points_each": {"count"},
    "max_count": {"count"},
}


# --- building the model from a document that already passed validation ---------------------


def _label(doc: Mapping[str, Any], key: str) -> Label:
    lab = Label.of(doc.get(key))
    assert lab is not None  # the schema requires it
    return lab


def build_item(doc: Mapping[str, Any], section: str | None, bonus: bool) -> Item:
    kind = doc["kind"]
    ind = doc.get("indicator")
    when = doc.get("when")
    return Item(
        code=doc["code"],
        kind=kind,
        text=_label(doc, "text"),
        maximum=item_maximum(doc),
        guidance=Label.of(doc.get("guidance")),
        required=doc.get("required", True),
        na_allowed=doc.get("na_allowed", False),
        photo_required=doc.get("photo_required", False),
        evidence=tuple(doc.get("evidence", ())),
        reason_below_max=doc.get("reason_below_max", kind == "deduction"),
        min=to_decimal(doc.get("min", 0)),
        max=to_decimal(doc["max"]) if "max" in doc else None,
        step=to_decimal(doc.get("step", 1)),
        deductions=tuple(
            Deduction(d["code"], _label(d, "label"), to_decimal(d["points"]), d.get("max_count"))
            for d in doc.get("deductions", ())
        ),
        levels=tuple(
            Level(lv["code"], _label(lv, "label"), to_decimal(lv["points"]))
            for lv in doc.get("levels", ())
        ),
        indicator=None
        if ind is None
        else IndicatorSpec(
            numerator=_label(ind, "numerator"),
            denominator=Label.of(ind.get("denominator")),
            comparator=ind["comparator"],
            target=to_decimal(ind["target"]),
            rate=ind.get("rate", True),
            tolerance=to_decimal(ind.get("tolerance", "0.1")),
        ),
        points_each=to_decimal(doc["points_each"]) if "points_each" in doc else None,
        max_count=doc.get("max_count"),
        when=None if when is None else Condition(when["item"], when["equals"]),
        section=section,
        bonus=bonus,
    )


def _build_section(
    doc: Mapping[str, Any], parent: str | None, items: dict[str, Item], out: dict[str, Section]
) -> Section:
    code = doc["code"]
    # A section's own items come before its sub-sections' items in the rubric's item order.
    own = tuple(build_item(i, code, False) for i in doc.get("items", ()))
    for it in own:
        items[it.code] = it
    subs = tuple(_build_section(s, code, items, out) for s in doc.get("sections", ()))
    cap = doc.get("cap")
    sec = Section(code, _label(doc, "name"), None if cap is None else to_decimal(cap), subs, own, parent)
    out[code] = sec
    return sec


def _build_veto(doc: Mapping[str, Any]) -> Veto:
    trig = doc["trigger"]
    cond = next(k for k in ("equals", "not_met", "award_below") if k in trig)
    operand = trig[cond]
    if cond == "award_below":
        operand = to_decimal(operand)
    eff = doc["effect"]
    if eff == "fail":
        return Veto(doc["code"], _label(doc, "label"), trig["item"], cond, operand, "fail")
    return Veto(doc["code"], _label(doc, "label"), trig["item"], cond, operand, "cap_band", eff["cap_band"])


def build_rubric(doc: Mapping[str, Any]) -> Rubric:
    """Build the model of a document that passed ``validate_document`` (no checks here)."""
    document = copy.deepcopy(dict(doc))
    items: dict[str, Item] = {}
    by_code: dict[str, Section] = {}
    sections = tuple(_build_section(s, None, items, by_code) for s in document["sections"])
    bonus_doc = document.get("bonus") or {}
    bonus_items = tuple(build_item(i, None, True) for i in bonus_doc.get("items", ()))
    for it in bonus_items:
        items[it.code] = it
    comb = document.get("combine")
    return Rubric(
        id=document["id"],
        version=document["version"],
        name=_label(document, "name"),
        content_hash=content_hash(document),
        document=document,
        sections=sections,
        items=MappingProxyType(items),
        sections_by_code=MappingProxyType(by_code),
        bonus_items=bonus_items,
        bonus_cap=to_decimal(bonus_doc["cap"]) if "cap" in bonus_doc else None,
        rounding_places=document.get("rounding", {}).get("places", 1),
        bands_basis=document.get("bands_basis", "total"),
        bands=tuple(
            Band(
                b["code"],
                _label(b, "label"),
                to_decimal(b["min"]) if "min" in b else None,
                b.get("min_inclusive", True),
            )
            for b in document.get("bands", ())
        ),
        vetoes=tuple(_build_veto(v) for v in document.get("vetoes", ())),
        prorate=tuple(
            Prorate(
                p["section"],
                tuple(p["unit_types"]),
                tuple(p["share"]["numerator"]),
                tuple(p["share"]["denominator"]),
            )
            for p in document.get("prorate", ())
        ),
        combine=None if comb is None else CombineSpec(comb["method"], comb.get("count")),
        description=Label.of(document.get("description")),
        source=document.get("source"),
    )


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    # Imported on first use: jsonschema is slow to import and only validation needs it.
    from jsonschema import Draft202012Validator

    text = resources.files("app.rubric").joinpath("schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def json_path(parts: Sequence[str | int]) -> str:
    """``["sections", 2, "items", 0, "max"]`` -> ``sections[2].items[0].max``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(document)"


def schema_problems(doc: Any) -> list[str]:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{json_path(list(e.absolute_path))}: {e.message}" for e in errors]


# --- semantic checks ------------------------------------------------------------------------


class _Walk:
    """One pass over a schema-valid document collecting places and problems."""

    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.problems: list[str] = []
        self.codes: dict[str, str] = {}  # code -> place of its first definition
        self.items: dict[str, tuple[str, Mapping[str, Any]]] = {}  # code -> (place, item doc)
        self.sections: dict[str, str] = {}
        self.vetoes: dict[str, str] = {}

    def add(self, place: str, message: str) -> None:
        self.problems.append(f"{place}: {message}")

    def claim(self, code: str, place: str) -> None:
        first = self.codes.get(code)
        if first is not None:
            self.add(f"{place}.code", f"duplicate code {code!r} (already used at {first})")
        else:
            self.codes[code] = place

    def run(self) -> list[str]:
        for i, sec in enumerate(self.doc["sections"]):
            self.section(sec, f"sections[{i}]")
        bonus = self.doc.get("bonus")
        if bonus is not None:
            self.non_negative(bonus["cap"], "bonus.cap", "the bonus cap")
            for i, item in enumerate(bonus["items"]):
                self.item(item, f"bonus.items[{i}]")
        for i, veto in enumerate(self.doc.get("vetoes", ())):
            self.claim(veto["code"], f"vetoes[{i}]")
            self.vetoes[veto["code"]] = f"vetoes[{i}]"
        self.check_bands()
        for i, veto in enumerate(self.doc.get("vetoes", ())):
            self.veto(veto, f"vetoes[{i}]")
        self.check_prorate()
        self.check_when()
        return self.problems

    def non_negative(self, value: Any, place: str, what: str) -> None:
        if to_decimal(value) < 0:
            self.add(place, f"{what} must not be negative (got {value})")

    def section(self, sec: Mapping[str, Any], place: str) -> None:
        self.claim(sec["code"], place)
        self.sections[sec["code"]] = place
        if not sec.get("items") and not sec.get("sections"):
            self.add(place, f"section {sec['code']!r} has neither items nor sub-sections")
        if "cap" in sec:
            self.non_negative(sec["cap"], f"{place}.cap", "a section cap")
        for i, sub in enumerate(sec.get("sections", ())):
            self.section(sub, f"{place}.sections[{i}]")
        for i, item in enumerate(sec.get("items", ())):
            self.item(item, f"{place}.items[{i}]")

    def item(self, item: Mapping[str, Any], place: str) -> None:
        code, kind = item["code"], item["kind"]
        self.claim(code, place)
        self.items.setdefault(code, (place, item))
        for key, kinds in _KIND_FIELDS.items():
            if key in item and kind not in kinds:
                self.add(f"{place}.{key}", f"field {key!r} does not apply to a {kind!r} item")
        if "max" in item:
            self.non_negative(item["max"], f"{place}.max", "the maximum")
        if kind == "points":
            lo, hi, step = (to_decimal(item.get("min", 0)), to_decimal(item["max"]),
                            to_decimal(item.get("step", 1)))
            if lo < 0:
                self.add(f"{place}.min", f"the minimum must not be negative (got {item['min']})")
            if lo > hi >= 0:  # a negative max is reported once, above
                self.add(f"{place}.min", f"min {item.get('min', 0)} is above max {item['max']}")
            if step <= 0:
                self.add(f"{place}.step", f"the step must be greater than 0 (got {item['step']})")
            elif lo <= hi and EXACT.remainder(EXACT.subtract(hi, lo), step) != 0:
                self.add(f"{place}.max", f"max {item['max']} is not on the step grid "
                         f"(min {item.get('min', 0)}, step {item.get('step', 1)})")
        elif kind == "deduction":
            self.unique(item["deductions"], f"{place}.deductions", "deduction code")
            for i, d in enumerate(item["deductions"]):
                if to_decimal(d["points"]) <= 0:
                    self.add(f"{place}.deductions[{i}].points",
                             f"a deduction must take away more than 0 points (got {d['points']})")
        elif kind == "level":
            self.unique(item["levels"], f"{place}.levels", "level code")
            for i, lv in enumerate(item["levels"]):
                self.non_negative(lv["points"], f"{place}.levels[{i}].points", "level points")
        elif kind == "count":
            if ("points_each" in item) != ("max" in item):
                self.add(place, "a count item needs both points_each and max, or neither")
            if "points_each" in item:
                self.non_negative(item["points_each"], f"{place}.points_each", "points_each")

    def unique(self, entries: Sequence[Mapping[str, Any]], place: str, what: str) -> None:
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry["code"] in seen:
                self.add(f"{place}[{i}].code", f"duplicate {what} {entry['code']!r}")
            seen.add(entry["code"])

    def check_bands(self) -> None:
        bands = self.doc.get("bands", ())
        self.unique(bands, "bands", "band code")
        previous: Decimal | None = None
        for i, band in enumerate(bands):
            place = f"bands[{i}]"
            last = i == len(bands) - 1
            if last:
                if "min" in band:
                    self.add(f"{place}.min", "the last band takes everything below the others and must have no min")
                continue
            if "min" not in band:
                self.add(place, "every band but the last needs a min")
                continue
            if "min_inclusive" not in band:
                self.add(place, "min_inclusive must be stated explicitly (true or false)")
            current = to_decimal(band["min"])
            if previous is not None and current >= previous:
                self.add(f"{place}.min", f"band mins must strictly decrease, best band first "
                         f"({band['min']} is not below {previous})")
            previous = current

    def veto(self, veto: Mapping[str, Any], place: str) -> None:
        trig = veto["trigger"]
        conds = [k for k in ("equals", "not_met", "award_below") if k in trig]
        if len(conds) != 1:
            self.add(f"{place}.trigger", "exactly one of equals, not_met, award_below is required")
        target = trig["item"]
        if target in self.vetoes:
            self.add(f"{place}.trigger.item", f"{target!r} is a veto, not an item: a veto cannot trigger on a veto")
            return
        if target in self.sections:
            self.add(f"{place}.trigger.item", f"{target!r} is a section, not an item")
            return
        found = self.items.get(target)
        if found is None:
            self.add(f"{place}.trigger.item", f"unknown item {target!r}")
            return
        _, item = found
        if "not_met" in trig and item["kind"] != "indicator":
            self.add(f"{place}.trigger.not_met", f"not_met needs an indicator item; {target!r} is {item['kind']!r}")
        if "equals" in trig:
            problem = _value_kind_problem(item, trig["equals"])
            if problem:
                self.add(f"{place}.trigger.equals", problem)
        effect = veto["effect"]
        if isinstance(effect, dict):
            codes = [b["code"] for b in self.doc.get("bands", ())]
            if effect["cap_band"] not in codes:
                self.add(f"{place}.effect.cap_band", f"unknown band {effect['cap_band']!r}")

    def check_prorate(self) -> None:
        seen: dict[tuple[str, str], int] = {}
        for i, rule in enumerate(self.doc.get("prorate", ())):
            place = f"prorate[{i}]"
            if rule["section"] not in self.sections:
                self.add(f"{place}.section", f"unknown section {rule['section']!r}")
            share = rule["share"]
            extra = [n for n in share["numerator"] if n not in share["denominator"]]
            if extra:
                # Keeping the numerator inside the denominator keeps every share within [0, 1].
                self.add(f"{place}.share.numerator", f"{extra} must also appear in the denominator")
            for unit_type in rule["unit_types"]:
                key = (rule["section"], unit_type)
                if key in seen:
                    self.add(f"{place}.unit_types", f"section {rule['section']!r} is already prorated "
                             f"for unit type {unit_type!r} by prorate[{seen[key]}]")
                seen[key] = i

    def check_when(self) -> None:
        """Conditional items form a graph item -> controlling item; it must be acyclic."""
        edges: dict[str, str] = {}
        for code, (place, item) in self.items.items():
            when = item.get("when")
            if when is None:
                continue
            target = when["item"]
            found = self.items.get(target)
            if found is None:
                self.add(f"{place}.when.item", f"unknown item {target!r}")
                continue
            if target == code:
                self.add(f"{place}.when.item", f"item {code!r} cannot depend on itself")
                continue
            problem = _value_kind_problem(found[1], when["equals"])
            if problem:
                self.add(f"{place}.when.equals", problem)
            edges[code] = target
        reported: set[str] = set()
        for start in edges:
            path = [start]
            node = start
            while node in edges:
                node = edges[node]
                if node in path:
                    cycle = path[path.index(node):] + [node]
                    if not reported.intersection(cycle):
                        self.add(f"{self.items[node][0]}.when",
                                 "cycle in conditional items: " + " -> ".join(cycle))
                        reported.update(cycle)
                    break
                path.append(node)


def _value_kind_problem(item: Mapping[str, Any], value: Any) -> str | None:
    """Whether ``value`` could ever be an answer of ``item`` (for veto/when ``equals``)."""
    kind = item["kind"]
    if kind == "passfail" and not isinstance(value, bool):
        return f"item {item['code']!r} is pass/fail: compare with true or false, not {value!r}"
    if kind == "level":
        codes = [lv["code"] for lv in item["levels"]]
        if value not in codes:
            return f"item {item['code']!r} has no level {value!r} (levels: {', '.join(codes)})"
    if kind in ("points", "count"):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return f"item {item['code']!r} takes a number, not {value!r}"
        return impossible_answer(item, value)
    if kind == "text" and not isinstance(value, str):
        return f"item {item['code']!r} takes text, not {value!r}"
    if kind in ("deduction", "indicator"):
        return f"a {kind} item's answer is an object and cannot be compared with equals"
    return None


def validate_document(doc: Any) -> list[str]:
    """Every problem of a rubric document, each naming its place; empty when it is valid."""
    problems = schema_problems(doc)
    if problems:
        return problems
    problems = _Walk(doc).run()
    if problems:
        return problems
    # A third pass: the maxima it compares with are only meaningful once the numbers and codes
    # are sound (a negative max would make every band look unreachable).
    return never_binding(doc)


def load_rubric(doc: Mapping[str, Any]) -> Rubric:
    """Validate ``doc`` and build the ``Rubric``; raise ``RubricError`` listing every problem."""
    problems = validate_document(doc)
    if problems:
        name = doc.get("id") if isinstance(doc, Mapping) else None
        label = name if isinstance(name, str) else "document"
        raise RubricError(f"rubric {label} is invalid", problems=problems)
    return build_rubric(doc)

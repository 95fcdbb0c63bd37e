"""Flatten a ``fieldmark.rubric/1`` document into the rows of the authoring workbook.

Each sheet becomes a list of row dicts keyed by column name (``xlsx_columns``), holding what
``xlsx_write`` stores in the cells. Everything the layout cannot hold is collected as a problem
under its JSON path, never dropped silently, so doc -> xlsx -> doc gives an equal dict.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.errors import RubricError
from app.rubric.xlsx_cells import (
    Problems,
    bool_cell,
    code_cell,
    escape_part,
    list_cell,
    number_cell,
    text_cell,
    yes_no,
)
from app.rubric.xlsx_columns import (
    CONDITIONS,
    EVIDENCE_NONE,
    EVIDENCE_ZH,
    FLAG_COLUMNS,
    INDICATOR_COLUMNS,
    NUMBER_KINDS,
    SHEET_BANDS,
    SHEET_ITEMS,
    SHEET_PRORATE,
    SHEET_SECTIONS,
    SHEET_VETOES,
    TEXT_KINDS,
)
from app.rubric.xlsx_standard import standards_of

# The keys each object may have; any other has no cell to go in and is refused.
TOP_KEYS = {"format", "id", "version", "name", "description", "source", "rounding",
            "bands_basis", "sections", "bonus", "vetoes", "bands", "prorate", "combine"}
SECTION_KEYS = {"code", "name", "cap", "sections", "items"}
ITEM_KEYS = {"code", "kind", "text", "guidance", "required", "na_allowed", "photo_required",
             "evidence", "reason_below_max", "min", "max", "step", "deductions", "levels",
             "indicator", "points_each", "max_count", "when"}
LEVEL_KEYS = {"code", "label", "points"}
DEDUCTION_KEYS = {"code", "label", "points", "max_count"}
INDICATOR_KEYS = {"numerator", "denominator", "rate", "comparator", "target", "tolerance"}
BAND_KEYS = {"code", "label", "min", "min_inclusive"}
VETO_KEYS = {"code", "label", "trigger", "effect"}
PRORATE_KEYS = {"section", "unit_types", "share"}
LABEL_KEYS = {"zh", "en"}
# The key that marks a section heading row of the items sheet, holding its depth (0 = top).
HEADING = "_heading"


def _kinds(doc: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def items(entries: Any) -> None:
        for item in entries if isinstance(entries, list) else []:
            if isinstance(item, dict) and isinstance(item.get("code"), str) \
                    and isinstance(item.get("kind"), str):
                found.append((item["code"], item["kind"]))

    def sections(entries: Any) -> None:
        for section in entries if isinstance(entries, list) else []:
            if isinstance(section, dict):
                items(section.get("items"))
                sections(section.get("sections"))

    sections(doc.get("sections"))
    bonus = doc.get("bonus")
    if isinstance(bonus, dict):
        items(bonus.get("items"))
    return found


class _Flattener:
    """Turns the document into plain row dicts per sheet, checking what the layout can hold."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.problems = Problems()
        # "equals" cells are read back typed by the compared item's kind, so the writer checks
        # against the same kinds; "when" may point forward, hence the pass over the whole doc.
        self.item_kinds: dict[str, str] = dict(_kinds(doc))

    def objects(self, entries: Any, allowed: set[str],
                path: str) -> Iterator[tuple[str, Any]]:
        """``(place, entry)`` for each entry of a list that is an object the layout can hold.

        Lazy on purpose: an entry's key problems are reported just before its own cells'.
        """
        if not isinstance(entries, list):
            self.problems.add(path, "expected a list")
            return
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]"
            if self.problems.keys(entry, allowed, where):
                yield where, entry

    def label(self, row: dict[str, Any], prefix: str, label: Any, path: str) -> None:
        if label is None:
            return
        if not self.problems.keys(label, LABEL_KEYS, path):
            return
        row[f"{prefix}_zh"] = text_cell(label.get("zh"), f"{path}.zh", self.problems)
        row[f"{prefix}_en"] = text_cell(label.get("en"), f"{path}.en", self.problems)

    def header(self, doc: dict[str, Any]) -> dict[str, Any]:
        p = self.problems
        values: dict[str, Any] = {}
        for key in ("format", "id", "version", "source", "bands_basis"):
            values[key] = text_cell(doc.get(key), key, p)
        self.label(values, "name", doc.get("name"), "name")
        self.label(values, "description", doc.get("description"), "description")
        rounding = doc.get("rounding")
        if rounding is not None and p.keys(rounding, {"places"}, "rounding"):
            values["rounding_places"] = number_cell(rounding.get("places"), "rounding.places", p)
        bonus = doc.get("bonus")
        if bonus is not None and p.keys(bonus, {"cap", "items"}, "bonus"):
            values["bonus_cap"] = number_cell(bonus.get("cap"), "bonus.cap", p)
            if "items" not in bonus:
                p.add("bonus.items", "missing: the layout always reads bonus items as a list")
        combine = doc.get("combine")
        if combine is not None and p.keys(combine, {"method", "count"}, "combine"):
            values["combine_method"] = text_cell(combine.get("method"), "combine.method", p)
            values["combine_count"] = number_cell(combine.get("count"), "combine.count", p)
        return values

    def sections(self, sections: Any, parent: str | None, path: str,
                 section_rows: list[dict[str, Any]], item_rows: list[dict[str, Any]],
                 depth: int = 0) -> None:
        p = self.problems
        for where, section in self.objects(sections, SECTION_KEYS, path):
            code = code_cell(section.get("code"), f"{where}.code", p)
            row: dict[str, Any] = {"code": code, "parent": parent,
                                   "cap": number_cell(section.get("cap"), f"{where}.cap", p)}
            self.label(row, "name", section.get("name"), f"{where}.name")
            section_rows.append(row)
            # A heading row above the section's items: the printed table shows its name.
            item_rows.append({"section": code, "text_zh": row.get("name_zh"),
                              "text_en": row.get("name_en"), HEADING: depth})
            for name in ("sections", "items"):
                if section.get(name) == []:
                    p.add(f"{where}.{name}", "an empty list cannot be written; leave it out")
            # A section's own items come before its sub-sections' items: the engine's item
            # order, so the sheet reads top to bottom like the checklist.
            items = section.get("items", [])
            if not isinstance(items, list):
                p.add(f"{where}.items", "expected a list")
                items = []
            for item_index, item in enumerate(items):
                item_row = self.item(item, f"{where}.items[{item_index}]")
                if item_row is not None:
                    item_row["section"] = code
                    item_rows.append(item_row)
            self.sections(section.get("sections", []), code, f"{where}.sections", section_rows,
                          item_rows, depth + 1)

    def item(self, item: Any, path: str) -> dict[str, Any] | None:
        p = self.problems
        if not p.keys(item, ITEM_KEYS, path):
            return None
        row: dict[str, Any] = {
            "code": code_cell(item.get("code"), f"{path}.code", p),
            "kind": text_cell(item.get("kind"), f"{path}.kind", p),
        }
        self.label(row, "text", item.get("text"), f"{path}.text")
        self.label(row, "guidance", item.get("guidance"), f"{path}.guidance")
        for key in ("max", "min", "step", "points_each"):
            row[key] = number_cell(item.get(key), f"{path}.{key}", p)
        for key in FLAG_COLUMNS:
            row[key] = bool_cell(item.get(key), f"{path}.{key}", p)
        count = item.get("max_count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
            p.add(f"{path}.max_count", f"{count!r} is not a whole number")
        else:
            row["max_count"] = count
        evidence = item.get("evidence")
        if isinstance(evidence, list) and evidence and all(
                isinstance(e, str) and e in EVIDENCE_ZH for e in evidence):
            # In the circulars' words; the reader takes them back to the format's codes.
            row["evidence"] = "、".join(EVIDENCE_ZH[e] for e in evidence)
        else:
            row["evidence"] = list_cell(evidence, f"{path}.evidence", p, empty=EVIDENCE_NONE[1])
        when = item.get("when")
        if when is not None and p.keys(when, {"item", "equals"}, f"{path}.when"):
            row["when_item"] = code_cell(when.get("item"), f"{path}.when.item", p)
            if "item" not in when or "equals" not in when:
                p.add(f"{path}.when", "needs both item and equals")
            else:
                row["when_equals"] = self.equals_cell(when["equals"], when.get("item"),
                                                      f"{path}.when.equals")
        row["levels"] = self.entries(item.get("levels"), LEVEL_KEYS, f"{path}.levels")
        row["deductions"] = self.entries(item.get("deductions"), DEDUCTION_KEYS,
                                         f"{path}.deductions")
        indicator = item.get("indicator")
        if indicator is not None and p.keys(indicator, INDICATOR_KEYS, f"{path}.indicator"):
            where = f"{path}.indicator"
            self.label(row, "numerator", indicator.get("numerator"), f"{where}.numerator")
            self.label(row, "denominator", indicator.get("denominator"), f"{where}.denominator")
            row["rate"] = bool_cell(indicator.get("rate"), f"{where}.rate", p)
            row["comparator"] = text_cell(indicator.get("comparator"), f"{where}.comparator", p)
            row["target"] = number_cell(indicator.get("target"), f"{where}.target", p)
            row["tolerance"] = number_cell(indicator.get("tolerance"), f"{where}.tolerance", p)
            if all(row.get(k) is None for k in INDICATOR_COLUMNS):
                p.add(where, "an empty indicator object cannot be written; leave it out")
        return row

    def entries(self, entries: Any, allowed: set[str], path: str) -> str | None:
        """Levels or deductions in the ``code:zh:en:points[:max_count]; …`` mini-syntax."""
        p = self.problems
        if entries is None:
            return None
        if not isinstance(entries, list) or not entries:
            p.add(path, "expected a non-empty list")
            return None
        parts: list[str] = []
        for index, entry in enumerate(entries):
            where = f"{path}[{index}]"
            if not p.keys(entry, allowed, where):
                continue
            label = entry.get("label") or {}
            if not isinstance(label, dict) or set(label) - LABEL_KEYS:
                p.add(f"{where}.label", "expected {zh, en}")
                label = {}
            fields = [entry.get("code"), label.get("zh"), label.get("en")]
            for name, value in zip(("code", "label.zh", "label.en"), fields, strict=True):
                if not isinstance(value, str) or not value or value != value.strip():
                    p.add(f"{where}.{name}", f"{value!r} cannot be written (needs trimmed text)")
            points = number_cell(entry.get("points"), f"{where}.points", p)
            if points is None:
                p.add(f"{where}.points", "missing")
            texts = [escape_part(v) if isinstance(v, str) else "" for v in fields]
            texts.append("" if points is None else str(points))
            if "max_count" in entry:
                count = entry["max_count"]
                if isinstance(count, bool) or not isinstance(count, int):
                    p.add(f"{where}.max_count", f"{count!r} is not a whole number")
                texts.append(str(count))
            parts.append(":".join(texts))
        # One entry a line, so the cell reads as a list on screen and on paper.
        return ";\n".join(parts)

    def bands(self, bands: Any) -> list[dict[str, Any]]:
        p = self.problems
        rows: list[dict[str, Any]] = []
        for where, band in self.objects(bands, BAND_KEYS, "bands"):
            row = {"code": code_cell(band.get("code"), f"{where}.code", p),
                   "min": number_cell(band.get("min"), f"{where}.min", p),
                   "min_inclusive": bool_cell(band.get("min_inclusive"),
                                              f"{where}.min_inclusive", p)}
            self.label(row, "label", band.get("label"), f"{where}.label")
            rows.append(row)
        return rows

    def vetoes(self, vetoes: Any) -> list[dict[str, Any]]:
        p = self.problems
        rows: list[dict[str, Any]] = []
        for where, veto in self.objects(vetoes, VETO_KEYS, "vetoes"):
            row: dict[str, Any] = {"code": code_cell(veto.get("code"), f"{where}.code", p)}
            self.label(row, "label", veto.get("label"), f"{where}.label")
            trigger = veto.get("trigger")
            allowed = {"item", *CONDITIONS}
            if p.keys(trigger, allowed, f"{where}.trigger"):
                row["item"] = code_cell(trigger.get("item"), f"{where}.trigger.item", p)
                conditions = [c for c in CONDITIONS if c in trigger]
                if len(conditions) != 1:
                    p.add(f"{where}.trigger", "needs exactly one of equals, not_met, award_below")
                else:
                    condition = conditions[0]
                    row["condition"] = condition
                    value = trigger[condition]
                    if condition == "equals":
                        row["value"] = self.equals_cell(value, trigger.get("item"),
                                                        f"{where}.trigger.equals")
                    elif condition == "not_met":
                        # not_met: true is the normal form; an empty cell reads back as true.
                        if value is not True:
                            row["value"] = bool_cell(value, f"{where}.trigger.not_met", p)
                    else:
                        row["value"] = number_cell(value, f"{where}.trigger.award_below", p)
            effect = veto.get("effect")
            if effect == "fail":
                row["effect"] = "fail"
            elif isinstance(effect, dict) and set(effect) == {"cap_band"}:
                row["effect"] = "cap_band"
                row["cap_band"] = code_cell(effect["cap_band"], f"{where}.effect.cap_band", p)
            else:
                p.add(f"{where}.effect", f"{effect!r} is neither 'fail' nor {{'cap_band': …}}")
            rows.append(row)
        return rows

    def equals_cell(self, value: Any, item: Any, path: str) -> Any:
        kind = self.item_kinds.get(item) if isinstance(item, str) else None
        if isinstance(value, bool):
            if kind not in (None, "passfail"):
                self.problems.add(path, f"true/false cannot be compared with a {kind} item")
            # yes/no like every other flag column; an Excel TRUE/FALSE when the item is unknown,
            # since only then the reader goes by the cell's own type.
            return value if kind is None else yes_no(value)
        if isinstance(value, int | float | Decimal):
            if kind in (*TEXT_KINDS, "passfail"):
                self.problems.add(path, f"a number reads back as text for a {kind} item")
            return number_cell(value, path, self.problems)
        if isinstance(value, str):
            if kind in (*NUMBER_KINDS, "passfail"):
                self.problems.add(path, f"text cannot be compared with a {kind} item")
            return text_cell(value, path, self.problems)
        self.problems.add(path, f"{value!r} cannot be written in one cell")
        return None

    def prorate(self, rules: Any) -> list[dict[str, Any]]:
        p = self.problems
        rows: list[dict[str, Any]] = []
        for where, rule in self.objects(rules, PRORATE_KEYS, "prorate"):
            row = {"section": code_cell(rule.get("section"), f"{where}.section", p),
                   "unit_types": list_cell(rule.get("unit_types"), f"{where}.unit_types", p)}
            if "unit_types" not in rule:
                p.add(f"{where}.unit_types", "missing: the layout always reads a list")
            share = rule.get("share")
            if p.keys(share, {"numerator", "denominator"}, f"{where}.share"):
                for key in ("numerator", "denominator"):
                    if key not in share:
                        p.add(f"{where}.share.{key}", "missing: the layout always reads a list")
                    row[key] = list_cell(share.get(key), f"{where}.share.{key}", p)
            rows.append(row)
        return rows


@dataclass
class Sheets:
    """The rows of every sheet: the rubric sheet's values by field, the tables by sheet name."""

    header: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def flatten(doc: Any) -> Sheets:
    """The workbook rows of ``doc``; RubricError lists every field the layout cannot express."""
    if not isinstance(doc, dict):
        raise RubricError("cannot write the rubric as a workbook: not an object")
    flat = _Flattener(doc)
    flat.problems.keys(doc, TOP_KEYS, "document")
    header = flat.header(doc)
    section_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    flat.sections(doc.get("sections", []), None, "sections", section_rows, item_rows)
    bonus = doc.get("bonus")
    if isinstance(bonus, dict) and isinstance(bonus.get("items"), list):
        if bonus["items"]:
            item_rows.append({"text_zh": "加分项", "text_en": "Bonus items",
                              "bonus": yes_no(True), HEADING: 0})
        for index, item in enumerate(bonus["items"]):
            row = flat.item(item, f"bonus.items[{index}]")
            if row is not None:
                row["bonus"] = yes_no(True)
                item_rows.append(row)
    bands = flat.bands(doc["bands"]) if "bands" in doc else []
    vetoes = flat.vetoes(doc["vetoes"]) if "vetoes" in doc else []
    prorate = flat.prorate(doc["prorate"]) if "prorate" in doc else []
    for key in ("bands", "vetoes", "prorate"):
        if doc.get(key) == []:
            flat.problems.add(key, "an empty list cannot be written; leave it out")
    if flat.problems.items:
        problems = flat.problems.items
        raise RubricError(f"cannot write the rubric as a workbook: {problems[0]}",
                          problems=problems)
    # The printed rule in words, derived from the rule the rows hold (``xlsx_standard``).
    standards = standards_of(doc)
    for row in item_rows:
        if HEADING not in row:
            row["standard"] = standards.get(row.get("code") or "")
    return Sheets(header, {SHEET_SECTIONS: section_rows, SHEET_ITEMS: item_rows,
                           SHEET_BANDS: bands, SHEET_VETOES: vetoes, SHEET_PRORATE: prorate})

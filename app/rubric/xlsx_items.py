"""Read the items sheet: one row per item, with its levels, deductions, indicator and condition.

Items land in their section (``nodes`` from the sections sheet) or in the bonus list; a ``when``
condition is resolved after the whole sheet is read, since it may name an item further down.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from app.rubric.xlsx_cells import (
    CellError,
    equals_value,
    show,
    split_entries,
    to_int,
    to_list,
    to_number,
)
from app.rubric.xlsx_columns import (
    COMPARATOR_ALIASES,
    COMPARATORS,
    EVIDENCE,
    EVIDENCE_ALIASES,
    EVIDENCE_NONE,
    FLAG_COLUMNS,
    INDICATOR_COLUMNS,
    ITEM_COLUMNS,
    KIND_COLUMNS,
    KINDS,
    SHEET_ITEMS,
)
from app.rubric.xlsx_rows import Row, RowReader
from app.rubric.xlsx_standard import (
    RULE_COLUMNS,
    item_model,
    one_line,
    same_words,
    standard_text,
)

# The cells a section heading row may fill: the section, its names, the bonus mark.
HEADING_COLUMNS = frozenset({"section", "text_zh", "text_en", "bonus"})


class ItemReader(RowReader):
    """The items sheet; ``read_items`` expects the section nodes already read."""

    def read_items(self, nodes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        rows = self.table(SHEET_ITEMS, ITEM_COLUMNS, fill_down="section") or []
        bonus_items: list[dict[str, Any]] = []
        current_section: str | None = None
        for row in rows:
            if self.is_heading(row):
                heading = self.read_heading(row, nodes)
                if heading is not None:
                    current_section = heading
                continue
            is_bonus = self.boolean(row, "bonus") or False
            section = self.text(row, "section")
            if is_bonus:
                if section is not None:
                    self.problem(row.where("section"),
                                 "a bonus item belongs to no section; leave section empty")
            elif section is None:
                # Fill-down: an empty section repeats the row above, which is also how a
                # merged section cell reads.
                section = current_section
                if section is None:
                    self.problem(row.where("section"), "empty (no section above to repeat)")
            else:
                current_section = section
                if section not in nodes:
                    self.problem(row.where("section"),
                                 f"no section {show(section)} in the sections sheet")
            item = self.read_item(row)
            self.row_of[id(item)] = row
            self.items_read.append(item)
            if row.cells.get("standard") is not None:
                self.worded.append((item, row, row.cells["standard"]))
            if is_bonus:
                bonus_items.append(item)
            elif section is not None and section in nodes:
                nodes[section]["_items"].append(item)
        # "when" may name an item further down, so its value is typed once all kinds are known.
        for item, row, target, _raw in self.pending_when:
            kind = self.item_kinds.get(target)
            if kind is None:
                self.problem(row.where("when_item"), f"no item {show(target)} in the items sheet")
            kind = kind or None  # a bad kind: type the value by the cell alone
            value = self.cell(row, "when_equals", partial(equals_value, kind=kind))
            if value is not None:
                item["when"] = {"item": target, "equals": value}
        return bonus_items

    def check_standards(self) -> None:
        """A note for each 评分标准 cell whose words differ from the item's rule.

        The column is derived: an office that edits its words has not changed the rule, and the
        next export rewrites them. Checked only once the workbook read without a problem, as a
        rule with a faulty part cannot be put in words.
        """
        if self.problems or not self.worded:
            return
        models = {}
        for item in self.items_read:
            model = item_model(item)
            if model is not None:
                models[model.code] = model
        for item, row, written in self.worded:
            model = models.get(item.get("code", ""))
            if model is None:
                continue
            generated = standard_text(model, models)
            if same_words(written, generated):
                continue
            header = row.header
            columns = " or ".join(header.column(name) if header is not None else name
                                  for name in RULE_COLUMNS[model.kind])
            self.note(row.where("standard"),
                      f"says {show(one_line(written))}, but the item's rule reads "
                      f"{show(one_line(generated))}; these "
                      "words are not read (they are written from the rule on export): to change "
                      f"the rule, edit column {columns}")

    @staticmethod
    def is_heading(row: Row) -> bool:
        """A section heading row: a section code (or the bonus mark) and at most the section's
        names, with no item code and no kind. The writer puts one above each section's items so
        the printed table shows the section names; the names are those of the sections sheet."""
        cells = row.cells
        if cells.get("code") is not None or cells.get("kind") is not None:
            return False
        if cells.get("section") is None and cells.get("bonus") is None:
            return False
        return all(value is None for name, value in cells.items()
                   if name not in HEADING_COLUMNS)

    def read_heading(self, row: Row, nodes: dict[str, dict[str, Any]]) -> str | None:
        """The section a heading row opens (its items below may leave the section empty)."""
        if self.boolean(row, "bonus"):
            return None
        section = self.text(row, "section")
        if section is None:
            return None
        node = nodes.get(section)
        if node is None:
            self.problem(row.where("section"), f"no section {show(section)} in the sections sheet")
            return None
        name = node.get("name", {})
        for language in ("zh", "en"):
            written = self.text(row, f"text_{language}")
            if written is not None and written != name.get(language):
                self.problem(row.where(f"text_{language}"),
                             f"this section heading says {show(written)} but the sections sheet "
                             f"names section {show(section)} {show(name.get(language))}; rename "
                             "it there (a row with no item code and no kind is a section "
                             "heading; give it both to make it an item)")
        return section

    def read_item(self, row: Row) -> dict[str, Any]:
        item: dict[str, Any] = {}
        code = self.claim_code(row)
        if code is not None:
            item["code"] = code
        kind = self.choice(row, "kind", KINDS, required=True)
        if code is not None:
            self.item_kinds.setdefault(code, kind or "")
        if kind is not None:
            item["kind"] = kind
            for column in KIND_COLUMNS.get(kind, ()):
                self.needs(row, column, f"{kind} items")
        text = self.label(row, "text", required=True)
        if text is not None:
            item["text"] = text
        guidance = self.label(row, "guidance", required=False)
        if guidance is not None:
            item["guidance"] = guidance
        for column in ("max", "min", "step"):
            value = self.number(row, column)
            if value is not None:
                item[column] = value
        levels = self.read_levels(row)
        if levels is not None:
            item["levels"] = levels
        deductions = self.read_deductions(row)
        if deductions is not None:
            item["deductions"] = deductions
        indicator = self.read_indicator(row)
        if indicator is not None:
            item["indicator"] = indicator
        points_each = self.number(row, "points_each")
        if points_each is not None:
            item["points_each"] = points_each
            self.needs(row, "max", "count items with points_each")
        max_count = self.integer(row, "max_count")
        if max_count is not None:
            item["max_count"] = max_count
        for column in FLAG_COLUMNS:
            flag = self.boolean(row, column)
            if flag is not None:
                item[column] = flag
        evidence = self.read_evidence(row)
        if evidence is not None:
            item["evidence"] = evidence
        when_item = self.text(row, "when_item")
        when_equals = row.cells.get("when_equals")
        if when_item is not None and when_equals is not None:
            self.pending_when.append((item, row, when_item, when_equals))
        elif when_item is not None:
            if self.needs(row, "when_equals", "rows with a when_item"):
                self.problem(row.where("when_equals"), "empty (when_item needs a value to compare)")
        elif when_equals is not None:
            if self.needs(row, "when_item", "rows with a when_equals"):
                self.problem(row.where("when_item"), "empty (when_equals needs an item)")
        return item

    def read_evidence(self, row: Row) -> list[str] | None:
        parts = self.cell(row, "evidence", to_list)
        if parts is None:
            return None
        if len(parts) == 1 and parts[0].lower() in EVIDENCE_NONE:
            return []
        methods: list[str] = []
        for part in parts:
            method = EVIDENCE_ALIASES.get(part, part.lower())
            if method not in EVIDENCE:
                self.problem(row.where("evidence"),
                             f"unknown evidence method {show(part)} (expected "
                             f"{', '.join(EVIDENCE)})")
            elif method in methods:
                self.problem(row.where("evidence"), f"{show(part)} is listed twice")
            else:
                methods.append(method)
        return methods

    def _entries(self, row: Row, column: str, shape: str,
                 sizes: tuple[int, ...]) -> list[list[str]] | None:
        text = self.text(row, column)
        if text is None:
            return None
        entries = split_entries(text)
        good: list[list[str]] = []
        for number, fields in enumerate(entries, start=1):
            if len(fields) not in sizes:
                hint = ""
                if "：" in text or "；" in text:
                    hint = " (use ASCII ':' and ';', not '：' or '；')"
                self.problem(row.where(column),
                             f"entry {number} {show(':'.join(fields))} has {len(fields)} "
                             f"parts; write {shape}{hint}")
            else:
                good.append(fields)
        return good

    def _entry_label(self, row: Row, column: str, number: int, zh: str,
                     en: str) -> dict[str, str]:
        if not zh or not en:
            self.problem(row.where(column),
                         f"entry {number}: the label needs both zh and en")
        return {k: v for k, v in (("zh", zh), ("en", en)) if v}

    def _entry_number(self, row: Row, column: str, number: int, what: str, value: str,
                      convert: Any) -> Any:
        try:
            result = convert(value)
        except CellError as exc:
            self.problem(row.where(column), f"entry {number}: {what} {exc}")
            return None
        if result is None:
            self.problem(row.where(column), f"entry {number}: {what} is empty")
        return result

    def _entry(self, row: Row, column: str, noun: str, number: int, fields: list[str],
               seen: set[str]) -> dict[str, Any]:
        """The ``code:zh:en:points`` fields every level and deduction entry starts with."""
        code, zh, en, points = fields[:4]
        if not code:
            self.problem(row.where(column), f"entry {number}: the {noun} code is empty")
        elif code in seen:
            self.problem(row.where(column),
                         f"entry {number}: duplicate {noun} code {show(code)}")
        seen.add(code)
        entry: dict[str, Any] = {"code": code,
                                 "label": self._entry_label(row, column, number, zh, en)}
        value = self._entry_number(row, column, number, "points", points, to_number)
        if value is not None:
            entry["points"] = value
        return entry

    def read_levels(self, row: Row) -> list[dict[str, Any]] | None:
        entries = self._entries(row, "levels", "code:label_zh:label_en:points", (4,))
        if entries is None:
            return None
        seen: set[str] = set()
        return [self._entry(row, "levels", "level", number, fields, seen)
                for number, fields in enumerate(entries, start=1)]

    def read_deductions(self, row: Row) -> list[dict[str, Any]] | None:
        entries = self._entries(row, "deductions",
                                "code:label_zh:label_en:points[:max_count]", (4, 5))
        if entries is None:
            return None
        deductions: list[dict[str, Any]] = []
        seen: set[str] = set()
        for number, fields in enumerate(entries, start=1):
            deduction = self._entry(row, "deductions", "deduction", number, fields, seen)
            if len(fields) == 5 and fields[4]:
                count = self._entry_number(row, "deductions", number, "max_count", fields[4],
                                           to_int)
                if count is not None:
                    deduction["max_count"] = count
            deductions.append(deduction)
        return deductions

    def read_indicator(self, row: Row) -> dict[str, Any] | None:
        if all(row.cells.get(c) is None for c in INDICATOR_COLUMNS):
            return None
        indicator: dict[str, Any] = {}
        numerator = self.label(row, "numerator", required=False)
        if numerator is not None:
            indicator["numerator"] = numerator
        denominator = self.label(row, "denominator", required=False)
        if denominator is not None:
            indicator["denominator"] = denominator
        rate = self.boolean(row, "rate")
        if rate is not None:
            indicator["rate"] = rate
        comparator = self.choice(row, "comparator", COMPARATORS, COMPARATOR_ALIASES)
        if comparator is not None:
            indicator["comparator"] = comparator
        for column in ("target", "tolerance"):
            value = self.number(row, column)
            if value is not None:
                indicator[column] = value
        return indicator

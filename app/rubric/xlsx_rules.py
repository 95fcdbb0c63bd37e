"""Read the rule sheets that sit beside the section tree: bands, vetoes and prorate.

They refer to codes from the other sheets (an item, a band, a section), so they are read after
the sections and items sheets and check those references by row.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from app.rubric.xlsx_cells import equals_value, show, to_list
from app.rubric.xlsx_columns import (
    BAND_COLUMNS,
    CONDITIONS,
    EFFECTS,
    PRORATE_COLUMNS,
    SHEET_BANDS,
    SHEET_ITEMS,
    SHEET_PRORATE,
    SHEET_VETOES,
    VETO_COLUMNS,
)
from app.rubric.xlsx_rows import RowReader


class RuleReader(RowReader):
    """The bands, vetoes and prorate sheets."""

    def read_bands(self) -> list[dict[str, Any]]:
        bands: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        rows = self.table(SHEET_BANDS, BAND_COLUMNS) or []
        for row in rows:
            band: dict[str, Any] = {}
            code = self.required_text(row, "code")
            if code is not None:
                if code in seen:
                    self.problem(row.where("code"),
                                 f"duplicate band code {show(code)} (already at row "
                                 f"{seen[code]})")
                seen.setdefault(code, row.number)
                band["code"] = code
            label = self.label(row, "label", required=True)
            if label is not None:
                band["label"] = label
            minimum = self.number(row, "min")
            if minimum is not None:
                band["min"] = minimum
            if row is not rows[-1]:  # every band but the last has a bound, stated explicitly
                self.needs(row, "min", "every band but the last")
                self.needs(row, "min_inclusive", "every band but the last")
            inclusive = self.boolean(row, "min_inclusive")
            if inclusive is not None:
                band["min_inclusive"] = inclusive
            bands.append(band)
            self.row_of[id(band)] = row
        self.band_codes = set(seen)
        return bands

    def read_vetoes(self) -> list[dict[str, Any]]:
        vetoes: list[dict[str, Any]] = []
        for row in self.table(SHEET_VETOES, VETO_COLUMNS) or []:
            veto: dict[str, Any] = {}
            code = self.claim_code(row)
            if code is not None:
                veto["code"] = code
            label = self.label(row, "label", required=True)
            if label is not None:
                veto["label"] = label
            trigger: dict[str, Any] = {}
            item = self.required_text(row, "item")
            if item is not None:
                trigger["item"] = item
                if item not in self.item_kinds and SHEET_ITEMS in self.sheets \
                        and SHEET_ITEMS not in self.unusable:
                    self.problem(row.where("item"), f"no item {show(item)} in the items sheet")
            condition = self.choice(row, "condition", CONDITIONS, required=True)
            raw_value = row.cells.get("value")
            if condition in ("equals", "award_below") and not self.needs(row, "value", f"{condition} vetoes"):
                pass
            elif condition == "equals":
                if raw_value is None:
                    self.problem(row.where("value"), "empty (equals needs a value)")
                else:
                    kind = (self.item_kinds.get(item) or None) if item is not None else None
                    value = self.cell(row, "value", partial(equals_value, kind=kind))
                    if value is not None:
                        trigger["equals"] = value
            elif condition == "not_met":
                flag = self.boolean(row, "value")
                trigger["not_met"] = True if flag is None else flag
            elif condition == "award_below":
                threshold = self.number(row, "value")
                if threshold is None and raw_value is None:
                    self.problem(row.where("value"), "empty (award_below needs a number)")
                if threshold is not None:
                    trigger["award_below"] = threshold
            veto["trigger"] = trigger
            effect = self.choice(row, "effect", EFFECTS, required=True)
            band = self.text(row, "cap_band")
            if effect == "fail":
                if band is not None:
                    self.problem(row.where("cap_band"), "must be empty when effect is fail")
                veto["effect"] = "fail"
            elif effect == "cap_band":
                if not self.needs(row, "cap_band", "cap_band vetoes"):
                    pass
                elif band is None:
                    self.problem(row.where("cap_band"), "empty (effect cap_band needs a band)")
                else:
                    if self.band_codes and band not in self.band_codes:
                        self.problem(row.where("cap_band"),
                                     f"no band {show(band)} in the bands sheet")
                    veto["effect"] = {"cap_band": band}
            vetoes.append(veto)
            self.row_of[id(veto)] = row
        return vetoes

    def read_prorate(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = []
        for row in self.table(SHEET_PRORATE, PRORATE_COLUMNS) or []:
            rule: dict[str, Any] = {}
            section = self.required_text(row, "section")
            if section is not None:
                if self.section_codes and section not in self.section_codes:
                    self.problem(row.where("section"),
                                 f"no section {show(section)} in the sections sheet")
                rule["section"] = section
            rule["unit_types"] = self.cell(row, "unit_types", to_list) or []
            rule["share"] = {
                "numerator": self.cell(row, "numerator", to_list) or [],
                "denominator": self.cell(row, "denominator", to_list) or [],
            }
            rules.append(rule)
            self.row_of[id(rule)] = row
        return rules

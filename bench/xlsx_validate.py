"""Benchmark: read a 1,000-item rubric workbook and validate it (target <= 1 s).

An office imports its rubric from Excel and expects the result (document or a list of problems)
while it waits at the dialog; a large county rubric has several hundred items, so 1,000 rows is
the budget line. The workbook is generated in a temp dir by ``write_xlsx``, every item kind mixed.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.rubric.xlsx import read_xlsx, write_xlsx  # noqa: E402
from bench.common import Figure, median_ms, print_table  # noqa: E402

try:
    from app.rubric import validate_document
except ImportError:  # the engine is optional for this figure: time the read alone then
    validate_document = None  # type: ignore[assignment]

ITEMS = 1000
SECTIONS = 20
REPEAT = 5


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _item(n: int) -> dict[str, Any]:
    code = f"I{n:04d}"
    text = _label(f"考核内容第{n}项：查阅资料并实地察看", f"Item {n}: check documents and site")
    kind = ("points", "level", "passfail", "deduction", "indicator", "count", "text")[n % 7]
    item: dict[str, Any] = {"code": code, "kind": kind, "text": text,
                            "guidance": _label("查阅台账", "Check the ledger"),
                            "evidence": ["documents", "site"]}
    if kind == "points":
        item.update(max=5, step=0.5, photo_required=True)
    elif kind == "level":
        item["levels"] = [{"code": "met", "label": _label("达标", "Meets"), "points": 4},
                          {"code": "basic", "label": _label("基本达标", "Basically"), "points": 2},
                          {"code": "unmet", "label": _label("未达标", "Not met"), "points": 0}]
    elif kind == "passfail":
        item["max"] = 2
    elif kind == "deduction":
        item.update(max=6, deductions=[
            {"code": "d1", "label": _label("无记录", "No record"), "points": 1, "max_count": 3},
            {"code": "d2", "label": _label("迟报", "Late"), "points": 0.5}])
    elif kind == "indicator":
        item.update(max=3, indicator={"numerator": _label("在校生数", "Enrolled"),
                                      "denominator": _label("应入学人数", "Eligible"),
                                      "comparator": ">=", "target": 99.5})
    elif kind == "count":
        item.update(points_each=0.5, max=2)
    else:
        item["required"] = False
    return item


def big_document() -> dict[str, Any]:
    per = ITEMS // SECTIONS
    sections = [
        {"code": f"S{s:02d}", "name": _label(f"第{s}部分", f"Part {s}"),
         "items": [_item(s * per + i) for i in range(per)]}
        for s in range(SECTIONS)
    ]
    return {
        "format": "fieldmark.rubric/1", "id": "bench-xlsx", "version": "1",
        "name": _label("基准细则", "Benchmark rubric"), "sections": sections,
        "bands": [{"code": "met", "label": _label("达标", "Meets"), "min": 900,
                   "min_inclusive": True},
                  {"code": "unmet", "label": _label("不达标", "Does not meet")}],
    }


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.xlsx"
        write_xlsx(big_document(), path)

        def read_and_validate() -> None:
            doc = read_xlsx(path)
            if validate_document is not None:
                problems = validate_document(doc)
                assert not problems, problems[:3]

        seconds = median_ms(read_and_validate, repeat=REPEAT, warmup=1) / 1000.0
        # The read alone too, so a regression shows on which side of the pipeline it lies.
        read_only = median_ms(lambda: read_xlsx(path), repeat=REPEAT, warmup=1) / 1000.0
    figures = [Figure(f"xlsx read_xlsx alone, {ITEMS:,} items (median s)", read_only, "s", 1.0)]
    if validate_document is not None:
        figures.append(Figure(f"xlsx read_xlsx + validate_document, {ITEMS:,} items (median s)",
                              seconds, "s", 1.0))
    return figures


if __name__ == "__main__":
    print_table(run())

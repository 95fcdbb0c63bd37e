"""The empty rubric workbook an office starts from: ``fieldmark rubric template --xlsx OUT``.

It is the authoring layout of ``xlsx_write`` (Chinese headers over the field names, a note on
every header in both languages, drop-down lists for the kind and the evidence methods) holding
one example row for each item kind, an example veto and the three grade bands. The examples form
a valid rubric, so an office can import the template as it is to see how the rows read, then
overwrite them with its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.rubric.xlsx_columns import FORMAT
from app.rubric.xlsx_write import write_xlsx


def _l(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


# One example item for each kind, in the order of the kind list in the items sheet's note.
TEMPLATE_DOC: dict[str, Any] = {
    "format": FORMAT,
    "id": "my-rubric",
    "version": "1",
    "name": _l("示例评分细则（改为本细则名称）", "Example rubric (give your rubric's name)"),
    "description": _l("每种计分类型一行示例；改写或删除示例行后填写本单位的评分项目。",
                      "One example row per item kind; overwrite or delete them and add yours."),
    "source": "（文件依据，如 某教督〔2024〕1号）",
    "sections": [
        {"code": "A", "name": _l("示例部分一", "Example part one"), "items": [
            {"code": "A1", "kind": "points",
             "text": _l("示例：制度健全，计划、总结齐全", "Example: rules, plan and report in place"),
             "max": 10, "step": 0.5, "evidence": ["documents"],
             "guidance": _l("查阅制度汇编和年度计划", "Read the rule book and the year plan")},
            {"code": "A2", "kind": "deduction",
             "text": _l("示例：档案齐全规范", "Example: complete and orderly files"), "max": 10,
             "deductions": [
                 {"code": "a", "label": _l("每缺一类档案", "Each kind of file missing"),
                  "points": 2, "max_count": 5},
                 {"code": "b", "label": _l("档案不规范", "Files not in order"), "points": 1}],
             "evidence": ["documents", "spot_check"]},
            {"code": "A3", "kind": "passfail",
             "text": _l("示例：无D级危房在用", "Example: no D-class building in use"), "max": 5,
             "evidence": ["site"]},
            {"code": "A4", "kind": "level",
             "text": _l("示例：校园环境整洁", "Example: a clean and tidy campus"),
             "levels": [
                 {"code": "met", "label": _l("达标", "Meets the standard"), "points": 10},
                 {"code": "basic", "label": _l("基本达标", "Basically meets"), "points": 6},
                 {"code": "unmet", "label": _l("未达标", "Does not meet"), "points": 0}],
             "evidence": ["site", "interview"]},
        ]},
        {"code": "B", "name": _l("示例部分二", "Example part two"), "items": [
            {"code": "B1", "kind": "indicator",
             "text": _l("示例：巩固率达到99%以上", "Example: retention rate of 99% or more"),
             "max": 10,
             "indicator": {"numerator": _l("在校生数", "Pupils enrolled"),
                           "denominator": _l("应在校生数", "Pupils expected"),
                           "comparator": ">=", "target": 99},
             "evidence": ["documents", "spot_check"]},
            {"code": "B2", "kind": "count",
             "text": _l("示例：每学期应急演练次数", "Example: emergency drills this term"),
             "points_each": 2.5, "max": 5, "max_count": 2, "evidence": ["documents"]},
            {"code": "B3", "kind": "text",
             "text": _l("示例：其他需要说明的情况", "Example: anything else to note"),
             "required": False, "evidence": ["interview", "questionnaire"]},
        ]},
    ],
    "vetoes": [
        {"code": "V1", "label": _l("示例：存在D级危房并继续使用", "Example: a D-class building in use"),
         "trigger": {"item": "A3", "equals": False}, "effect": "fail"}],
    "bands": [
        {"code": "met", "label": _l("达标", "Meets the standard"), "min": 45,
         "min_inclusive": True},
        {"code": "basic", "label": _l("基本达标", "Basically meets the standard"), "min": 35,
         "min_inclusive": True},
        {"code": "unmet", "label": _l("不达标", "Does not meet the standard")}],
}


def write_template(path: str | Path) -> None:
    """Write the template workbook at ``path`` (replaced atomically)."""
    write_xlsx(TEMPLATE_DOC, path)

"""The spreadsheet layout of a rubric: sheet names, column specs and the format's vocabulary.

Defined once here and used by both directions (``xlsx_read`` and ``xlsx_write``), so what is
written is exactly what is read back and the two cannot drift apart. The layout is described for
authors in docs/rubrics.md, section "Spreadsheet layout".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT = "fieldmark.rubric/1"

KINDS = ("points", "deduction", "passfail", "level", "indicator", "count", "text")
EVIDENCE = ("documents", "site", "interview", "questionnaire", "spot_check")
# Offices write the Chinese method names from the circulars; both map to the format's codes.
EVIDENCE_ALIASES = {
    "查阅资料": "documents",
    "资料": "documents",
    "实地察看": "site",
    "实地查看": "site",
    "座谈": "interview",
    "问卷": "questionnaire",
    "抽查": "spot_check",
}
# An explicit empty evidence list ("evidence": []) differs from an absent one, so it has a word.
EVIDENCE_NONE = ("none", "无")
COMPARATORS = (">=", ">", "<=", "<", "==")
COMPARATOR_ALIASES = {"≥": ">=", "≤": "<=", "=": "==", "＞": ">", "＜": "<", "＝": "=="}
CONDITIONS = ("equals", "not_met", "award_below")
EFFECTS = ("fail", "cap_band")
BANDS_BASIS = ("total", "percent")
COMBINE_METHODS = ("mean", "min", "max", "median")

# Sheet names, in the order the writer creates them.
SHEET_RUBRIC = "rubric"
SHEET_SECTIONS = "sections"
SHEET_ITEMS = "items"
SHEET_BANDS = "bands"
SHEET_VETOES = "vetoes"
SHEET_PRORATE = "prorate"
REQUIRED_SHEETS = (SHEET_RUBRIC, SHEET_SECTIONS, SHEET_ITEMS)
OPTIONAL_SHEETS = (SHEET_BANDS, SHEET_VETOES, SHEET_PRORATE)

# How far down the reader looks for a header row, so a title row above the table is allowed.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    """One column of a table sheet: its header, cell type and help text for the header note."""

    name: str
    type: str  # text | code | number | int | bool | list | levels | deductions | choice
    required: bool = False
    width: float = 12
    help: str = ""
    choices: tuple[str, ...] = ()


def _c(name: str, type_: str, width: float, help_: str, *, required: bool = False,
       choices: tuple[str, ...] = ()) -> Column:
    return Column(name, type_, required, width, help_, choices)


RUBRIC_FIELDS: tuple[Column, ...] = (
    _c("format", "text", 0, "固定为 / always fieldmark.rubric/1", required=True),
    _c("id", "code", 0, "稳定标识（小写字母、数字、-） / stable slug", required=True),
    _c("version", "code", 0, "版本，如 2024.1 / edition label", required=True),
    _c("name_zh", "text", 0, "中文名称 / Chinese name", required=True),
    _c("name_en", "text", 0, "英文名称 / English name", required=True),
    _c("description_zh", "text", 0, "说明（中文，可空） / description, optional"),
    _c("description_en", "text", 0, "说明（英文，可空） / description, optional"),
    _c("source", "text", 0, "文件依据，如 丹文明委[2011]11号 / source document"),
    _c("rounding_places", "int", 0, "显示小数位（默认 1） / display decimals, default 1"),
    _c("bands_basis", "choice", 0, "total 或 percent（默认 total）", choices=BANDS_BASIS),
    _c("bonus_cap", "number", 0, "加分上限（有加分项时填写） / bonus cap"),
    _c("combine_method", "choice", 0, "多次检查合成：mean/min/max/median", choices=COMBINE_METHODS),
    _c("combine_count", "int", 0, "合成的检查次数，如 8 / number of checks combined"),
)

SECTION_COLUMNS: tuple[Column, ...] = (
    _c("code", "code", 10, "部分编号，全表唯一 / section code, unique", required=True),
    _c("parent", "code", 10, "上级部分编号，顶层留空 / parent section code, empty at top level"),
    _c("name_zh", "text", 30, "部分名称（中文） / section name (Chinese)", required=True),
    _c("name_en", "text", 30, "部分名称（英文） / section name (English)", required=True),
    _c("cap", "number", 8, "本部分得分上限（可空） / cap on the section, optional"),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    _c("section", "code", 10,
       "所属部分编号；留空 = 同上一行 / section code; empty = same as the row above", required=True),
    _c("code", "code", 10, "项目编号，全表唯一 / item code, unique", required=True),
    _c("kind", "choice", 11, "类型 / kind: " + ", ".join(KINDS), required=True, choices=KINDS),
    _c("text_zh", "text", 40, "考核内容（中文） / item text (Chinese)", required=True),
    _c("text_en", "text", 40, "考核内容（英文） / item text (English)", required=True),
    _c("max", "number", 7, "满分 / maximum points"),
    _c("min", "number", 7, "最低分（points，默认 0） / minimum (points items)"),
    _c("step", "number", 7, "分值步长（points，默认 1） / step (points items)"),
    _c("levels", "levels", 44,
       "等级：代码:中文:英文:分值; … 例 met:达标:Meets:5; unmet:未达标:Not met:0"),
    _c("deductions", "deductions", 44,
       "扣分：代码:中文:英文:每次扣分[:最多次数]; … 例 d1:无记录:No record:1:3"),
    _c("numerator_zh", "text", 18, "指标分子（中文） / indicator numerator"),
    _c("numerator_en", "text", 18, "指标分子（英文） / indicator numerator"),
    _c("denominator_zh", "text", 18, "指标分母（中文，可空） / indicator denominator"),
    _c("denominator_en", "text", 18, "指标分母（英文，可空） / indicator denominator"),
    _c("rate", "bool", 7, "按百分比计算（默认 是） / value is a percentage (default yes)"),
    _c("comparator", "choice", 10, "比较：>=, >, <=, <, ==", choices=COMPARATORS),
    _c("target", "number", 8, "指标目标值 / indicator target"),
    _c("tolerance", "number", 9, "允许误差（默认 0.1） / reported-value tolerance"),
    _c("points_each", "number", 9, "count 每次得分 / points per counted unit"),
    _c("max_count", "int", 9, "count 最多次数（可空） / highest count allowed (count items)"),
    _c("required", "bool", 9, "必答（默认 是） / must be answered (default yes)"),
    _c("na_allowed", "bool", 10, "可标记不适用（默认 否） / may be N/A (default no)"),
    _c("photo_required", "bool", 10, "须附照片（默认 否） / photo required (default no)"),
    _c("reason_below_max", "bool", 12, "未得满分须写原因 / reason needed below max"),
    _c("evidence", "list", 22,
       "考核方法，逗号分隔：documents 查阅资料, site 实地察看, interview 座谈, "
       "questionnaire 问卷, spot_check 抽查; none = 明确为空"),
    _c("guidance_zh", "text", 30, "考核方法说明（中文） / how to check (Chinese)"),
    _c("guidance_en", "text", 30, "考核方法说明（英文） / how to check (English)"),
    _c("when_item", "code", 10,
       "条件项：仅当该项目的答案等于 when_equals 时才评此项 / asked only when this item's answer…"),
    _c("when_equals", "text", 11, "…等于此值（是/否、等级代码或数字） / …equals this value"),
    _c("bonus", "bool", 7, "加分项（不填部分） / bonus item (leave section empty)"),
)

BAND_COLUMNS: tuple[Column, ...] = (
    _c("code", "code", 10, "等次代码，由高到低 / band code, best first", required=True),
    _c("label_zh", "text", 20, "等次名称（中文） / band label (Chinese)", required=True),
    _c("label_en", "text", 24, "等次名称（英文） / band label (English)", required=True),
    _c("min", "number", 8, "下限，最后一行留空 / lower bound; empty on the last band"),
    _c("min_inclusive", "bool", 13, "下限含本数 / the bound itself belongs to this band"),
)

VETO_COLUMNS: tuple[Column, ...] = (
    _c("code", "code", 10, "否决项编号，全表唯一 / veto code", required=True),
    _c("label_zh", "text", 36, "否决原因（中文） / reason (Chinese)", required=True),
    _c("label_en", "text", 36, "否决原因（英文） / reason (English)", required=True),
    _c("item", "code", 12, "触发项目编号 / trigger item code", required=True),
    _c("condition", "choice", 12, "equals / not_met / award_below", required=True,
       choices=CONDITIONS),
    _c("value", "text", 10, "equals 的值或 award_below 的分数 / value or threshold"),
    _c("effect", "choice", 10, "fail（不合格）或 cap_band（封顶等次）", required=True,
       choices=EFFECTS),
    _c("cap_band", "code", 10, "cap_band 时的等次代码 / band code for cap_band"),
)

PRORATE_COLUMNS: tuple[Column, ...] = (
    _c("section", "code", 10, "按比例计分的部分编号 / section code", required=True),
    _c("unit_types", "list", 28, "适用单位类型，逗号分隔 / unit types, comma list", required=True),
    _c("numerator", "list", 32, "分子：档案数字名，逗号分隔 / profile numbers summed",
       required=True),
    _c("denominator", "list", 32, "分母：档案数字名，逗号分隔 / profile numbers summed",
       required=True),
)

TABLES: dict[str, tuple[Column, ...]] = {
    SHEET_SECTIONS: SECTION_COLUMNS,
    SHEET_ITEMS: ITEM_COLUMNS,
    SHEET_BANDS: BAND_COLUMNS,
    SHEET_VETOES: VETO_COLUMNS,
    SHEET_PRORATE: PRORATE_COLUMNS,
}

# Item columns read and written as a group. An indicator exists when any of its cells is filled.
INDICATOR_COLUMNS = ("numerator_zh", "numerator_en", "denominator_zh", "denominator_en", "rate",
                     "comparator", "target", "tolerance")
FLAG_COLUMNS = ("required", "na_allowed", "photo_required", "reason_below_max")
# Optional item columns that an item of the kind cannot do without (the format's required fields).
# A sheet without one of them is one problem naming the column, not one per item row.
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "points": ("max",),
    "deduction": ("max", "deductions"),
    "passfail": ("max",),
    "level": ("levels",),
    "indicator": ("numerator_zh", "numerator_en", "comparator", "target"),
}

# An "equals" cell (a veto trigger, a when condition) is typed by the compared item's kind:
# passfail -> yes/no, these kinds -> a number or a text. The writer checks against the same sets,
# so a value it writes reads back equal.
NUMBER_KINDS = ("points", "count", "indicator", "deduction")
TEXT_KINDS = ("level", "text")

_NAME_RE = re.compile(r"[\s.\-]+")


def normalise_name(value: object) -> str:
    """Header and field names compare loosely: "Rounding places" == "rounding.places"."""
    return _NAME_RE.sub("_", str(value).strip().lower()).strip("_")

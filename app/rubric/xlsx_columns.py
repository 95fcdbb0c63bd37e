"""The spreadsheet layout of a rubric: sheet names, column specs and the format's vocabulary.

Defined once here and used by both directions (``xlsx_read`` and ``xlsx_write``), so what is
written is exactly what is read back and the two cannot drift apart. The layout is described for
authors in docs/rubrics.md, section "Spreadsheet layout".
"""

from __future__ import annotations

import functools
import re
import unicodedata
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
# What the writer puts in the cell, so the printed table reads in the office's words.
EVIDENCE_ZH = {"documents": "查阅资料", "site": "实地察看", "interview": "座谈",
               "questionnaire": "问卷", "spot_check": "抽查"}
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
    """One column of a table sheet: its field name, Chinese header, cell type and help text.

    The header is written Chinese first with the field name under it ("分值" over "max"); the
    reader accepts either alone or both, so files written before the Chinese headers still read.
    """

    name: str
    zh: str
    # text | code | number | int | bool | list | levels | deductions | choice, or derived:
    # written from other columns and never read as data.
    type: str
    required: bool = False
    width: float = 12
    help: str = ""
    choices: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.zh}\n{self.name}"


def _c(name: str, zh: str, type_: str, width: float, help_: str, *, required: bool = False,
       choices: tuple[str, ...] = ()) -> Column:
    return Column(name, zh, type_, required, width, help_, choices)


RUBRIC_FIELDS: tuple[Column, ...] = (
    _c("format", "格式", "text", 0, "固定为 fieldmark.rubric/1 / always fieldmark.rubric/1",
       required=True),
    _c("id", "标识", "code", 0, "稳定标识（小写字母、数字、-） / stable slug", required=True),
    _c("version", "版本", "code", 0, "版本，如 2024.1 / edition label", required=True),
    _c("name_zh", "名称", "text", 0, "中文名称 / Chinese name", required=True),
    _c("name_en", "名称（英文）", "text", 0, "英文名称 / English name", required=True),
    _c("description_zh", "说明", "text", 0, "说明（中文，可空） / description, optional"),
    _c("description_en", "说明（英文）", "text", 0, "说明（英文，可空） / description, optional"),
    _c("source", "文件依据", "text", 0, "文件依据，如 丹文明委[2011]11号 / source document"),
    _c("rounding_places", "小数位", "int", 0, "显示小数位（默认 1） / display decimals, default 1"),
    _c("bands_basis", "等次依据", "choice", 0,
       "total 总分 或 percent 得分率（默认 total） / total or percent", choices=BANDS_BASIS),
    _c("bonus_cap", "加分上限", "number", 0, "加分上限（有加分项时填写） / bonus cap"),
    _c("combine_method", "合成方式", "choice", 0,
       "多次检查合成：mean/min/max/median / how several checks combine", choices=COMBINE_METHODS),
    _c("combine_count", "合成次数", "int", 0, "合成的检查次数，如 8 / number of checks combined"),
)

SECTION_COLUMNS: tuple[Column, ...] = (
    _c("code", "编号", "code", 10, "部分编号，全表唯一 / section code, unique", required=True),
    _c("parent", "上级编号", "code", 10,
       "上级部分编号，顶层留空 / parent section code, empty at top level"),
    _c("name_zh", "名称", "text", 30, "部分名称（中文） / section name (Chinese)", required=True),
    _c("name_en", "名称（英文）", "text", 30, "部分名称（英文） / section name (English)",
       required=True),
    _c("cap", "得分上限", "number", 10, "本部分得分上限（可空） / cap on the section, optional"),
)

# The items sheet: the columns a school reads on paper come first (they are the print area, see
# ``PRINTED_ITEM_COLUMNS``); the rule as the program reads it (kind, levels, deductions), the
# English texts and the other details the program needs follow, outside the print area. The
# printed 评分标准 says the rule in words and is derived from those columns (``xlsx_standard``).
ITEM_COLUMNS: tuple[Column, ...] = (
    _c("section", "评估项目", "code", 8,
       "所属部分编号；留空 = 同上一行；只有编号和名称的行是部分标题 / section code; empty = "
       "same as the row above; a row with no item code and no kind is a section heading",
       required=True),
    _c("code", "编号", "code", 8, "项目编号，全表唯一 / item code, unique", required=True),
    _c("text_zh", "评估内容", "text", 44, "评估内容（中文） / item text (Chinese)", required=True),
    _c("max", "分值", "number", 7, "满分 / maximum points"),
    _c("standard", "评分标准", "derived", 40,
       "评分标准（自动生成，供打印）：由计分类型、分值、等级、扣分等列生成，导入时不读；要改评分"
       "标准，请改这些列 / the scoring rule in words, generated from the kind, max, levels and "
       "deductions columns for printing; not read on import: edit those columns instead"),
    _c("evidence", "评估方式", "list", 12,
       "评估方式，可多选，用顿号或逗号分隔：查阅资料 documents、实地察看 site、座谈 interview、"
       "问卷 questionnaire、抽查 spot_check；无 none = 明确为空 / evidence methods, a list"),
    _c("guidance_zh", "评估说明", "text", 28, "怎样检查（中文） / how to check (Chinese)"),
    _c("kind", "计分类型", "choice", 11,
       "计分类型 / kind: points 打分, deduction 扣分, passfail 是否, level 等级, "
       "indicator 指标, count 计数, text 文字", required=True, choices=KINDS),
    _c("levels", "评分标准（等级）", "levels", 26,
       "等级：代码:中文:英文:分值; … 例 met:达标:Meets:5; unmet:未达标:Not met:0 / levels"),
    _c("deductions", "评分标准（扣分）", "deductions", 26,
       "扣分：代码:中文:英文:每次扣分[:最多次数]; … 例 d1:无记录:No record:1:3 / deductions"),
    _c("text_en", "评估内容（英文）", "text", 40, "评估内容（英文） / item text (English)",
       required=True),
    _c("guidance_en", "评估说明（英文）", "text", 28, "怎样检查（英文） / how to check (English)"),
    _c("min", "最低分", "number", 8, "最低分（points，默认 0） / minimum (points items)"),
    _c("step", "分值步长", "number", 8, "分值步长（points，默认 1） / step (points items)"),
    _c("numerator_zh", "指标分子", "text", 18, "指标分子（中文） / indicator numerator (Chinese)"),
    _c("numerator_en", "指标分子（英文）", "text", 18,
       "指标分子（英文） / indicator numerator (English)"),
    _c("denominator_zh", "指标分母", "text", 18,
       "指标分母（中文，可空） / indicator denominator (Chinese)"),
    _c("denominator_en", "指标分母（英文）", "text", 18,
       "指标分母（英文，可空） / indicator denominator (English)"),
    _c("rate", "按百分比", "bool", 9, "按百分比计算（默认 是） / value is a percentage (default yes)"),
    _c("comparator", "比较", "choice", 9, "比较：>=, >, <=, <, == / comparator",
       choices=COMPARATORS),
    _c("target", "目标值", "number", 9, "指标目标值 / indicator target"),
    _c("tolerance", "允许误差", "number", 9, "允许误差（默认 0.1） / reported-value tolerance"),
    _c("points_each", "每次得分", "number", 9, "count 每次得分 / points per counted unit"),
    _c("max_count", "最多次数", "int", 9, "count 最多次数（可空） / highest count allowed"),
    _c("required", "必答", "bool", 8, "必答（默认 是） / must be answered (default yes)"),
    _c("na_allowed", "可不适用", "bool", 9, "可标记不适用（默认 否） / may be N/A (default no)"),
    _c("photo_required", "须附照片", "bool", 9, "须附照片（默认 否） / photo required (default no)"),
    _c("reason_below_max", "失分须说明", "bool", 10,
       "未得满分须写原因（默认 否） / reason needed below max (default no)"),
    _c("when_item", "条件项目", "code", 10,
       "条件项：仅当该项目的答案等于条件值时才评此项 / asked only when this item's answer…"),
    _c("when_equals", "条件值", "text", 10,
       "…等于此值（是/否、等级代码或数字） / …equals this value"),
    _c("bonus", "加分项", "bool", 8, "加分项（不填评估项目） / bonus item (leave section empty)"),
)
# The print area of the items sheet: the first columns, as a school reads a 评分细则 table.
PRINTED_ITEM_COLUMNS = 7

BAND_COLUMNS: tuple[Column, ...] = (
    _c("code", "代码", "code", 10, "等次代码，由高到低 / band code, best first", required=True),
    _c("label_zh", "等次", "text", 20, "等次名称（中文） / band label (Chinese)", required=True),
    _c("label_en", "等次（英文）", "text", 24, "等次名称（英文） / band label (English)",
       required=True),
    _c("min", "分数下限", "number", 10, "下限，最后一行留空 / lower bound; empty on the last band"),
    _c("min_inclusive", "含下限", "bool", 13, "下限含本数 / the bound itself belongs to this band"),
)

VETO_COLUMNS: tuple[Column, ...] = (
    _c("code", "编号", "code", 10, "否决项编号，全表唯一 / veto code", required=True),
    _c("label_zh", "否决事项", "text", 36, "否决原因（中文） / reason (Chinese)", required=True),
    _c("label_en", "否决事项（英文）", "text", 36, "否决原因（英文） / reason (English)",
       required=True),
    _c("item", "触发项目", "code", 12, "触发项目编号 / trigger item code", required=True),
    _c("condition", "条件", "choice", 12,
       "equals 等于 / not_met 未达到 / award_below 得分低于", required=True, choices=CONDITIONS),
    _c("value", "值", "text", 10, "equals 的值或 award_below 的分数 / value or threshold"),
    _c("effect", "后果", "choice", 10, "fail 不合格 / cap_band 封顶等次", required=True,
       choices=EFFECTS),
    _c("cap_band", "封顶等次", "code", 12, "cap_band 时的等次代码 / band code for cap_band"),
)

PRORATE_COLUMNS: tuple[Column, ...] = (
    _c("section", "部分", "code", 10, "按比例计分的部分编号 / section code", required=True),
    _c("unit_types", "单位类型", "list", 28, "适用单位类型，逗号分隔 / unit types, comma list",
       required=True),
    _c("numerator", "分子", "list", 32, "分子：档案数字名，逗号分隔 / profile numbers summed",
       required=True),
    _c("denominator", "分母", "list", 32, "分母：档案数字名，逗号分隔 / profile numbers summed",
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
# The two languages of a header cell: "分值\nmax", "分值 / max", "分值 max".
_HEADER_PARTS_RE = re.compile(r"\s*[\n/]\s*|\s+")


def normalise_name(value: object) -> str:
    """Header and field names compare loosely: "Rounding places" == "rounding.places", and
    full-width forms as their ASCII ones ("名称（英文）" == "名称(英文)")."""
    text = unicodedata.normalize("NFKC", str(value))
    return _NAME_RE.sub("_", text.strip().lower()).strip("_")


@functools.cache
def _header_names(columns: tuple[Column, ...]) -> dict[str, str]:
    """Every accepted spelling of a sheet's headers (normalised) -> its field."""
    names: dict[str, str] = {}
    for column in columns:
        names[normalise_name(column.name)] = column.name
        names[normalise_name(column.zh)] = column.name
    return names


def match_header(value: object, columns: tuple[Column, ...]) -> str | None:
    """The field a header cell names, or None.

    A header is the Chinese name, the field name, or both (on two lines, or with a slash or a
    space between): "分值", "max", "分值\nmax" and "分值 / max" all name ``max``. Both halves must
    name the same column.
    """
    names = _header_names(columns)
    whole = normalise_name(value)
    if whole in names:
        return names[whole]
    parts = [p for p in _HEADER_PARTS_RE.split(unicodedata.normalize("NFKC", str(value)).strip())
             if p]
    found = {names.get(normalise_name(part)) for part in parts}
    if len(found) == 1 and None not in found:
        return found.pop()
    return None


def header_list(columns: tuple[Column, ...]) -> str:
    """The accepted headers of a sheet, for a problem about an unknown one."""
    return ", ".join(f"{c.zh} {c.name}" for c in columns)

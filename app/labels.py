"""Bilingual labels of the code lists the UI shows: visit types, statuses, severities, unit types.

The codes themselves live in the schema (``db.migrations``); this module pairs each with its
Chinese and English label so the UI can show them without importing ``db``. Chinese is the
source, as for rubric labels: these are the words of the domain, not interface text.
"""

from __future__ import annotations

from app.models import EVIDENCE_METHODS
from app.rubric import Label
from db.codes import AREA_LEVELS, FINDING_STATUSES, SEVERITIES, VISIT_STATUSES, VISIT_TYPES

VISIT_TYPE_LABELS: dict[str, Label] = {
    "self_assessment": Label("自评", "Self-assessment"),
    "preliminary_review": Label("初评", "Preliminary review"),
    "acceptance": Label("验收 / 复核", "Acceptance review"),
    "routine": Label("常规督导", "Routine supervision"),
    "themed": Label("专项督导", "Themed inspection"),
    "unannounced": Label("暗访", "Unannounced visit"),
    "spot_check": Label("抽查", "Spot check"),
    "follow_up": Label("复查", "Follow-up"),
}

VISIT_STATUS_LABELS: dict[str, Label] = {
    "in_progress": Label("进行中", "In progress"),
    "finalized": Label("已定稿", "Finalized"),
    "amended": Label("已修订", "Amended"),
    "cancelled": Label("已取消", "Cancelled"),
}

SEVERITY_LABELS: dict[str, Label] = {
    "general": Label("一般", "General"),
    "major": Label("重大", "Major"),
}

FINDING_STATUS_LABELS: dict[str, Label] = {
    "open": Label("待整改", "Open"),
    "fixed_on_site": Label("立行立改", "Fixed on site"),
    "reported_fixed": Label("已报整改", "Reported fixed"),
    "verified": Label("已复查", "Verified"),
    "closed": Label("已销号", "Closed"),
    "reopened": Label("重新整改", "Reopened"),
    "plan_received": Label("已收到整改方案", "Plan received"),
}

AREA_LEVEL_LABELS: dict[str, Label] = {
    "province": Label("省", "Province"),
    "city": Label("市", "City"),
    "county": Label("县（市、区）", "County"),
    "township": Label("乡镇（街道）", "Township"),
    "village": Label("村（社区）", "Village"),
}

# Unit types are free text in the schema (an office may add its own); these are the known ones.
UNIT_TYPE_LABELS: dict[str, Label] = {
    "primary": Label("小学", "Primary school"),
    "middle": Label("初级中学", "Middle school"),
    "nine_year": Label("九年一贯制学校", "Nine-year school"),
    "complete_secondary": Label("完全中学", "Complete secondary school"),
    "vocational": Label("职业学校", "Vocational school"),
    "kindergarten": Label("幼儿园", "Kindergarten"),
    "enterprise": Label("企业", "Enterprise"),
    "hospital": Label("医院", "Hospital"),
    "office": Label("机关", "Government office"),
}

EVIDENCE_METHOD_LABELS: dict[str, Label] = {
    "documents": Label("查阅资料", "Documents"),
    "site": Label("实地察看", "Site check"),
    "interview": Label("座谈", "Interview"),
    "questionnaire": Label("问卷", "Questionnaire"),
    "spot_check": Label("抽查", "Spot check"),
}

# Profile numbers of a unit (enrolment by section, staff).
PROFILE_NUMBER_LABELS: dict[str, Label] = {
    "enrolment_kindergarten": Label("幼儿园在园人数", "Kindergarten enrolment"),
    "enrolment_primary": Label("小学在校生", "Primary enrolment"),
    "enrolment_middle": Label("初中在校生", "Middle-school enrolment"),
    "enrolment_high": Label("高中在校生", "High-school enrolment"),
    "staff": Label("教职工", "Staff"),
}

ITEM_KIND_LABELS: dict[str, Label] = {
    "points": Label("评分", "Points"),
    "deduction": Label("扣分", "Deductions"),
    "passfail": Label("合格 / 不合格", "Pass / fail"),
    "level": Label("等级", "Level"),
    "indicator": Label("指标", "Indicator"),
    "count": Label("计数", "Count"),
    "text": Label("文字", "Text"),
}

# The schema's code lists, re-exported in their schema order for pick-lists.
__all__ = [
    "AREA_LEVELS", "AREA_LEVEL_LABELS", "EVIDENCE_METHODS", "EVIDENCE_METHOD_LABELS",
    "FINDING_STATUSES", "FINDING_STATUS_LABELS", "ITEM_KIND_LABELS", "PROFILE_NUMBER_LABELS",
    "SEVERITIES", "SEVERITY_LABELS", "UNIT_TYPE_LABELS", "VISIT_STATUSES", "VISIT_STATUS_LABELS",
    "VISIT_TYPES", "VISIT_TYPE_LABELS", "label_of",
]


def label_of(table: dict[str, Label], code: str | None) -> Label:
    """The label of ``code``; an unknown code (added by a newer office) shows as itself."""
    if code is None:
        return Label("", "")
    return table.get(code) or Label(code, code)

"""The printed 评分标准 column of the items sheet: each item's scoring rule in words.

The program reads an item's rule from columns a school should not have to decipher: the kind,
分值, the levels as ``met:达标:Meets the standard:25; …`` and the deductions as
``A2.3-a:每缺一类功能教室:…:5:5``. They sit outside the print area. What prints is the rule as
the self-assessment form states it ("达标 25 分；基本达标 15 分；未达标 0 分", "每缺一类功能教室，
扣 5 分（最多 5 次）"), worded by ``app.rubric.wording`` so that both documents say it alike.

The writer fills the column; the reader never reads it as data. When its text differs from what
the rule says (an office edited the words instead of the rule), the reader says so in a note
naming the cell and the columns that hold the rule: the words are rewritten on every export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.rubric.model import Item
from app.rubric.validate import build_item, build_rubric, validate_document
from app.rubric.wording import rule_lines, unmarked

# The columns an item's rule is read from, by kind: what a note sends the office to edit.
RULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "points": ("max", "min", "step"),
    "deduction": ("deductions", "max"),
    "passfail": ("max",),
    "level": ("levels",),
    "indicator": ("numerator_zh", "denominator_zh", "comparator", "target", "max"),
    "count": ("points_each", "max"),
    "text": ("kind",),
}


def standard_text(item: Item, items: Mapping[str, Item]) -> str:
    """The 评分标准 cell of ``item``: its rule, condition, N/A and photo in Chinese words, one
    statement a line. ``items`` (by code) names the answer a condition waits for."""
    return unmarked("\n".join(rule_lines(item, items, "zh")))


def standards_of(doc: Any) -> dict[str, str]:
    """Each item's 评分标准 by item code, for the writer.

    Empty when ``doc`` is not a valid rubric: a rule that does not hold together cannot be put
    in words, and the column is left blank rather than say something the rubric does not.
    """
    if validate_document(doc):
        return {}
    rubric = build_rubric(doc)
    return {code: standard_text(item, rubric.items) for code, item in rubric.items.items()}


def item_model(item: Mapping[str, Any]) -> Item | None:
    """The model of an item the workbook reader built, or None when its row lacks what its
    kind's rule is said from (the validator reports what is missing).

    Only for items read without a problem: their labels, codes and numbers are then complete
    and typed, so the kind's own parts are all that can still be absent.
    """
    kind = item.get("kind")
    if kind == "level" and not item.get("levels"):
        return None
    if kind == "indicator":
        indicator = item.get("indicator")
        if indicator is None or not {"numerator", "comparator", "target"} <= indicator.keys():
            return None
    return build_item(item, None, False)


def same_words(written: object, generated: str) -> bool:
    """Whether a cell still says ``generated``: line breaks and spaces may differ (an office
    that re-wraps the text by hand, "5分" for "5 分"), the words may not."""
    return "".join(str(written).split()) == "".join(generated.split())


def one_line(text: object) -> str:
    """The words of a cell on one line, its lines joined by " / ", for a note on a terminal."""
    return " / ".join(line.strip() for line in str(text).splitlines() if line.strip())

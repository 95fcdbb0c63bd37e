"""How numbers and code-list labels read on paper, in either language (numbers as the rubric
wording writes them, ``app.rubric.wording.plain``).

Scores print as the rubric counts them: rounded to the rubric's places, then without trailing
zeros, so a whole score reads 250 and a half point 12.5 (a Chinese document writes "250 分",
never "250.0 分"). English sentences use the visit type in lower case with its article ("a
preliminary review", "an unannounced visit"); table cells keep the label as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from app.labels import EVIDENCE_METHOD_LABELS, VISIT_TYPE_LABELS, label_of
from app.reports.linebreak import keep
from app.reports.texts import t
from app.rubric import ScoreResult
from app.rubric.wording import trim


def points(res: ScoreResult, value: Decimal | None) -> str:
    """A score rounded to the rubric's places (half up), without trailing zeros; "—" for None."""
    return trim(res.display(value))


def visit_type_text(code: str, lang: str) -> str:
    """The visit type's label as a table cell shows it: 初评 / Preliminary review."""
    return label_of(VISIT_TYPE_LABELS, code).text(lang)


def visit_type_phrase(code: str, lang: str) -> str:
    """The visit type inside a sentence: 初评 / "a preliminary review"."""
    text = visit_type_text(code, lang)
    if lang != "en":
        return text
    lower = text[:1].lower() + text[1:]
    return f"{'an' if lower[:1] in 'aeiou' else 'a'} {lower}"


def methods_text(codes: Iterable[str], lang: str) -> str:
    """Evidence methods as a list in a cell: 查阅资料、实地察看 / Documents, Site check."""
    # Each method stays whole on its line: "实地察看", not "实\n地察看".
    return t("and", lang).join(keep(label_of(EVIDENCE_METHOD_LABELS, c).text(lang)) for c in codes)


def methods_phrase(codes: Iterable[str], lang: str) -> str:
    """Evidence methods inside a sentence: lower case in English ("documents, site check")."""
    text = methods_text(codes, lang)
    return text.lower() if lang == "en" else text

"""Small display helpers shared by the checklist widgets: rubric labels and numbers."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QLocale

from app.rubric import Label


def rubric_lang() -> str:
    """"zh" or "en": rubric content follows the app language (the shell sets QLocale's default)."""
    return "zh" if QLocale().language() == QLocale.Language.Chinese else "en"


def label_text(label: Label | None) -> str:
    return "" if label is None else label.text(rubric_lang())


def number(value: Decimal | float | int | None) -> str:
    """A score as the locale writes it, without trailing zeros (12.5, 12, not 12.50)."""
    if value is None:
        return "—"
    d = Decimal(str(value)).normalize()
    places = max(0, -d.as_tuple().exponent) if isinstance(d.as_tuple().exponent, int) else 0
    return QLocale().toString(float(d), "f", places)


def json_number(value: float) -> int | float:
    """A spin box value as the JSON number an answer carries: 18 stays an int, 18.5 a float."""
    return int(value) if float(value).is_integer() else round(value, 6)

"""Which language the interface speaks, and how domain labels are shown in it.

Rubric texts, unit names and the code lists carry both Chinese and English (``Label``); the
interface picks one by its locale. Interface strings themselves go through Qt translation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDateTime, QLocale, Qt, QTimeZone

if TYPE_CHECKING:
    from app.rubric import Label


def ui_language() -> str:
    """"zh" when the interface speaks Chinese, else "en"."""
    return "zh" if QLocale().language() == QLocale.Language.Chinese else "en"


def text_of(label: Label | None) -> str:
    """The label in the interface language; empty for None."""
    if label is None:
        return ""
    return label.text(ui_language()) or label.zh


def both_of(label: Label | None) -> str:
    """Chinese first, then the English in an English interface: for rubric and domain names."""
    if label is None:
        return ""
    if ui_language() == "zh" or not label.en or label.en == label.zh:
        return label.zh
    return f"{label.zh} · {label.en}"


def date_format() -> str:
    """Dates as the interface language writes them: 2026年11月24日, else ISO 2026-11-24.

    Never the locale's own short format: the C locale (a bare LANG=C system) gives "24 11 2026",
    and the US one a two-digit year.
    """
    return "yyyy年M月d日" if ui_language() == "zh" else "yyyy-MM-dd"


def format_date(iso: str | None) -> str:
    """An ISO date (or timestamp) in the interface's date format; "—" when missing."""
    if not iso:
        return "—"
    try:
        day = datetime.fromisoformat(iso).date() if "T" in iso else date.fromisoformat(iso)
    except ValueError:
        return iso
    return QDate(day.year, day.month, day.day).toString(date_format())


def format_datetime(iso: str | None) -> str:
    """A UTC timestamp as local date and time: 2026-11-24 14:05 / 2026年11月24日 14:05."""
    if not iso:
        return "—"
    stamp = QDateTime.fromString(iso[:23].rstrip("Z"), Qt.DateFormat.ISODateWithMs)
    if not stamp.isValid():
        stamp = QDateTime.fromString(iso[:19], Qt.DateFormat.ISODate)
    if not stamp.isValid():
        return iso
    stamp.setTimeZone(QTimeZone.utc())
    return stamp.toLocalTime().toString(date_format() + " HH:mm")


def format_number(value: object) -> str:
    """A Decimal or int with the locale's separators, keeping its exact digits."""
    text = str(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    if not whole.isdigit():
        return text
    grouped = QLocale().toString(int(whole))
    return sign + grouped + (QLocale().decimalPoint() + frac if frac else "")

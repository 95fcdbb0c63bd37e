"""Paragraph and table styles, one set per language.

Lines are broken by ``app.reports.linebreak`` in both languages (Chinese between characters by
the punctuation rules, English at spaces), so a style only carries font, size and colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import TableStyle

from app.reports.fonts import FONT, register_fonts

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#5f6368")
RULE = colors.HexColor("#9aa0a6")
HEAD_BG = colors.HexColor("#e8eaed")
GAP_BG = colors.HexColor("#fff4e5")
ALERT = colors.HexColor("#c62828")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    head: ParagraphStyle
    alert: ParagraphStyle
    alert_center: ParagraphStyle
    caption: ParagraphStyle


@lru_cache(maxsize=4)
def styles_for(lang: str) -> Styles:
    register_fonts()

    def style(name: str, size: float, **kw: object) -> ParagraphStyle:
        base = {"fontName": FONT, "fontSize": size, "leading": size * 1.4, "textColor": INK}
        base.update(kw)
        return ParagraphStyle(f"{lang}-{name}", **base)  # type: ignore[arg-type]

    return Styles(
        title=style("title", 18, alignment=TA_CENTER, spaceAfter=2),
        subtitle=style("subtitle", 9.5, alignment=TA_CENTER, textColor=MUTED, spaceAfter=6),
        h1=style("h1", 12.5, spaceBefore=8, spaceAfter=4),
        h2=style("h2", 10.5, spaceBefore=6, spaceAfter=3),
        body=style("body", 9.5, spaceAfter=3),
        small=style("small", 7.5, textColor=MUTED),
        cell=style("cell", 8.5),
        cell_right=style("cell_right", 8.5, alignment=TA_RIGHT),
        cell_center=style("cell_center", 8.5, alignment=TA_CENTER),
        head=style("head", 8.5, alignment=TA_CENTER),
        alert=style("alert", 9.5, textColor=ALERT, spaceAfter=3),
        alert_center=style("alert_center", 8.5, textColor=ALERT, alignment=TA_CENTER),
        caption=style("caption", 7.5, alignment=TA_CENTER, textColor=MUTED),
    )


def grid_style(*, header_rows: int = 1, extra: list[tuple] | None = None) -> TableStyle:
    """Ruled table with a shaded header; ``extra`` adds commands (spans, highlights)."""
    commands: list[tuple] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_BG))
    return TableStyle(commands + (extra or []))

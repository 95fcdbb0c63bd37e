"""The one font the documents use: the bundled WenQuanYi Micro Hei, embedded as a subset.

It has TrueType outlines (reportlab cannot embed CFF-outline OpenType fonts) and covers CJK,
Latin letters, digits and the punctuation the documents print, so one font serves both
languages and every PDF renders on a machine with no CJK font installed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

import resources

FONT_PATH = Path(resources.__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
FONT = "FieldmarkSans"
# The family has one weight; bold text is drawn with the same face (headings differ by size).
FONT_BOLD = FONT

_lock = threading.Lock()
_font: TTFont | None = None


def register_fonts() -> str:
    """Register the font with reportlab once per process; returns its name."""
    global _font
    with _lock:
        if _font is None:
            font = TTFont(FONT, str(FONT_PATH), subfontIndex=0)
            pdfmetrics.registerFont(font)
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT, bold, italic, FONT)
            _font = font
    return FONT


def uncovered(text: str) -> set[str]:
    """The characters of ``text`` the font has no glyph for (they would print as boxes)."""
    register_fonts()
    assert _font is not None
    cmap = _font.face.charToGlyph
    return {c for c in text if not c.isspace() and ord(c) not in cmap}

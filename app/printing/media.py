"""Paper sizes by their PWG names, which IPP's ``media`` attribute takes (``iso_a4_210x297mm``).

A size is matched by its dimensions to within a millimetre, so the 595.28 x 841.89 pt of a
PDF's A4 page and Qt's A4 both give ``iso_a4_210x297mm``; any other size gets a PWG custom name
that CUPS understands.
"""

from __future__ import annotations

MM_PER_POINT = 25.4 / 72

_NAMED = (
    ("iso_a3_297x420mm", 297.0, 420.0),
    ("iso_a4_210x297mm", 210.0, 297.0),
    ("iso_a5_148x210mm", 148.0, 210.0),
    ("iso_a6_105x148mm", 105.0, 148.0),
    ("iso_b5_176x250mm", 176.0, 250.0),
    ("jis_b5_182x257mm", 182.0, 257.0),
    ("prc_16k_146x215mm", 146.0, 215.0),
    ("om_16k_195x270mm", 195.0, 270.0),
    ("na_letter_8.5x11in", 215.9, 279.4),
    ("na_legal_8.5x14in", 215.9, 355.6),
    ("na_executive_7.25x10.5in", 184.15, 266.7),
)
# The documents' own papers (app.reports.PAPERS).
PAPER_MEDIA = {"a4": "iso_a4_210x297mm", "letter": "na_letter_8.5x11in"}


def media_name(width_mm: float, height_mm: float) -> str:
    """The PWG name of a paper of this size, either way round."""
    short, long = sorted((width_mm, height_mm))
    for name, w, h in _NAMED:
        if abs(short - w) <= 1.0 and abs(long - h) <= 1.0:
            return name
    return f"custom_fieldmark_{short:.2f}x{long:.2f}mm".replace(".00x", "x").replace(".00mm", "mm")


def media_for_points(width_pt: float, height_pt: float) -> str:
    """The PWG name of a page given in PDF points."""
    return media_name(width_pt * MM_PER_POINT, height_pt * MM_PER_POINT)

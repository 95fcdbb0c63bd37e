"""The page's style sheet: calm neutrals, one accent, red only for vetoes and errors."""

from __future__ import annotations

from ui.widgets.text_size import scaled_pt

# Buttons aimed at with a touchpad (quick scores, evidence methods) are at least this tall.
TOUCH_PX = 32

# Point sizes of the titles and the score, at 100% text size.
_SIZES = {"title": 15, "item": 13, "award": 12, "total": 22, "band": 12}


def page_style() -> str:
    """The style sheet at the current text size (its titles are sized in points)."""
    style = PAGE_STYLE
    for name, points in _SIZES.items():
        style = style.replace(f"[[{name}]]", scaled_pt(points))
    return style


PAGE_STYLE = """
#visitTitle { font-size: [[title]]; font-weight: 600; }
#visitState { padding: 2px 8px; border-radius: 9px; background: #e8f0fe; color: #1a4d8f; }
#visitState[locked="true"] { background: #eceff1; color: #455a64; }
#savedState { color: #5f6b7a; padding-right: 10px; }
#savedState[error="true"] { color: #c62828; font-weight: 600; }
#itemWhere { color: #6b7280; }
#itemTitle { font-size: [[item]]; font-weight: 600; }
#itemGuidance { color: #4b5563; background: #f6f7f9; border-radius: 6px; padding: 8px; }
#itemMeta { color: #6b7280; }
#itemAward { font-size: [[award]]; font-weight: 600; color: #1a4d8f; }
#itemAward[vetoed="true"] { color: #c62828; }
#itemError { color: #c62828; }
#vetoNote { color: #b71c1c; background: #fdecea; border-radius: 6px; padding: 6px 8px; font-weight: 600; }
#lockedHint { color: #455a64; background: #eceff1; border-radius: 6px; padding: 6px 8px; }
#hint[error="true"] { color: #c62828; }
#indicatorStatus[state="met"] { color: #2e7d32; }
#indicatorStatus[state="warn"] { color: #b26a00; font-weight: 600; }
#reasonFrame { background: #fff8e1; border-radius: 6px; }
#reasonHint { color: #8a8f98; border: 1px dashed #d5d9e0; border-radius: 6px; padding: 8px; }
#reasonFrame[needed="true"] { background: #ffecb3; border: 1px solid #e0a800; }
QPushButton#chip { border: 1px solid #c5cad3; border-radius: 16px; padding: 3px 12px; background: white; }
QPushButton#chip[expected="true"] { border-color: #7da2d6; }
QPushButton#chip:checked { background: #1a4d8f; color: white; border-color: #1a4d8f; }
QPushButton#chip:focus { border: 2px solid #f59e0b; }
#rightColumn { background: #f6f7f9; }
#scorePanel { background: white; border: 1px solid #dde1e7; border-radius: 8px; }
#scoreRubric { color: #6b7280; }
#scoreTotal { font-size: [[total]]; font-weight: 700; color: #1f2937; }
#scoreDetail { color: #4b5563; }
#scoreBand { font-size: [[band]]; font-weight: 600; color: #1a4d8f; }
#scoreBand[failed="true"] { color: #c62828; }
#scoreVetoes { color: #c62828; font-weight: 600; background: #fdecea; border-radius: 6px; padding: 6px; }
#scoreGaps { text-align: left; color: #2e7d32; padding: 0; }
#scoreGaps[open="true"] { color: #b26a00; }
#signatureStatus { color: #4b5563; background: white; border: 1px solid #dde1e7; border-radius: 8px; padding: 8px 10px; }
#signatureStatus[complete="true"] { color: #2e7d32; }
#panelTitle { font-weight: 600; color: #374151; padding-top: 6px; }
"""

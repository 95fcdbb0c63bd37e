"""Line breaking for the documents, by the rules of Chinese typesetting (禁则), and the paragraph
that uses it.

reportlab's CJK wrapping breaks between any two characters and knows only the Japanese rules,
so a line could start with "，" or "；" and a name could be cut in two. Here a line:

* never starts with closing punctuation (，。、；：？！）》」』 and the like): it stays with the
  character before it, which moves down with it;
* never ends with opening punctuation (（《「『 and the like): it moves down with what it opens;
* never splits a run marked with ``keep()`` (a person's name, a date, "A2.4 缺照片");
* never splits a Latin word or a number ("2026-11-24", "98.0%"), and breaks English at spaces.

Only a run wider than the whole line is cut, and then still by the punctuation rules.
``Para`` draws the lines itself, one text line each, so whitespace the text carries (an
ideographic-space indent, a blank "　　年　　月　　日") prints as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

# The keep marks are made where the rules are worded (the rubric workbook prints them too).
from app.rubric.wording import KEEP_CLOSE, KEEP_OPEN, keep
from app.rubric.wording import unmarked as plain

# 行首禁则: closing punctuation, stops and marks that belong to what precedes them.
CANNOT_START = frozenset(
    "，。、；：？！）》」』】〕〗〙〛〉”’…‥·・～％‰℃°"
    "．，：；？！）］｝"  # full-width forms
    ",.;:?!)]}%"
    "—"  # the second half of a dash pair "——" stays with the first
)
# 行尾禁则: opening punctuation, which belongs to what follows it.
CANNOT_END = frozenset("（《「『【〔〖〘〚〈“‘（［｛([{")

_SPACE = " \t"
# Characters that each stand alone for breaking, as CJK ideographs do: general punctuation
# used in Chinese text (dashes, ellipsis, curly quotes, middle dot).
_SINGLE = frozenset("—…“”‘’·")


# What separates two names in one field; a space does not ("Zhang Jianhua" is one name).
_NAME_SEPARATORS = re.compile(r"(\s*[、，,；;/／]\s*)")


def keep_names(text: str) -> str:
    """``text`` with each name in it kept whole: "张建华、欧阳秀梅" may break after "、", never
    inside a name (a responsible person's field often holds two)."""
    return "".join(part if not part or _NAME_SEPARATORS.fullmatch(part) else keep(part)
                   for part in _NAME_SEPARATORS.split(text))


def _single(ch: str) -> bool:
    return ord(ch) >= 0x2E80 or ch in _SINGLE


def _atoms(line: str) -> list[tuple[str, str]]:
    """(kind, text) pieces of one line: "space", "keep", "single" (a CJK character) or "word"."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == KEEP_OPEN:
            j = line.find(KEEP_CLOSE, i + 1)
            j = n if j < 0 else j
            out.append(("keep", line[i + 1:j]))
            i = j + 1
        elif ch == KEEP_CLOSE:
            i += 1  # a stray close mark: nothing to print
        elif ch in _SPACE:
            j = i
            while j < n and line[j] in _SPACE:
                j += 1
            out.append(("space", " "))
            i = j
        elif _single(ch):
            out.append(("single", ch))
            i += 1
        else:
            j = i
            while j < n and not (line[j] in _SPACE or _single(line[j]) or line[j] in (KEEP_OPEN, KEEP_CLOSE)):
                j += 1
            out.append(("word", line[i:j]))
            i = j
    return out


def _chunks(atoms: list[tuple[str, str]]) -> list[tuple[bool, str]]:
    """Unbreakable chunks, each with whether a space separates it from the chunk before."""
    chunks: list[tuple[bool, str]] = []
    spaced = False
    for kind, text in atoms:
        if kind == "space":
            spaced = bool(chunks)
            continue
        if chunks:
            before = chunks[-1][1]
            glue = (text[:1] in CANNOT_START or before[-1:] in CANNOT_END
                    # a number stays with the measure word or unit after it: "24 项", "11月"
                    or (not spaced and kind == "single" and before[-1:].isdigit()))
            if glue:
                space, prev = chunks[-1]
                chunks[-1] = (space, prev + (" " if spaced else "") + text)
                spaced = False
                continue
        chunks.append((spaced, text))
        spaced = False
    return chunks


def _cut(text: str, width: Callable[[str], float], room: float) -> tuple[str, str]:
    """A run wider than the line: as much as fits, by the punctuation rules; (head, rest)."""
    end, used = 0, 0.0
    while end < len(text) and used + width(text[end]) <= room:
        used += width(text[end])
        end += 1
    end = max(end, 1)  # a character wider than the line still moves on
    while 1 < end < len(text) and (text[end] in CANNOT_START or text[end - 1] in CANNOT_END):
        end -= 1
    return text[:end], text[end:]


def break_lines(text: str, width: Callable[[str], float], first: float, rest: float | None = None) -> list[str]:
    """``text`` broken into lines no wider than ``first`` (the first line) and ``rest``.

    ``width`` measures a string. "\\n" is a hard break. Keep marks are removed from the result.
    """
    rest = first if rest is None else rest
    lines: list[str] = []
    for hard in text.split("\n"):
        current, used = "", 0.0
        for spaced, chunk in _chunks(_atoms(hard)):
            room = first if not lines else rest
            shown = plain(chunk)
            gap = " " if spaced and current else ""
            w = width(shown)
            if current and used + width(gap) + w <= room:
                current, used = current + gap + shown, used + width(gap) + w
                continue
            if current:
                lines.append(current)
                current, used = "", 0.0
                room = rest
            while w > room:
                head, shown = _cut(shown, width, room)
                lines.append(head)
                room, w = rest, width(shown)
            current, used = shown, w
        lines.append(current)
    return lines


@lru_cache(maxsize=32)
def _measure(font: str, size: float) -> Callable[[str], float]:
    @lru_cache(maxsize=4096)
    def width(text: str) -> float:
        return stringWidth(text, font, size)
    return width


class Para(Flowable):
    """A paragraph of plain text broken by ``break_lines`` and drawn line by line.

    Takes the ParagraphStyle fields the documents use: font, size, leading, colour,
    alignment, indents and the space before and after. Splits between lines across pages,
    keeping at least two lines on each side where it can.
    """

    def __init__(self, text: str, style: ParagraphStyle, *, lines: Sequence[str] | None = None) -> None:
        super().__init__()
        self.text, self.style = text, style
        self._lines: list[str] = list(lines) if lines is not None else []
        self._fixed = lines is not None  # the part of a split paragraph: its lines are set
        self._for_width: float | None = None
        self.width = self.height = 0.0

    def __repr__(self) -> str:
        return f"Para({plain(self.text)[:40]!r})"

    def lines(self, avail: float) -> list[str]:
        if not self._fixed and self._for_width != avail:
            st = self.style
            room = avail - st.leftIndent - st.rightIndent
            self._lines = break_lines(self.text, _measure(st.fontName, st.fontSize), room - st.firstLineIndent, room)
            self._for_width = avail
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self.height = len(self.lines(availWidth)) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        lines = self.lines(availWidth)
        fit = int((availHeight + 1e-6) // self.style.leading)
        if fit >= len(lines):
            return [self]
        if len(lines) - fit < 2 and fit > 2:
            fit -= 1  # no widow: the last line does not go over alone
        if fit < 2:
            return []  # no orphan: the paragraph moves on whole
        head = Para(self.text, self.style, lines=lines[:fit])
        tail = Para(self.text, ParagraphStyle(f"{self.style.name}-rest", parent=self.style, firstLineIndent=0,
                                              spaceBefore=0), lines=lines[fit:])
        head.style = ParagraphStyle(f"{self.style.name}-head", parent=self.style, spaceAfter=0)
        return [head, tail]

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        return float(self.style.spaceAfter)

    def draw(self) -> None:
        st, canvas = self.style, self.canv
        canvas.saveState()
        canvas.setFillColor(st.textColor)
        canvas.setFont(st.fontName, st.fontSize)
        y = self.height - st.fontSize  # the first baseline, as reportlab's Paragraph puts it
        for n, line in enumerate(self._lines):
            if line:
                if st.alignment == TA_CENTER:
                    canvas.drawCentredString((st.leftIndent + self.width - st.rightIndent) / 2, y, line)
                elif st.alignment == TA_RIGHT:
                    canvas.drawRightString(self.width - st.rightIndent, y, line)
                else:
                    canvas.drawString(st.leftIndent + (st.firstLineIndent if n == 0 else 0), y, line)
            y -= st.leading
        canvas.restoreState()

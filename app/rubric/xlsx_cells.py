"""Cell values of the rubric workbook, in both directions, and the levels/deductions mini-syntax.

Reading (``to_*``): a cell as openpyxl returns it becomes a JSON value, or a CellError whose text
is the detail after "row N, column X: ".

Numbers. A cell is taken as Excel stores it: an int stays an int; a float is re-read through
``Decimal`` from its shortest repr, limited to 15 significant digits (Excel's own precision, which
also drops binary noise such as 0.30000000000000004 from a formula), then returned as an int when
integral and as that exact Decimal otherwise, as a JSON rubric is read (``loads_exact``). A number
typed as text ("0.5") takes the same Decimal path without the 15-digit limit, which is how the
writer keeps longer numbers exact. So 0.5 reads as Decimal("0.5"), 5.0 as 5 and "2.50" as
Decimal("2.50"), and JSON written from the dict holds exactly those values.

Writing (``*_cell``): a document value becomes what is stored in the cell, or a problem under its
JSON path when the layout could not read it back equal.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from app.rubric.xlsx_columns import NUMBER_KINDS, TEXT_KINDS

TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "是", "✓", "✔", "√", "☑"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "否", "✗", "✘", "×", "☐"})

# Separators of a comma list cell; the writer refuses list entries that contain one.
LIST_SEPARATORS = ",，、;；\n"
_LIST_SPLIT_RE = re.compile(f"[{LIST_SEPARATORS}]")

# Significant digits Excel keeps in a number cell.
EXCEL_DIGITS = 15


# --------------------------------------------------------------------------- inline lists


def escape_part(text: str) -> str:
    """Escape the separators of the levels/deductions mini-syntax inside one field."""
    return text.replace("\\", "\\\\").replace(":", "\\:").replace(";", "\\;")


def split_entries(text: str) -> list[list[str]]:
    """Split ``a:b:c; d:e:f`` into entries of fields, honouring backslash escapes.

    Entries end at an unescaped ``;`` or a line break; fields end at an unescaped ``:``.
    Fields are stripped so ``met : 达标 : Meets : 5`` works.
    """
    entries: list[list[str]] = []
    fields: list[str] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            buf.append(text[i + 1])
            i += 2
            continue
        if ch == ":":
            fields.append("".join(buf).strip())
            buf = []
        elif ch in ";\n":
            fields.append("".join(buf).strip())
            buf = []
            if any(fields):
                entries.append(fields)
            fields = []
        else:
            buf.append(ch)
        i += 1
    fields.append("".join(buf).strip())
    if any(fields):
        entries.append(fields)
    return entries


# --------------------------------------------------------------------------- reading


class CellError(ValueError):
    """A cell value cannot be converted; the text is the detail after "row N, column X: "."""


def show(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _decimal_to_json(d: Decimal) -> int | Decimal:
    if d == d.to_integral_value():
        return int(d)
    return d


def to_number(value: object) -> int | Decimal | None:
    """A cell as a JSON number (see the module docstring), None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{show(value)} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"{value!r} is not a number")
        d = Decimal(repr(value))
        if len(d.as_tuple().digits) > EXCEL_DIGITS:
            d = Decimal(format(value, f".{EXCEL_DIGITS}g"))
        return _decimal_to_json(d)
    if isinstance(value, Decimal):
        return _decimal_to_json(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise CellError(f"{show(value)} is not a number") from None
        if not d.is_finite():
            raise CellError(f"{show(value)} is not a number")
        return _decimal_to_json(d)
    raise CellError(f"{show(value)} is not a number")


# A number as offices type it: "１０" (full-width digits from a Chinese input method), "10分"
# (the unit written out). Both read unambiguously as 10; anything else after the digits does not.
_POINTS_SUFFIX_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*分\s*$")


def plain_number(value: object) -> tuple[object, str | None]:
    """A number cell's text in ASCII digits without a 分 unit, and a note saying what was read
    when that changed the text; other values pass unchanged (``to_number`` judges them)."""
    if not isinstance(value, str):
        return value, None
    text = unicodedata.normalize("NFKC", value).strip()
    match = _POINTS_SUFFIX_RE.match(text)
    if match:
        text = match.group(1)
    if text == value.strip():
        return value, None
    return text, f"read {show(value)} as {text}"


# Invisible characters that come with text copied from web pages and chat messages.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Chinese punctuation has no ASCII twin that NFKC would give (。、《》【】…), so a code holding
# one is reported, not guessed at.
_CJK_PUNCTUATION_RE = re.compile(r"[\u3001-\u303f\u2014\u2026\u00b7]")


def plain_code(value: object) -> tuple[object, str | None]:
    """A code cell with full-width letters, digits and punctuation as ASCII ("A１．１" -> "A1.1")
    and invisible characters removed, and a note when that changed it. Raises CellError for a
    code that cannot be read unambiguously (Chinese punctuation, a space inside)."""
    if not isinstance(value, str):
        return value, None
    text = unicodedata.normalize("NFKC", value.translate(_INVISIBLE))
    text = text.strip()
    bad = _CJK_PUNCTUATION_RE.search(text)
    if bad:
        raise CellError(f"code {show(value.strip())} contains the Chinese punctuation "
                        f"'{bad.group()}'; codes use letters, digits and . - _")
    if any(ch.isspace() for ch in text):
        raise CellError(f"code {show(value.strip())} contains a space")
    if text == value.strip():
        return value, None
    return text, f"read {show(value)} as {show(text)}"


def code_changes(code: str) -> bool:
    """Whether the reader would read this code differently (full-width forms, Chinese
    punctuation, invisible characters): the writer refuses such a code, as it would not come
    back equal."""
    try:
        plain, _ = plain_code(code)
    except CellError:
        return True
    return plain != code


def to_int(value: object) -> int | None:
    number = to_number(value)
    if number is None:
        return None
    if not isinstance(number, int):
        raise CellError(f"{show(value)} is not a whole number")
    return number


def to_bool(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CellError(f"{show(value)} is not yes/no (use 是/否, yes/no, true/false, 1/0 or ✓)")


def to_text(value: object) -> str | None:
    """Text as typed, stripped; numbers typed into a text column read as their digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{show(value)} is not text")
    if isinstance(value, int | float | Decimal):
        number = to_number(value)
        return str(number)
    if isinstance(value, str):
        text = value.strip()
        return text or None
    # Dates and times: Excel turned what was typed into a date; say so instead of guessing.
    raise CellError(f"{show(value)} is a date or other non-text value; format the cell as text")


def to_list(value: object) -> list[str] | None:
    text = to_text(value)
    if text is None:
        return None
    return [part.strip() for part in _LIST_SPLIT_RE.split(text) if part.strip()]


def equals_value(value: object, kind: str | None) -> Any:
    """An ``equals`` value typed by the trigger item's kind: pass/fail → bool, numbers for
    points/count, text for a level code. Unknown items keep the cell's own type."""
    if kind == "passfail":
        return to_bool(value)
    if kind in NUMBER_KINDS:
        return to_number(value)
    if kind in TEXT_KINDS:
        return to_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return to_number(value)
    return to_text(value)


# --------------------------------------------------------------------------- writing


class Problems:
    """What the layout cannot hold, each as ``"<JSON path>: <detail>"``."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, detail: str) -> None:
        self.items.append(f"{path}: {detail}")

    def keys(self, obj: Any, allowed: set[str], path: str) -> bool:
        if not isinstance(obj, dict):
            self.add(path, f"expected an object, got {type(obj).__name__}")
            return False
        for key in sorted(set(obj) - allowed):
            self.add(f"{path}.{key}", "the spreadsheet layout has no place for this field")
        return True


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def number_cell(value: Any, path: str, problems: Problems) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        problems.add(path, f"{value!r} is not a number")
        return None
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        if len(value.as_tuple().digits) > EXCEL_DIGITS:
            # Excel would round a longer number; as text it stays exact (to_number reads it back).
            return str(value)
        return float(value)  # 15 digits or fewer survive a double and read back equal
    if isinstance(value, float) and len(Decimal(repr(value)).as_tuple().digits) > EXCEL_DIGITS:
        return repr(value)  # as for a long Decimal above
    return value


def text_cell(value: Any, path: str, problems: Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(path, f"{value!r} is not text")
        return None
    if value != value.strip():
        # The reader strips cells (offices type stray spaces), so this would not round-trip.
        problems.add(path, f"{value!r} has leading or trailing spaces")
    return value


def code_cell(value: Any, path: str, problems: Problems) -> Any:
    """A code as text; refused when the reader would read it differently (``plain_code``)."""
    text = text_cell(value, path, problems)
    if isinstance(text, str) and code_changes(text.strip()):
        problems.add(path, f"{value!r} has full-width or Chinese punctuation, a space or an "
                     "invisible character; a workbook would read it back differently")
    return text


def bool_cell(value: Any, path: str, problems: Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, bool):
        problems.add(path, f"{value!r} is not true/false")
        return None
    return yes_no(value)


def list_cell(value: Any, path: str, problems: Problems, *, empty: str = "") -> Any:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(path, "expected a list of strings")
        return None
    for part in value:
        if any(sep in part for sep in LIST_SEPARATORS) or part != part.strip() or not part:
            problems.add(path, f"{part!r} cannot be written in a comma list")
    return ", ".join(value) if value else empty

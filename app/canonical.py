"""Canonical JSON and content hashes, and exact JSON numbers.

One definition serves rubric identity, the finalized-visit hash and sync bundles, so the
same bytes are hashed on the laptop, on paper and on the server.

Documents are read with ``loads_exact``: every number with a fraction or an exponent becomes a
``Decimal`` holding exactly the digits of the file, so ``10.0000000000000000000001`` stays above
10 instead of collapsing to the float 10.0. Such a Decimal is written back as a JSON number.
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import Any

_ENCODE_STRING = json.JSONEncoder(ensure_ascii=False).encode


def loads_exact(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` with every non-integer number as an exact ``Decimal`` (integers stay int)."""
    return json.loads(text, parse_float=Decimal, **kwargs)


def number_text(value: Decimal) -> str:
    """The JSON text of an exact number.

    When the number is exactly what a float parse of it gives, the float's own text is written
    (``0.5``, ``10.0``, ``1e-07``): that is what every hash was computed from while documents
    were read as floats, so a stored rubric keeps its content hash. Only numbers a float cannot
    hold are written with their own digits, trailing zeros of the fraction dropped so that equal
    numbers hash alike.
    """
    if not value.is_finite():
        raise ValueError(f"not a JSON number: {value}")
    as_float = float(value)
    text = repr(as_float)
    if math.isfinite(as_float) and Decimal(text) == value:
        return text
    text = str(value)
    if "." in text and "E" not in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _encode(value: Any, out: list[str], indent: str | None, depth: int, sort_keys: bool) -> None:
    # json.dumps cannot write a Decimal as a number (a ``default`` hook can only substitute
    # another value), so documents are encoded here: the same output as json.dumps for every
    # other value, which tests/app/test_canonical.py checks.
    if isinstance(value, str):
        out.append(_ENCODE_STRING(value))
    elif value is None or isinstance(value, (bool, int, float)):
        out.append(json.dumps(value))
    elif isinstance(value, Decimal):
        out.append(number_text(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        items = sorted(value.items()) if sort_keys else value.items()
        inner, close, colon = _layout(indent, depth)
        out.append("{")
        for n, (key, item) in enumerate(items):
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            out.append(inner if n == 0 else "," + inner)
            out.append(_ENCODE_STRING(key))
            out.append(colon)
            _encode(item, out, indent, depth + 1, sort_keys)
        out.append(close + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner, close, _ = _layout(indent, depth)
        out.append("[")
        for n, item in enumerate(value):
            out.append(inner if n == 0 else "," + inner)
            _encode(item, out, indent, depth + 1, sort_keys)
        out.append(close + "]")
    else:
        raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _layout(indent: str | None, depth: int) -> tuple[str, str, str]:
    """Separator before each member, before the closing bracket, and between key and value."""
    if indent is None:
        return "", "", ":"
    return "\n" + indent * (depth + 1), "\n" + indent * depth, ": "


def dumps_exact(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON text of ``value`` with Decimals as numbers (``json.dumps`` with ``ensure_ascii=False``
    otherwise); ``indent`` as in json.dumps, for files people read."""
    out: list[str] = []
    _encode(value, out, None if indent is None else " " * indent, 0, sort_keys)
    return "".join(out)


class _NeedsExact(Exception):
    """A Decimal met by the fast encoder: the value goes through ``_encode`` instead."""


def _no_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        raise _NeedsExact
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


_FAST_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                                   default=_no_default).encode


def canonical_json(value: Any) -> str:
    """Serialise with sorted keys, no insignificant whitespace and UTF-8 text; Decimals as
    numbers (see ``number_text``)."""
    # json's C encoder writes every value but a Decimal exactly as ``_encode`` does, many times
    # faster (a server push stores thousands of rows a second); a value holding a Decimal takes
    # the exact path. (Keys that are not text, which no message or record has, json writes as
    # text where ``_encode`` refuses them.)
    try:
        return _FAST_CANONICAL(value)
    except _NeedsExact:
        return dumps_exact(value, sort_keys=True)


def content_hash(value: Any) -> str:
    """SHA-256 (hex) of the canonical form of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()

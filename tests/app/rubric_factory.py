"""Small builders for rubric documents, so each test states only what it is about."""

from __future__ import annotations

from typing import Any


def label(text: str) -> dict[str, str]:
    return {"zh": text, "en": text}


def item(code: str, kind: str = "points", **fields: Any) -> dict[str, Any]:
    """An item document with the fields its kind requires, overridable by ``fields``."""
    doc: dict[str, Any] = {"code": code, "kind": kind, "text": label(code)}
    if kind == "points":
        doc["max"] = 10
    elif kind == "deduction":
        doc["max"] = 10
        doc["deductions"] = [
            {"code": "d3", "label": label("missing element"), "points": 3},
            {"code": "d1", "label": label("minor"), "points": 1, "max_count": 2},
        ]
    elif kind == "passfail":
        doc["max"] = 5
    elif kind == "level":
        doc["levels"] = [
            {"code": "met", "label": label("达标"), "points": 4},
            {"code": "basic", "label": label("基本达标"), "points": 2.5},
            {"code": "unmet", "label": label("未达标"), "points": 0},
        ]
    elif kind == "indicator":
        doc["max"] = 5
        doc["indicator"] = {"numerator": label("n"), "denominator": label("d"),
                            "comparator": ">=", "target": 99}
    doc.update(fields)
    return doc


def section(code: str, *items: dict[str, Any], sections: list[dict[str, Any]] | None = None,
            **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"code": code, "name": label(code)}
    if items:
        doc["items"] = list(items)
    if sections:
        doc["sections"] = sections
    doc.update(fields)
    return doc


def rubric(*sections: dict[str, Any], **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "fieldmark.rubric/1",
        "id": "test-rubric",
        "version": "1",
        "name": label("test"),
        "sections": list(sections),
    }
    doc.update(fields)
    return doc


def bands(*mins: tuple[str, float, bool]) -> list[dict[str, Any]]:
    """Bands best first from (code, min, min_inclusive), plus a last catch-all band "low"."""
    out: list[dict[str, Any]] = [
        {"code": code, "label": label(code), "min": lo, "min_inclusive": inclusive}
        for code, lo, inclusive in mins
    ]
    out.append({"code": "low", "label": label("low")})
    return out


def veto(code: str, item_code: str, effect: Any = "fail", **condition: Any) -> dict[str, Any]:
    return {"code": code, "label": label(f"veto {code}"), "trigger": {"item": item_code, **condition},
            "effect": effect}


def one_item(kind: str = "points", **fields: Any) -> dict[str, Any]:
    """A rubric with one section A holding one item A1."""
    return rubric(section("A", item("A1", kind, **fields)))

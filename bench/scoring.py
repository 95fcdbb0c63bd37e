"""Scoring speed: a full score of a 1,000-item rubric and a live re-score after one answer.

The live figure is what an inspector feels while typing: every keystroke that changes an answer
re-scores, so it must stay far below a frame.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, median_ms, print_table  # noqa: E402

SECTIONS = 10
SUBSECTIONS = 2
ITEMS_PER_SUB = 50  # 10 x 2 x 50 = 1,000 items
KINDS = ("points", "deduction", "passfail", "level", "indicator", "count", "text")


def _label(text: str) -> dict[str, str]:
    return {"zh": text, "en": text}


def _item(code: str, kind: str) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "kind": kind, "text": _label(code)}
    if kind == "points":
        item.update(max=4, step=0.5)
    elif kind == "deduction":
        item.update(max=3, deductions=[{"code": "d1", "label": _label("d1"), "points": 1},
                                       {"code": "d2", "label": _label("d2"), "points": 0.5}])
    elif kind == "passfail":
        item.update(max=2)
    elif kind == "level":
        item["levels"] = [{"code": "met", "label": _label("met"), "points": 3},
                          {"code": "basic", "label": _label("basic"), "points": 1.5},
                          {"code": "unmet", "label": _label("unmet"), "points": 0}]
    elif kind == "indicator":
        item.update(max=2, indicator={"numerator": _label("n"), "denominator": _label("d"),
                                      "comparator": ">=", "target": 95})
    elif kind == "count":
        item.update(points_each=0.5, max=2)
    return item


def rubric_sections(sections: int = SECTIONS, subsections: int = SUBSECTIONS,
                    per_sub: int = ITEMS_PER_SUB) -> list[dict[str, Any]]:
    """Sections of generated items cycling through every kind, each with sub-sections."""
    out = []
    n = 0
    for s in range(sections):
        subs = []
        for t in range(subsections):
            items = []
            for _ in range(per_sub):
                items.append(_item(f"I{n}", KINDS[n % len(KINDS)]))
                n += 1
            subs.append({"code": f"S{s}.{t}", "name": _label(f"检查领域 {s}.{t}"), "items": items})
        out.append({"code": f"S{s}", "name": _label(f"一级指标 {s}"), "sections": subs})
    return out


def generate_rubric() -> dict[str, Any]:
    """A 1,000-item rubric of every kind, 10 sections with 2 sub-sections each."""
    sections = rubric_sections()
    return {
        "format": "fieldmark.rubric/1", "id": "bench-1000", "version": "1",
        "name": _label("bench"), "sections": sections,
        "bands": [{"code": "a", "label": _label("a"), "min": 2000, "min_inclusive": True},
                  {"code": "b", "label": _label("b"), "min": 1500, "min_inclusive": False},
                  {"code": "c", "label": _label("c")}],
        "vetoes": [{"code": "V1", "label": _label("veto"), "trigger": {"item": "I2", "equals": False},
                    "effect": "fail"}],
    }


def _value(kind: str, k: int) -> Any:
    return {
        "points": [4, 3.5, 2][k % 3],
        "deduction": [{}, {"d1": 1}, {"d1": 1, "d2": 2}][k % 3],
        "passfail": k % 4 != 0,
        "level": ["met", "basic", "unmet"][k % 3],
        "indicator": {"numerator": 96 + k % 5, "denominator": 100, "reported": 97},
        "count": k % 6,
        "text": "noted",
    }[kind]


def generate_answers(rubric: Any) -> dict[str, Any]:
    from app.rubric import Answer

    return {
        code: Answer(value=_value(item.kind, k), reason="finding" if k % 2 else None, photos=k % 2)
        for k, (code, item) in enumerate(rubric.items.items())
    }


def run() -> list[Figure]:
    from app.rubric import Answer, Scorer, load_rubric, score

    rubric = load_rubric(generate_rubric())
    answers = generate_answers(rubric)
    full = median_ms(lambda: score(rubric, answers), repeat=60)

    scorer = Scorer(rubric, answers=answers)
    flip = [Answer(value=3), Answer(value=4)]
    state = {"k": 0}

    def one_change() -> None:
        # Alternate between two values so every call really changes the answer.
        state["k"] ^= 1
        scorer.set_answer("I700", flip[state["k"]])

    live = median_ms(one_change, repeat=400)
    return [
        Figure("scoring: full score, 1,000-item rubric", full, "ms", 2.0),
        Figure("scoring: live re-score after one changed answer", live, "ms", 0.5),
    ]


if __name__ == "__main__":
    print_table(run())

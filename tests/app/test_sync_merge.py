"""The conflict rule: both sides changed since the base and the values differ."""

from __future__ import annotations

from typing import Any

import pytest

from app.sync.ids import response_key
from app.sync.merge import classify
from app.sync.protocol import RowChange, RowVersion

A = "1c9e6a52-8f0b-4d3e-a1b7-2c5d9e8f0a13"
B = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"
VISIT = "5b0c8f3e-2d7a-4c61-9a0e-7f1d2c3b4a51"
RUBRIC = "9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
BASE = f"001764000000000-000000-{A}"
MINE = f"001764000000500-000000-{A}"
THEIRS = f"001764000000400-000000-{B}"


def values(answer: str, **more: Any) -> dict[str, Any]:
    return {"visit_id": VISIT, "rubric_hash": RUBRIC, "item_code": "A.1", "value": answer, **more}


def incoming(answer: str, *, base: str | None = BASE, deleted: bool = False) -> RowChange:
    return RowChange(table="responses", key=response_key(VISIT, RUBRIC, "A.1"), rev=MINE, base_rev=base,
                     deleted=deleted, values=values(answer))


def held(rev: str, answer: str, *, deleted: bool = False, **more: Any) -> RowVersion:
    return RowVersion(rev=rev, device_id=rev[-36:], deleted=deleted, values=values(answer, **more))


@pytest.mark.parametrize(
    ("row", "current", "outcome"),
    [
        (incoming("yes", base=None), None, "apply"),  # a new row
        (incoming("yes"), held(BASE, "no"), "apply"),  # nobody else changed it since the base
        (incoming("yes"), held(THEIRS, "no"), "conflict"),  # both changed it, differently
        (incoming("yes"), held(THEIRS, "yes"), "agree"),  # both changed it, to the same answer
        (incoming("yes"), held(MINE, "yes"), "agree"),  # the same revision again
        (incoming("yes", deleted=True), held(THEIRS, "yes"), "conflict"),  # deleted there, kept here
        (incoming("yes"), held(THEIRS, "yes", note="x"), "conflict"),  # another column differs
    ],
)
def test_the_conflict_rule(row: RowChange, current: RowVersion | None, outcome: str):
    assert classify(row, current) == outcome
    # Deciding twice decides the same: a changeset sent again meets the same rule.
    assert classify(row, current) == outcome


def test_key_order_is_not_a_difference():
    row = incoming("yes")
    reordered = RowVersion(rev=THEIRS, device_id=B, deleted=False, values=dict(reversed(list(values("yes").items()))))
    assert classify(row, reordered) == "agree"

""""Due today" counts the assignments whose window includes today and that are not done yet."""

from __future__ import annotations

from datetime import date

import pytest

from app.ids import AssignmentId, UnitId, VisitId
from app.models import Visit
from app.overview import Assignment, count_due

TODAY = date(2026, 11, 24)


def assignment(ident: str, start: str, end: str) -> Assignment:
    return Assignment(AssignmentId(ident), "秋季督导", "u", "学校", "t", "routine", start, end, ())


def visit(status: str) -> Visit:
    return Visit(VisitId("v"), UnitId("u"), "学校", "DJK001", "routine", status, "2026-11-24", "2026-11-24",
                 None, None, None, None)


@pytest.mark.parametrize("status, due", [(None, 1), ("in_progress", 1), ("finalized", 0), ("amended", 0)])
def test_an_assignment_is_due_until_its_visit_is_finalized(status, due):
    a = assignment("a", "2026-11-20", "2026-11-30")
    started = {} if status is None else {a.id: visit(status)}
    assert count_due([a], started, TODAY) == due


def test_windows_that_do_not_include_today_are_not_due():
    later, earlier, today = (assignment("l", "2026-11-25", "2026-11-30"), assignment("e", "2026-11-01", "2026-11-23"),
                             assignment("t", "2026-11-24", "2026-11-24"))
    assert count_due([later, earlier, today], {}, TODAY) == 1

"""Where a pushed row belongs (its visit and that visit's unit) and whether an account may write it.

The rule, for every table of the protocol:

- ``visits`` carry ``unit_id``: the unit's area must lie in the account's scope. A visit the
  server holds already must also have been in scope under its stored unit (a push cannot take a
  visit away from the scope it was in).
- The rows of a visit (``visit_rubrics``, ``visit_members``, ``visit_sections``, ``responses``,
  ``findings``, ``good_practices``, ``evidence`` and its parts ``evidence_captions``,
  ``evidence_annotations``, ``evidence_links``, ``evidence_positions``, ``signatures``,
  ``audit_log``) carry ``visit_id``; they belong to that visit's unit, as the server holds the visit (pushed before, or
  earlier in the same push: visits are applied first, then findings, then the rest).
- ``finding_events`` carry ``finding_id`` (and ``visit_id`` when written during a visit); they
  belong to the finding's visit.
- ``inspectors`` (the people who answer, sign and are members of visits) are pushed by the
  laptops that made them, by any role, and belong to no unit: every account pulls them, so a
  replacement laptop can hold the rows that name them.
- The office's tables (``admin_areas``, ``units``, ``teams``, ``team_members``,
  ``campaigns``, ``assignments``) are kept by the office on the server and reach laptops by pull;
  a pushed row of them is ``unpermitted`` for every role.

A row whose visit (or finding, or unit) the server does not hold, or whose identifying column
is not a UUID, is an ``error``; a row outside the scope is ``unpermitted``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from app.visit_record import RECORD_TABLES
from server.store.schema import admin_areas, units
from server.sync.held_rows import HeldRows

OFFICE_TABLES = frozenset({"admin_areas", "units", "teams", "team_members", "campaigns",
                           "assignments"})
VISIT_TABLES = frozenset({"visit_rubrics", "visit_members", "visit_sections", "responses", "findings",
                          "good_practices", "evidence", "signatures", "audit_log"})
# The rows a finalized visit's content hash covers: after finalization only an amendment changes them.
HASHED_TABLES = RECORD_TABLES
# A photo's parts (caption, annotations, links, order): rows of their own that carry its visit_id.
EVIDENCE_PARTS = frozenset({"evidence_captions", "evidence_annotations", "evidence_links", "evidence_positions"})
# The order rows are applied in, so a visit is known before the rows that name it.
APPLY_ORDER = {"visits": 0, "findings": 1}

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Placement:
    visit_id: str | None
    # None only for rows of no unit (inspectors).
    unit_id: str | None


class RowRefused(Exception):
    """The row is not applied: ``status`` is ``error`` or ``unpermitted``, with a reason."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _uuid(values: dict[str, Any], column: str, table: str, *, required: bool = True) -> str | None:
    value = values.get(column)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not _UUID.match(value):
        raise RowRefused("error", f"a {table} row needs {column} as a lower-case UUID")
    return value


class Placer:
    """Places rows for one account within one push transaction (lookups are cached)."""

    def __init__(self, conn: Connection, scope: str, held: HeldRows | None = None) -> None:
        self.conn = conn
        self.scope = scope
        self.held = held if held is not None else HeldRows(conn)
        self._unit_paths: dict[str, str | None] = {}

    def unit_path(self, unit_id: str) -> str | None:
        if unit_id not in self._unit_paths:
            self._unit_paths[unit_id] = self.conn.execute(
                select(admin_areas.c.path).join(units, units.c.area_id == admin_areas.c.id)
                .where(units.c.id == unit_id)).scalar_one_or_none()
        return self._unit_paths[unit_id]

    def _stored(self, table: str, key: str) -> Any:
        return self.held.get(table, key)

    def preload(self, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Load at once the stored rows that placing ``rows`` (table, key, values) will read:
        the rows themselves, and the visits and findings they name."""
        wanted: list[tuple[str, str]] = []
        for table, key, values in rows:
            wanted.append((table, key))
            visit_id, finding_id = values.get("visit_id"), values.get("finding_id")
            if isinstance(visit_id, str):
                wanted.append(("visits", visit_id))
            if table == "finding_events" and isinstance(finding_id, str):
                wanted.append(("findings", finding_id))
        self.held.load(wanted)

    def _check_unit(self, unit_id: str, what: str) -> None:
        path = self.unit_path(unit_id)
        if path is None:
            raise RowRefused("error", f"{what} names the unit {unit_id}, which the server does not have")
        if not path.startswith(self.scope):
            raise RowRefused("unpermitted", f"{what} is about a unit outside your area")

    def _visit_unit(self, visit_id: str, table: str) -> str:
        stored = self._stored("visits", visit_id)
        if stored is None or stored.unit_id is None:
            raise RowRefused("error", f"the {table} row belongs to the visit {visit_id}, which the server "
                                      "does not have; push the visit with it")
        return str(stored.unit_id)

    def place_visit(self, visit_id: str, what: str) -> str:
        """The unit of a visit the server holds, when it lies in the scope (RowRefused otherwise):
        the same rule as for the visit's rows, for ``what`` (e.g. its finalized version)."""
        stored = self._stored("visits", visit_id)
        if stored is None or stored.unit_id is None:
            raise RowRefused("error", f"{what} is of the visit {visit_id}, which the server does not have; "
                                      "push the visit's rows with it")
        self._check_unit(str(stored.unit_id), f"{what}'s visit")
        return str(stored.unit_id)

    def place(self, table: str, key: str, values: dict[str, Any]) -> Placement:
        """The row's visit and unit, or RowRefused when it may not (or cannot) be applied."""
        if table in OFFICE_TABLES:
            raise RowRefused("unpermitted", f"{table} are kept by the office on the server; a push cannot change them")
        if table == "inspectors":
            return Placement(None, None)
        if table == "visits":
            unit_id = _uuid(values, "unit_id", table)
            assert unit_id is not None
            self._check_unit(unit_id, "the visit")
            stored = self._stored("visits", key)
            if stored is not None and stored.unit_id and stored.unit_id != unit_id:
                self._check_unit(str(stored.unit_id), "the visit as the server holds it")
            return Placement(key, unit_id)
        if table == "finding_events":
            finding_id = _uuid(values, "finding_id", table)
            assert finding_id is not None
            finding = self._stored("findings", finding_id)
            if finding is None or finding.visit_id is None:
                raise RowRefused("error", f"the finding event names the finding {finding_id}, which the "
                                          "server does not have")
            visit_id = str(finding.visit_id)
        elif table in VISIT_TABLES or table in EVIDENCE_PARTS:
            visit = _uuid(values, "visit_id", table)
            assert visit is not None
            visit_id = visit
        else:
            raise RowRefused("error", f"the server does not keep {table} rows")
        unit_id = self._visit_unit(visit_id, table)
        self._check_unit(unit_id, f"the {table} row's visit")
        stored = self._stored(table, key)
        if stored is not None and stored.unit_id and stored.unit_id != unit_id:
            self._check_unit(str(stored.unit_id), f"the {table} row as the server holds it")
        return Placement(visit_id, unit_id)

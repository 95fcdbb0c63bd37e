"""The indexes the campaign overview reads at scale (migration 0008) serve the figures' own
conditions, on SQLite and PostgreSQL.

A partial index serves a query only when the query's condition implies the index's, and an
expression index only when the query spells the same expression; a bound parameter in place
of a constant breaks both (SQLite never looks inside it; a prepared statement's generic plan on
PostgreSQL cannot either). Nothing else would notice: the figures stay right, only slow. For
the same reason the figures' transaction on PostgreSQL plans every query for its own values.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, select

from server.dashboard import figures
from server.dashboard.figures import lower_level_check
from server.dashboard.places import constant, json_text, live_rows
from server.store.schema import sync_rows, visit_results


def plan(conn: Connection, query: Any) -> str:
    """The engine's plan for ``query`` run as the figures run it (its parameters bound)."""
    compiled = query.compile(dialect=conn.dialect)
    if conn.dialect.name == "postgresql":
        # The test tables are small: a sequential scan would win whatever the indexes.
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
    else:
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)
    return "\n".join(str(row[-1]) for row in rows)


def bound_values(conn: Connection, query: Any) -> set[Any]:
    values = query.compile(dialect=conn.dialect).params.values()
    return {v for value in values for v in (value if isinstance(value, list | tuple) else [value])}


def test_the_lower_levels_checks_of_a_period_are_read_from_their_index(server):
    query = select(visit_results.c.unit_id).where(lower_level_check(), visit_results.c.visit_date >= "2026-01-01",
                                                  visit_results.c.visit_date <= "2026-11-30")
    with server.engine.begin() as conn:
        # The first rubric and the visit types are in the SQL itself; the period is bound.
        assert bound_values(conn, query) == {"2026-01-01", "2026-11-30"}
        assert "visit_results_checks" in plan(conn, query)


def test_a_visit_in_progress_is_found_by_the_assignment_it_names(server):
    with server.engine.begin() as conn:
        query = select(sync_rows.c.key).where(
            live_rows("visits"), json_text(conn, sync_rows.c.row_values, "assignment_id") == "a-1")
        assert bound_values(conn, query) == {"a-1"}
        assert "sync_rows_visit_assignment" in plan(conn, query)


def test_a_visits_row_with_an_escaped_nul_is_stored_and_read_by_its_assignment(server):
    """A note may hold a NUL (JSON text escapes it); PostgreSQL's JSON refuses one, so neither
    the index nor the figure may parse the row as it stands."""
    from sqlalchemy import insert

    values = '{"assignment_id":"a-2","note":"a\\u0000b","starts_on":"2026-11-24"}'
    with server.engine.begin() as conn:
        conn.execute(insert(sync_rows).values(
            table_name="visits", key="00000000-0000-4000-8000-0000000000aa", device_id="d", deleted=False,
            rev="000000000000001-000000-d", base_rev=None, row_values=values, visit_id=None, unit_id=None,
            server_seq=1, blob_sha256=None))
        found = conn.execute(select(sync_rows.c.key).where(
            live_rows("visits"), json_text(conn, sync_rows.c.row_values, "assignment_id") == "a-2")).scalars().all()
    assert found == ["00000000-0000-4000-8000-0000000000aa"]


def test_only_the_codes_own_names_are_written_into_the_sql():
    assert str(constant("visits")) == "'visits'" and str(constant(0)) == "0"
    for unsafe in ("x'; DROP TABLE units; --", "a b", ""):
        with pytest.raises(ValueError, match="not a plain name"):
            constant(unsafe)


# Plan caching and JIT are PostgreSQL's: the test runs there only.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_figures_queries_are_planned_for_their_own_values_in_its_transaction_only(server):
    assert server.engine.dialect.name == "postgresql"
    with server.engine.begin() as conn:
        figures.band_counts(conn, "/", None)
        # The driver prepares a statement run a few times; a generic plan for every scope and
        # campaign tripled the overview's time.
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
    with server.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"

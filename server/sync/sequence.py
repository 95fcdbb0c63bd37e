"""The server sequence: one counter for everything a pull pages through.

Pushes and the office's writes (areas, units, rubric templates, campaigns, teams, assignments,
office settings) take a number from it inside their transaction, one writer at a time: on
PostgreSQL a transaction-scoped advisory lock, on SQLite the write lock ``BEGIN IMMEDIATE``
takes. So numbers are handed out in commit order, and a pull that has read up to a number never
sees a smaller one commit later.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, text, update

from server.store.schema import (
    admin_areas,
    assignment_removals,
    assignments,
    campaigns,
    office_settings,
    rubric_templates,
    sync_changesets,
    sync_counter,
    sync_rows,
    teams,
    units,
)

# Any fixed number: the key of the advisory lock that serialises numbered writes on PostgreSQL.
PUSH_LOCK = 7331002
COUNTER = "server_seq"
# Every table whose rows carry a number from the counter (sync_rows and sync_conflicts take the
# changeset's, recorded in sync_changesets; a finding event the office writes on the server,
# server.rectification, takes a number of its own, kept only on its sync_rows row).
NUMBERED = (sync_changesets, sync_rows, admin_areas, units, rubric_templates, campaigns, teams, assignments,
            assignment_removals, office_settings)


def serialise(conn: Connection) -> None:
    """Wait for any other numbered write to commit (PostgreSQL; SQLite's write lock is held)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PUSH_LOCK})


def current_seq(conn: Connection) -> int:
    """The last number handed out and committed (0 for none)."""
    value = conn.execute(select(sync_counter.c.value).where(sync_counter.c.name == COUNTER)).scalar_one_or_none()
    return int(value or 0)


def next_seq(conn: Connection) -> int:
    """The next server sequence number; call with the lock held (``serialise``)."""
    current = conn.execute(select(sync_counter.c.value).where(sync_counter.c.name == COUNTER)).scalar_one_or_none()
    if current is None:
        # The counter starts after anything numbered before it existed (an emptied table too).
        start = max(int(conn.execute(select(func.max(t.c.server_seq))).scalar_one_or_none() or 0) for t in NUMBERED)
        conn.execute(insert(sync_counter).values(name=COUNTER, value=start + 1))
        return start + 1
    conn.execute(update(sync_counter).where(sync_counter.c.name == COUNTER).values(value=current + 1))
    return int(current) + 1


def stamp(conn: Connection) -> int:
    """Take the lock and a number, for one office row written in this transaction."""
    serialise(conn)
    return next_seq(conn)

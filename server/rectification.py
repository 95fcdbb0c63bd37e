"""The office moves a finding through its rectification loop: each change is a finding event
the server writes, which every laptop of the visit pulls.

A finding's status is its latest live ``finding_events`` row (by ``at``, then revision) on every
side (``db.queries.findings.STATUS``, ``server.dashboard.figures.open_findings``). The office's
change is therefore not an edit of the finding but one more event, appended like an inspector's:
office and inspector events merge and never conflict. The server writes it as a laptop's push
writes a row: into ``sync_rows`` (table ``finding_events``, a new key), placed with the finding's
visit and unit (so scope checks and pulls treat it as the finding's), under the push lock with a
number from the server sequence (``server.sync.sequence``), so a pull never skips it. Its
revision is a hybrid-logical-clock stamp (``app.hlc``) on the server's own node, a UUID made
once and kept with the clock's last stamp in ``server_clock``; the stamp follows the finding's
latest event, and so does its time ``at`` (one millisecond after it when a laptop's clock ran
ahead of the server's), so the office's change is the latest event whatever the clocks say.
The event names no visit (no visit checked it) and no inspector; who in the office wrote it is
kept on the server (``office_finding_events``).

The office may record: plan received (``plan_received``), report received (``reported_fixed``,
the status the laptops already know for "the unit reports it fixed"), verified, closed (销号)
and reopened, each only where ``app.findings.TRANSITIONS`` (the laptop's table) allows it from
the present status, and only on findings of units in the account's scope (others are "not
found"). The form says which status the person saw: if the finding changed meanwhile (a pull
or another person), the change is refused, naming the present status, and nothing is written.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from app.canonical import canonical_json
from app.findings import TRANSITIONS
from app.hlc import HybridClock, Stamp, StampTooFarAhead
from server.errors import BadInput, NotFound
from server.store.schema import (
    accounts,
    admin_areas,
    office_finding_events,
    server_clock,
    sync_rows,
    units,
)
from server.sync.sequence import next_seq, serialise

# What the office records, in the loop's order (the tracker offers them in this order).
OFFICE_STATUSES = ("plan_received", "reported_fixed", "verified", "closed", "reopened")
MAX_NOTE = 2000
CLOCK_ID = "server"


class ChangeRefused(BadInput):
    """The change is not made; ``reason`` says why (``status``, ``transition``, ``changed``,
    ``note_empty``, ``note_long``), ``current`` is the finding's present status."""

    def __init__(self, reason: str, message: str, *, current: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.current = current


@dataclass(frozen=True)
class Event:
    key: str
    status: str
    note: str
    at: str
    # The visit that checked the finding (an inspector's event written during a visit).
    visit_id: str | None
    by_inspector: str | None
    # The inspector's name as their laptop pushed it, when known.
    inspector_name: str | None = None
    # For an event the office wrote here: the account's login and name.
    office_login: str | None = None
    office_name: str | None = None


@dataclass(frozen=True)
class HeldFinding:
    finding_id: str
    visit_id: str
    unit_id: str
    unit_code: str
    unit_name: str
    values: dict[str, Any]
    # Live events, oldest first: the last one is the status.
    events: list[Event] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.events[-1].status if self.events else "open"

    def office_moves(self) -> list[str]:
        """The statuses the office may record next, in the loop's order."""
        allowed = TRANSITIONS.get(self.status, frozenset())
        return [s for s in OFFICE_STATUSES if s in allowed]


def held_finding(conn: Connection, scope: str, finding_id: str) -> HeldFinding:
    """The finding as the server holds it, with its events; NotFound when it is not held, was
    deleted, or its unit lies outside ``scope`` (as if it did not exist)."""
    row = conn.execute(
        select(sync_rows.c.visit_id, sync_rows.c.unit_id, sync_rows.c.row_values, units.c.code, units.c.name)
        .join(units, units.c.id == sync_rows.c.unit_id)
        .join(admin_areas, admin_areas.c.id == units.c.area_id)
        .where(sync_rows.c.table_name == "findings", sync_rows.c.key == finding_id,
               sync_rows.c.deleted.is_(False), admin_areas.c.path.like(scope + "%"))).first()
    if row is None:
        raise NotFound(f"no finding {finding_id} in this account's scope")
    return HeldFinding(finding_id, row.visit_id, row.unit_id, row.code, row.name, json.loads(row.row_values),
                       _events(conn, finding_id, row.visit_id))


def _events(conn: Connection, finding_id: str, visit_id: str) -> list[Event]:
    # A finding's events are placed with its visit: the visit's index finds them.
    found = []
    for r in conn.execute(select(sync_rows.c.key, sync_rows.c.rev, sync_rows.c.row_values)
                          .where(sync_rows.c.table_name == "finding_events", sync_rows.c.visit_id == visit_id,
                                 sync_rows.c.deleted.is_(False))):
        values = json.loads(r.row_values)
        if values.get("finding_id") == finding_id:
            found.append((str(values.get("at") or ""), r.rev, r.key, values))
    found.sort(key=lambda e: (e[0], e[1]))
    keys = [key for _, _, key, _ in found]
    office = {r.event_key: (r.login, r.name) for r in conn.execute(
        select(office_finding_events.c.event_key, accounts.c.login, accounts.c.name)
        .join(accounts, accounts.c.id == office_finding_events.c.account_id)
        .where(office_finding_events.c.event_key.in_(keys)))} if keys else {}
    people = sorted({v["by_inspector"] for _, _, _, v in found if isinstance(v.get("by_inspector"), str)})
    names = {r.key: json.loads(r.row_values).get("name") for r in conn.execute(
        select(sync_rows.c.key, sync_rows.c.row_values)
        .where(sync_rows.c.table_name == "inspectors", sync_rows.c.key.in_(people)))} if people else {}
    events = []
    for at, _rev, key, values in found:
        login, name = office.get(key, (None, None))
        by = values.get("by_inspector")
        events.append(Event(key, str(values.get("status")), str(values.get("note") or ""), at,
                            values.get("visit_id"), by, names.get(by) if by else None, login, name))
    return events


def _latest_rev(conn: Connection, finding: HeldFinding) -> str | None:
    if not finding.events:
        return None
    return conn.execute(select(sync_rows.c.rev).where(sync_rows.c.table_name == "finding_events",
                                                      sync_rows.c.key == finding.events[-1].key)).scalar_one()


def _stamp(conn: Connection, after: str | None, wall_ms: int) -> Stamp:
    """The server's next revision, after ``after`` (the finding's latest event) when that stamp
    is not absurdly ahead; call with the push lock held (the clock row is read, then written)."""
    held = conn.execute(select(server_clock).where(server_clock.c.id == CLOCK_ID)).first()
    if held is None:
        node, last = str(uuid.uuid4()), None
        conn.execute(insert(server_clock).values(id=CLOCK_ID, node=node, wall_ms=0, counter=0))
    else:
        node, last = held.node, Stamp(int(held.wall_ms), int(held.counter), held.node)
    clock = HybridClock(node, last=last, now=lambda: wall_ms)
    stamp = clock.tick()
    if after is not None:
        try:
            stamp = clock.observe(Stamp.parse(after))
        except (StampTooFarAhead, ValueError):
            pass
    conn.execute(update(server_clock).where(server_clock.c.id == CLOCK_ID)
                 .values(wall_ms=stamp.wall_ms, counter=stamp.counter))
    return stamp


def _at(now: float, latest: str | None) -> str:
    """The event's time: now, or just after the latest event when a laptop's clock ran ahead."""
    moment = datetime.fromtimestamp(now, UTC)
    if latest:
        try:
            before = datetime.fromisoformat(latest)
        except ValueError:
            before = None
        if before is not None and before.tzinfo is not None and before >= moment:
            moment = before.astimezone(UTC) + timedelta(milliseconds=1)
    return moment.isoformat(timespec="milliseconds")


def check_note(note: str, current: str) -> str:
    text = note.strip()
    if not text:
        raise ChangeRefused("note_empty", "say in a note why the status changes", current=current)
    if len(text) > MAX_NOTE:
        raise ChangeRefused("note_long", f"the note is longer than {MAX_NOTE} characters", current=current)
    return text


def change_status(conn: Connection, *, scope: str, account_id: str, finding_id: str, status: str, note: str,
                  seen: str | None = None, now: float | None = None) -> Event:
    """Record the office's change of a finding's status, in the caller's (writing) transaction.

    ``seen`` is the status the person saw when they chose: a different present status refuses
    the change (``changed``). Raises NotFound outside the scope and ChangeRefused for a change
    the loop does not allow; nothing is written then.
    """
    serialise(conn)  # before reading the status: no push may slip an event in between
    finding = held_finding(conn, scope, finding_id)
    current = finding.status
    if seen is not None and seen != current:
        raise ChangeRefused("changed", f"the finding changed meanwhile: it is {current} now", current=current)
    if status not in OFFICE_STATUSES:
        raise ChangeRefused("status", f"the office cannot record the status {status!r}", current=current)
    if status not in TRANSITIONS.get(current, frozenset()):
        raise ChangeRefused("transition", f"a finding that is {current} cannot become {status}", current=current)
    text = check_note(note, current)
    now = time.time() if now is None else now
    seq = next_seq(conn)
    stamp = _stamp(conn, _latest_rev(conn, finding), int(now * 1000))
    at = _at(now, finding.events[-1].at if finding.events else None)
    key = str(uuid.uuid4())
    values = {"finding_id": finding_id, "visit_id": None, "status": status, "note": text, "at": at,
              "by_inspector": None}
    conn.execute(insert(sync_rows).values(
        table_name="finding_events", key=key, rev=str(stamp), device_id=stamp.node, base_rev=None, deleted=False,
        row_values=canonical_json(values), visit_id=finding.visit_id, unit_id=finding.unit_id, server_seq=seq,
        blob_sha256=None))
    conn.execute(insert(office_finding_events).values(event_key=key, finding_id=finding_id, account_id=account_id,
                                                      written_at=now))
    who = conn.execute(select(accounts.c.login, accounts.c.name).where(accounts.c.id == account_id)).first()
    return Event(key, status, text, at, None, None, None, who.login if who else None, who.name if who else None)

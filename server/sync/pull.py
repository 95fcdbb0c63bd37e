"""Pull (docs/sync-protocol.md section 10): everything after a cursor that the account may see.

Every item has a position ``(seq, rank, key)``: the server sequence number of its last write
(``server.sync.sequence``), then a rank by kind and table so that, within one number (one
changeset), a row never comes before the one it refers to, then its key. Pages run in that order.

A cursor is ``s<seq>`` (everything up to that number delivered) or ``s<seq>.<rank>.<key>`` (up to
that item, when a page ended inside a number). A pull first reads the last number committed and
serves nothing after it: numbers are handed out in commit order, so nothing can later appear
before a cursor it gave. A row written again moves to its new number and comes again there.

What an account sees: every rubric template, campaign and team, and the office's settings; the
areas and units under its scope; the assignments there (inspectors and team leaders: their
teams' only) and, as deleted rows, those the office removed; the pushed rows of visits whose
unit is under its scope, and those visits' conflicts and finalized versions. Its own device's rows are not left out (a replacement laptop has the same id).
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, and_, case, literal, or_, select

from app.sync.protocol import FinalizedVersion, RowVersion, RubricTemplate, StatedScore
from app.sync.pull import (
    ConflictItem,
    FinalizedVersionItem,
    OfficeSettings,
    OfficeSettingsItem,
    PullItem,
    PullPage,
    RowItem,
    RubricTemplateItem,
)
from server.accounts import Account
from server.errors import BadInput
from server.office import OFFICE, Settings
from server.store.schema import (
    admin_areas,
    assignment_removals,
    assignments,
    campaigns,
    finalized_versions,
    office_settings,
    rubric_templates,
    sync_conflicts,
    sync_rows,
    team_members,
    teams,
    units,
)
from server.sync.placement import EVIDENCE_PARTS, VISIT_TABLES
from server.sync.push import conflict_message, iso_now
from server.sync.sequence import current_seq

# The node of the revisions the server writes for the office's rows (never a laptop's id).
SERVER_NODE = "00000000-0000-4000-8000-000000000000"

RANK_TEMPLATE = 0
RANK_SETTINGS = 1
OFFICE_RANKS = {"admin_areas": 10, "units": 11, "campaigns": 12, "teams": 13, "assignments": 14}
# Removed assignments (tombstones) come from their own query, so they have a rank of their own.
RANK_REMOVED_ASSIGNMENT = 16
# A photo's parts come after the photo (evidence), which the sorted names give.
ROW_RANKS = {"inspectors": 15, "visits": 20, "findings": 21,
             **{t: 30 + i for i, t in enumerate(sorted((VISIT_TABLES | EVIDENCE_PARTS) - {"findings"}))},
             "finding_events": 45}
RANK_CONFLICT = 50
RANK_FINALIZED = 60
# Past every rank: "s<seq>" is the position after everything numbered seq.
RANK_END = 99

_CURSOR = re.compile(r"^s(\d{1,18})(?:\.(\d{1,2})\.([0-9a-z-]{1,64}))?$")


@dataclass(frozen=True, order=True)
class Position:
    seq: int
    rank: int = RANK_END
    key: str = ""

    def text(self) -> str:
        return f"s{self.seq}" if self.rank == RANK_END else f"s{self.seq}.{self.rank}.{self.key}"


def parse_cursor(cursor: str | None) -> Position:
    if cursor is None:
        return Position(0)
    match = _CURSOR.match(cursor)
    if match is None:
        raise BadInput("this cursor is not one this server gave; pull again from the beginning (cursor null)",
                       problems=[{"location": ["cursor"], "message": "not a cursor of this server"}])
    seq, rank, key = match.groups()
    return Position(int(seq)) if rank is None else Position(int(seq), int(rank), key)


def _version_key(key: str) -> tuple[str, int]:
    """A finalized version's cursor key, "<visit id>-<amendment no>", as its two parts."""
    visit_id, _, number = key.rpartition("-")
    if not visit_id or not number.isdigit():
        raise BadInput("this cursor is not one this server gave; pull again from the beginning (cursor null)",
                       problems=[{"location": ["cursor"], "message": "not a cursor of this server"}])
    return visit_id, int(number)


def _after(seq: Any, rank: Any, key: Any, pos: Position) -> Any:
    """SQL for "this item's position is after ``pos``" (``rank`` a column expression or a literal)."""
    return or_(seq > pos.seq, and_(seq == pos.seq, or_(rank > pos.rank, and_(rank == pos.rank, key > pos.key))))


def _within(path: Any, scope: str) -> Any:
    return path.like(scope + "%")


def _rev(seconds: float, seq: int) -> str:
    return f"{int(seconds * 1000):015d}-{seq % 1_000_000:06d}-{SERVER_NODE}"


def _office_row(table: str, key: str, seq: int, at: float, values: dict[str, Any]) -> RowItem:
    return RowItem(seq=seq, table=table, key=key,  # type: ignore[arg-type]
                   row=RowVersion(rev=_rev(at, seq), device_id=SERVER_NODE, deleted=False, values=values))


def settings_message(settings: Settings) -> OfficeSettings:
    return OfficeSettings(name_zh=settings.name_zh, name_en=settings.name_en, logo_sha256=settings.logo_sha256,
                          updated_at=iso_now(settings.updated_at))


Found = Iterator[tuple[Position, PullItem]]


class _Sources:
    """One query per kind of item, each in position order and limited; merged by ``page``."""

    def __init__(self, conn: Connection, account: Account, after: Position, upto: int, limit: int) -> None:
        self.conn = conn
        self.account = account
        self.after = after
        self.upto = upto
        self.limit = limit

    def _run(self, query: Select[Any], seq: Any, rank: Any, key: Any) -> list[Any]:
        rank_sql = literal(rank) if isinstance(rank, int) else rank
        query = (query.where(seq <= self.upto, _after(seq, rank_sql, key, self.after))
                 .order_by(seq, rank_sql, key).limit(self.limit + 1))
        return list(self.conn.execute(query).all())

    def _scoped_units(self) -> Select[Any]:
        return (select(units.c.id).join(admin_areas, admin_areas.c.id == units.c.area_id)
                .where(_within(admin_areas.c.path, self.account.scope)))

    def templates(self) -> Found:
        t = rubric_templates
        for r in self._run(select(t), t.c.server_seq, RANK_TEMPLATE, t.c.hash):
            template = RubricTemplate(hash=r.hash, rubric_id=r.rubric_id, version=r.version, name_zh=r.name_zh,
                                      name_en=r.name_en, document=json.loads(r.document))
            yield Position(r.server_seq, RANK_TEMPLATE, r.hash), RubricTemplateItem(seq=r.server_seq,
                                                                                     template=template)

    def settings(self) -> Found:
        s = office_settings
        for r in self._run(select(s), s.c.server_seq, RANK_SETTINGS, s.c.id):
            settings = settings_message(Settings(r.name_zh, r.name_en, r.logo_sha256, r.updated_at, r.server_seq))
            yield Position(r.server_seq, RANK_SETTINGS, OFFICE), OfficeSettingsItem(seq=r.server_seq,
                                                                                     settings=settings)

    def areas(self) -> Found:
        a, rank = admin_areas, OFFICE_RANKS["admin_areas"]
        query = select(a).where(_within(a.c.path, self.account.scope))
        for r in self._run(query, a.c.server_seq, rank, a.c.id):
            values = {"parent_id": r.parent_id, "level": r.level, "code": r.code, "name": r.name}
            yield Position(r.server_seq, rank, r.id), _office_row("admin_areas", r.id, r.server_seq, r.updated_at,
                                                                  values)

    def units(self) -> Found:
        u, rank = units, OFFICE_RANKS["units"]
        query = select(u).where(u.c.id.in_(self._scoped_units()))
        for r in self._run(query, u.c.server_seq, rank, u.c.id):
            values = {c: getattr(r, c) for c in ("area_id", "code", "name", "unit_type", "head_name", "phone",
                                                 "address", "profile")}
            yield Position(r.server_seq, rank, r.id), _office_row("units", r.id, r.server_seq, r.updated_at, values)

    def named(self, table: Any) -> Found:
        rank = OFFICE_RANKS[table.name]
        for r in self._run(select(table), table.c.server_seq, rank, table.c.id):
            yield Position(r.server_seq, rank, r.id), _office_row(table.name, r.id, r.server_seq, r.created_at,
                                                                  {"name": r.name})

    def assignments(self) -> Found:
        a, rank = assignments, OFFICE_RANKS["assignments"]
        query = select(a).where(a.c.unit_id.in_(self._scoped_units()))
        if not self.account.is_office:
            query = query.where(a.c.team_id.in_(select(team_members.c.team_id)
                                                .where(team_members.c.account_id == self.account.id)))
        for r in self._run(query, a.c.server_seq, rank, a.c.id):
            values = {c: getattr(r, c) for c in ("campaign_id", "unit_id", "team_id", "visit_type", "window_start",
                                                 "window_end", "rubric_hashes")}
            yield Position(r.server_seq, rank, r.id), _office_row("assignments", r.id, r.server_seq, r.created_at,
                                                                  values)

    def removed_assignments(self) -> Found:
        """Tombstones of the assignments the office removed, to the accounts that could see them:
        the laptop marks its row deleted (a visit begun from it keeps naming it)."""
        a, rank = assignment_removals, RANK_REMOVED_ASSIGNMENT
        query = select(a).where(a.c.unit_id.in_(self._scoped_units()))
        if not self.account.is_office:
            query = query.where(a.c.team_id.in_(select(team_members.c.team_id)
                                                .where(team_members.c.account_id == self.account.id)))
        for r in self._run(query, a.c.server_seq, rank, a.c.id):
            values = {c: getattr(r, c) for c in ("campaign_id", "unit_id", "team_id", "visit_type", "window_start",
                                                 "window_end", "rubric_hashes")}
            row = RowVersion(rev=_rev(r.removed_at, r.server_seq), device_id=SERVER_NODE, deleted=True, values=values)
            yield Position(r.server_seq, rank, r.id), RowItem(seq=r.server_seq, table="assignments", key=r.id, row=row)

    def rows(self) -> Found:
        s = sync_rows
        rank = case(ROW_RANKS, value=s.c.table_name, else_=RANK_CONFLICT - 1)
        query = select(s, rank.label("rank"))
        if self.account.scope != "/":
            # Inspectors belong to no unit: every account may know who answered and signed.
            query = query.where(or_(s.c.unit_id.in_(self._scoped_units()), s.c.table_name == "inspectors"))
        for r in self._run(query, s.c.server_seq, rank, s.c.key):
            version = RowVersion(rev=r.rev, device_id=r.device_id, deleted=bool(r.deleted),
                                 values=json.loads(r.row_values))
            yield Position(r.server_seq, int(r.rank), r.key), RowItem(seq=r.server_seq, table=r.table_name,
                                                                      key=r.key, row=version)

    def conflicts(self) -> Found:
        c = sync_conflicts
        query = select(c)
        if self.account.scope != "/":
            visits = select(sync_rows.c.key).where(sync_rows.c.table_name == "visits",
                                                   sync_rows.c.unit_id.in_(self._scoped_units()))
            query = query.where(c.c.visit_id.in_(visits))
        for r in self._run(query, c.c.server_seq, RANK_CONFLICT, c.c.id):
            yield Position(r.server_seq, RANK_CONFLICT, r.id), ConflictItem(seq=r.server_seq,
                                                                            conflict=conflict_message(r))

    def finalized(self) -> Found:
        # Key "<visit id>-<amendment no>": a changeset may carry several versions of one visit.
        f = finalized_versions
        query = select(f)
        if self.account.scope != "/":
            query = query.where(f.c.unit_id.in_(self._scoped_units()))
        after = self.after
        if after.rank == RANK_FINALIZED:
            visit_id, number = _version_key(after.key)
            query = query.where(or_(f.c.server_seq > after.seq, f.c.visit_id > visit_id,
                                    and_(f.c.visit_id == visit_id, f.c.amendment_no > number)))
            after = Position(after.seq, RANK_FINALIZED - 1)
        query = (query.where(f.c.server_seq <= self.upto, _after(f.c.server_seq, literal(RANK_FINALIZED), literal(""),
                                                                 after))
                 .order_by(f.c.server_seq, f.c.visit_id, f.c.amendment_no).limit(self.limit + 1))
        for r in self.conn.execute(query).all():
            version = FinalizedVersion(visit_id=r.visit_id, amendment_no=r.amendment_no, content_hash=r.content_hash,
                                       replaces=r.replaces, finalized_at=r.finalized_at,
                                       score=StatedScore(total=r.stated_total, maximum=r.stated_maximum,
                                                         band=r.stated_band))
            yield (Position(r.server_seq, RANK_FINALIZED, f"{r.visit_id}-{r.amendment_no}"),
                   FinalizedVersionItem(seq=r.server_seq, version=version))

    def all(self) -> list[list[tuple[Position, PullItem]]]:
        return [list(found) for found in (self.templates(), self.settings(), self.areas(), self.units(),
                                          self.named(campaigns), self.named(teams), self.assignments(),
                                          self.removed_assignments(), self.rows(), self.conflicts(), self.finalized())]


def pull(conn: Connection, account: Account, cursor: str | None, limit: int) -> PullPage:
    """The page of at most ``limit`` items after ``cursor`` that ``account`` may see."""
    after = parse_cursor(cursor)
    upto = current_seq(conn)
    if after.seq > upto:
        raise BadInput(f"this cursor is ahead of the server (at {upto}); pull again from the beginning (cursor null)",
                       problems=[{"location": ["cursor"], "message": "ahead of the server"}])
    # Within one (seq, rank) every item comes from one query, in the database's own key order:
    # the merge keeps that order (heapq.merge is stable), so a cursor compares keys as SQL does.
    merged = heapq.merge(*_Sources(conn, account, after, upto, limit).all(), key=lambda p: (p[0].seq, p[0].rank))
    taken = [found for _, found in zip(range(limit + 1), merged, strict=False)]
    more = len(taken) > limit
    page = taken[:limit]
    next_cursor = page[-1][0].text() if more else Position(upto).text()
    return PullPage(items=[item for _, item in page], next_cursor=next_cursor, more=more)

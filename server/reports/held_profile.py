"""A visit the server holds, laid out as a laptop profile, so the laptop's code can print it.

The report code (``app.reports``) reads a laptop profile: the visit, its unit, members, answers,
findings, photos with their annotations, signatures, the office's name and logo. The server
holds the same rows as the laptops pushed them (``sync_rows``), so the visit is written into a
fresh profile in a temporary folder the way a team-mate's laptop receives it in a pull
(``app.sync.local.apply_pulled_row``, parents first), with the rubric templates it pins, the
unit and its areas, the assignment and team it names, the inspectors its rows name, its
finalized versions and open conflicts, and the photo and signature files. Nothing of the
server's own tables is changed; the folder is removed when the ``with`` block ends.

Foreign keys are not checked in that copy: the server has checked each row when it was pushed,
and a parent it does not hold (a team a laptop never pushed) must not stop the paper, which
then prints without that name, as a laptop missing that row would.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from app.canonical import canonical_json, loads_exact
from app.evidence.store import blob_path, hash_file
from app.profile import Profile, utc_now
from app.settings import set_settings
from app.sync.local import apply_pulled_row, store_conflict
from app.sync.protocol import RowVersion
from db.codes import SYNCED_TABLES
from db.queries import rubrics as rq
from db.queries import sync as sq
from server.errors import NotFound
from server.office import get_settings
from server.store.blobs import BlobError, BlobStore
from server.store.blobs.files import FileBlobStore
from server.store.database import reading
from server.store.schema import (
    admin_areas,
    assignments,
    campaigns,
    finalized_versions,
    office_settings,
    rubric_templates,
    sync_conflicts,
    sync_rows,
    teams,
    units,
)
from server.sync.pull import SERVER_NODE
from server.sync.push import conflict_message

# The columns the server's office tables hand a laptop in a pull (server.sync.pull).
UNIT_COLUMNS = ("area_id", "code", "name", "unit_type", "head_name", "phone", "address", "profile")
ASSIGNMENT_COLUMNS = ("campaign_id", "unit_id", "team_id", "visit_type", "window_start", "window_end",
                      "rubric_hashes")
# Columns of the visit's rows that name an inspector.
INSPECTOR_COLUMNS = ("inspector_id", "answered_by", "by_inspector", "by")
_ORDER = {table: n for n, table in enumerate(SYNCED_TABLES)}


class UnprintableVisit(Exception):
    """The rows held cannot be laid out as a laptop profile (the message says which and why)."""


@dataclass(frozen=True)
class Row:
    table: str
    key: str
    version: RowVersion


@dataclass(frozen=True)
class HeldProfile:
    """The laptop-shaped copy of one visit, and the photo and signature files it lacks."""

    profile: Profile
    visit_id: str
    missing_blobs: tuple[str, ...]


def _office_row(table: str, key: str, at: float, seq: int, values: dict[str, Any]) -> Row:
    # The revision the server gives its own rows in a pull: milliseconds, sequence, server node.
    rev = f"{int(at * 1000):015d}-{seq % 1_000_000:06d}-{SERVER_NODE}"
    return Row(table, key, RowVersion(rev=rev, device_id=SERVER_NODE, deleted=False, values=values))


def _synced(r: Any) -> Row:
    return Row(r.table_name, r.key, RowVersion(rev=r.rev, device_id=r.device_id, deleted=bool(r.deleted),
                                               values=json.loads(r.row_values)))


def _pushed(conn: Connection, table: str, keys: set[str]) -> dict[str, Row]:
    if not keys:
        return {}
    found = conn.execute(select(sync_rows).where(sync_rows.c.table_name == table,
                                                 sync_rows.c.key.in_(sorted(keys)))).all()
    return {r.key: _synced(r) for r in found}


def visit_rows(conn: Connection, visit_id: str) -> list[Row]:
    """The visit's rows, with every event on its findings (the server places a finding's events,
    the office's and later visits' too, with the finding's visit)."""
    return [_synced(r) for r in conn.execute(select(sync_rows).where(sync_rows.c.visit_id == visit_id))]


def office_rows(conn: Connection, rows: list[Row]) -> list[Row]:
    """What the visit's rows name from the office: the unit and its areas, the assignment with its
    campaign and team, the visit's team, and the inspectors; pushed rows win over the office's."""
    visit = next(r for r in rows if r.table == "visits")
    values = visit.version.values
    out: list[Row] = []
    unit = conn.execute(select(units).where(units.c.id == values.get("unit_id"))).first()
    if unit is not None:
        out.append(_office_row("units", unit.id, unit.updated_at, unit.server_seq,
                               {c: getattr(unit, c) for c in UNIT_COLUMNS}))
        area_id = unit.area_id
        while area_id is not None:
            area = conn.execute(select(admin_areas).where(admin_areas.c.id == area_id)).first()
            if area is None:
                break
            out.append(_office_row("admin_areas", area.id, area.updated_at, area.server_seq,
                                   {"parent_id": area.parent_id, "level": area.level, "code": area.code,
                                    "name": area.name}))
            area_id = area.parent_id
    team_ids = {str(values["team_id"])} if isinstance(values.get("team_id"), str) else set()
    campaign_ids: set[str] = set()
    assignment_id = values.get("assignment_id")
    if isinstance(assignment_id, str):
        pushed = _pushed(conn, "assignments", {assignment_id})
        if pushed:
            assignment = next(iter(pushed.values()))
            out.append(assignment)
            team_ids.add(str(assignment.version.values.get("team_id")))
            campaign_ids.add(str(assignment.version.values.get("campaign_id")))
        else:
            a = conn.execute(select(assignments).where(assignments.c.id == assignment_id)).first()
            if a is not None:
                out.append(_office_row("assignments", a.id, a.created_at, a.server_seq,
                                       {c: getattr(a, c) for c in ASSIGNMENT_COLUMNS}))
                team_ids.add(a.team_id)
                campaign_ids.add(a.campaign_id)
    for table, wanted in ((teams, team_ids), (campaigns, campaign_ids)):
        pushed = _pushed(conn, table.name, wanted)
        out += pushed.values()
        rest = sorted(wanted - set(pushed))
        if rest:
            for r in conn.execute(select(table).where(table.c.id.in_(rest))):
                out.append(_office_row(table.name, r.id, r.created_at, r.server_seq, {"name": r.name}))
    named = {str(r.version.values[c]) for r in rows for c in INSPECTOR_COLUMNS
             if isinstance(r.version.values.get(c), str)}
    out += _pushed(conn, "inspectors", named).values()
    return out


def _store_templates(conn: Connection, profile: Profile, rows: list[Row]) -> None:
    hashes = {str(r.version.values.get("rubric_hash")) for r in rows if r.table == "visit_rubrics"}
    for t in conn.execute(select(rubric_templates).where(rubric_templates.c.hash.in_(sorted(hashes)))):
        rq.insert_template(profile.db, hash=t.hash, rubric_id=t.rubric_id, version=t.version, name_zh=t.name_zh,
                           name_en=t.name_en, document=canonical_json(loads_exact(t.document)),
                           imported_at=utc_now())


def _copy_blob(blobs: BlobStore, sha: str, target: Path) -> bool:
    """The blob's bytes at ``target``: a hard link to a file store's file where the disk allows,
    else a copy. False when the server does not hold them (the paper then says so)."""
    if target.is_file():
        return True
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(blobs, FileBlobStore):
        try:
            os.link(blobs.path(sha), target)
        except FileNotFoundError:
            return False
        except OSError:
            pass  # another disk, or links not allowed: copied below
        else:
            # A link skips the store's reading check: a file changed at rest is not drawn.
            if hash_file(target) == sha:
                return True
            target.unlink()
            return False
    try:
        with open(target, "wb") as out:
            for chunk in blobs.iter_chunks(sha):
                out.write(chunk)
    except BlobError:
        target.unlink(missing_ok=True)
        return False
    return True


def _office_settings(conn: Connection, profile: Profile, *, lang: str, server_url: str) -> dict[str, Path]:
    """The office's name (in the paper's language) as the laptop's setting for the 落款, and the
    server's address for the QR code; returns where the logo's file goes (by its hash)."""
    values: dict[str, object] = {"server_url": server_url}
    files: dict[str, Path] = {}
    if conn.execute(select(office_settings.c.id).limit(1)).first() is not None:
        office = get_settings(conn)
        values["office_name"] = (office.name_en or office.name_zh) if lang == "en" else office.name_zh
        if office.logo_sha256:
            files[office.logo_sha256] = profile.root / "office-logo"
    set_settings(profile, values)
    return files


def materialize(conn: Connection, profile: Profile, visit_id: str, *, lang: str = "zh",
                server_url: str = "") -> dict[str, Path]:
    """Write the visit the server holds into the fresh ``profile``; returns the files it needs
    (photos, signatures, the office's logo) by hash, for ``fetch_files``. NotFound when the
    server holds no live visit of that id."""
    rows = visit_rows(conn, visit_id)
    visit = next((r for r in rows if r.table == "visits" and r.key == visit_id), None)
    if visit is None or visit.version.deleted:
        raise NotFound(f"the server holds no visit {visit_id}")
    rows = office_rows(conn, rows) + rows
    rows.sort(key=lambda r: _ORDER.get(r.table, len(_ORDER)))
    db = profile.db
    # Outside any transaction, where SQLite allows the switch (see the module's docstring).
    db.execute("PRAGMA foreign_keys = OFF")
    with db.atomic():
        _store_templates(conn, profile, rows)
        for row in rows:
            try:
                apply_pulled_row(profile, row.table, row.key, row.version)  # type: ignore[arg-type]
            except (ValueError, sqlite3.DatabaseError) as exc:
                # A row this release's laptop schema cannot hold: the sheet would not be the
                # laptops' sheet, so none is printed, and the office is told which row.
                raise UnprintableVisit(f"the {row.table} row {row.key} does not fit a laptop profile of this "
                                       f"release ({exc})") from None
        for v in conn.execute(select(finalized_versions).where(finalized_versions.c.visit_id == visit_id)
                              .order_by(finalized_versions.c.amendment_no)):
            sq.held_version(db, v.visit_id, v.amendment_no, v.content_hash, v.replaces, v.finalized_at)
    for c in conn.execute(select(sync_conflicts).where(sync_conflicts.c.visit_id == visit_id,
                                                       sync_conflicts.c.status == "open")):
        store_conflict(profile, conflict_message(c))
    files = {}
    for row in rows:
        sha = row.version.values.get("sha256")
        if row.table in ("evidence", "signatures") and not row.version.deleted and isinstance(sha, str):
            files[sha] = blob_path(profile.media_dir, sha)
    logo = _office_settings(conn, profile, lang=lang, server_url=server_url)
    files.update(logo)
    return files


def fetch_files(profile: Profile, blobs: BlobStore, files: dict[str, Path]) -> list[str]:
    """Put the files in place from the blob store; returns the hashes it does not hold. The logo
    becomes the profile's logo setting only once its file is there."""
    missing = [sha for sha, target in files.items() if not _copy_blob(blobs, sha, target)]
    logo = profile.root / "office-logo"
    if logo in files.values() and logo.is_file():
        set_settings(profile, {"office_logo": str(logo)})
    return missing


@contextmanager
def held_profile(engine: Engine, blobs: BlobStore, visit_id: str, *, lang: str = "zh",
                 server_url: str = "", folder: Path | None = None) -> Iterator[HeldProfile]:
    """The visit as a laptop profile in a temporary folder (under ``folder`` when given), removed
    after the block. The database is read in one short transaction; the files are fetched after
    it. NotFound when the server holds no live visit of that id."""
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="held-visit-", dir=folder))
    try:
        profile = Profile.open(root / "profile")
        try:
            with reading(engine) as conn:
                files = materialize(conn, profile, visit_id, lang=lang, server_url=server_url)
            missing = fetch_files(profile, blobs, files)
            yield HeldProfile(profile, visit_id, tuple(missing))
        finally:
            profile.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)

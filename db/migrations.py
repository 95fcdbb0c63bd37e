"""The schema, as numbered migrations. This is the only place tables are created or changed.

Released steps are never edited: a change to the schema is a new function at the end, and
tests/db/fixtures keeps a database made at each released level to prove the upgrade path.

Every row that syncs carries the same bookkeeping columns (see ``SYNC_COLUMNS``): its key as
``id`` (a UUID made on the device, or for rows about something the UUIDv5 of what identifies
them, ``db.keys``), ``rev`` (a hybrid-logical-clock stamp, so edits order correctly even when the
laptop's clock is wrong), the id of the device that wrote it, ``dirty`` (1 until a server receipt
acknowledges the revision), ``deleted`` (tombstones: a delete is a flagged row, so it syncs) and,
since 0005, ``base_rev`` (the revision a server last acknowledged or delivered: the base a
conflict is judged from).
"""

from __future__ import annotations

import json
import sqlite3
import uuid

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from db.codes import (  # noqa: F401 - the schema's code lists, re-exported
    AREA_LEVELS,
    CONFLICT_STATUSES,
    EVIDENCE_PARTS,
    FINDING_STATUSES,
    SEVERITIES,
    SYNCED_TABLES,
    VISIT_STATUSES,
    VISIT_TYPES,
)
from db.keys import derived_key

MIGRATIONS = Migrations("fieldmark")

# The tables that had sync columns when 0001 was released. Frozen here because SYNCED_TABLES grows
# with later steps and a released step must make the same schema it always made.
_SYNCED_AT_0001 = (
    "admin_areas", "units", "inspectors", "teams", "campaigns", "assignments", "visits", "responses",
    "findings", "finding_events", "good_practices", "evidence", "signatures", "audit_log",
)

# The finding statuses 0001 allowed; FINDING_STATUSES grows with later steps (0008).
_FINDING_STATUSES_AT_0001 = ("open", "fixed_on_site", "reported_fixed", "verified", "closed", "reopened")

SYNC_COLUMNS = """
    rev TEXT NOT NULL,
    device_id TEXT NOT NULL,
    dirty INTEGER NOT NULL DEFAULT 1 CHECK (dirty IN (0, 1)),
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
"""


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _script(db: Database, sql: str) -> None:
    # executescript() would COMMIT the migration's transaction; run statement by statement,
    # using SQLite's own notion of a complete statement so trigger bodies stay whole.
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)


@MIGRATIONS(name="0001_initial")
def m0001_initial(db: Database) -> None:
    _script(
        db,
        f"""
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        CREATE TABLE admin_areas (
            id TEXT PRIMARY KEY,
            parent_id TEXT REFERENCES admin_areas(id),
            level TEXT NOT NULL CHECK (level IN {_in(AREA_LEVELS)}),
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX admin_areas_parent ON admin_areas(parent_id);

        CREATE TABLE units (
            id TEXT PRIMARY KEY,
            area_id TEXT NOT NULL REFERENCES admin_areas(id),
            code TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            unit_type TEXT NOT NULL,
            head_name TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            address TEXT NOT NULL DEFAULT '',
            profile TEXT NOT NULL DEFAULT '{{}}',
            {SYNC_COLUMNS}
        );
        CREATE INDEX units_area ON units(area_id);
        CREATE INDEX units_name ON units(name);

        CREATE TABLE inspectors (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            organisation TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            {SYNC_COLUMNS}
        );

        CREATE TABLE teams (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE TABLE team_members (
            team_id TEXT NOT NULL REFERENCES teams(id),
            inspector_id TEXT NOT NULL REFERENCES inspectors(id),
            role TEXT NOT NULL CHECK (role IN ('leader', 'member')),
            PRIMARY KEY (team_id, inspector_id)
        );

        -- Immutable: a template is addressed by the SHA-256 of its canonical JSON.
        CREATE TABLE rubric_templates (
            hash TEXT PRIMARY KEY,
            rubric_id TEXT NOT NULL,
            version TEXT NOT NULL,
            name_zh TEXT NOT NULL,
            name_en TEXT NOT NULL,
            document TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX rubric_templates_id ON rubric_templates(rubric_id);
        CREATE TRIGGER rubric_templates_immutable BEFORE UPDATE ON rubric_templates
        BEGIN
            SELECT RAISE(ABORT, 'rubric templates are immutable; import a new version');
        END;

        CREATE TABLE campaigns (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            office TEXT NOT NULL DEFAULT '',
            starts_on TEXT,
            ends_on TEXT,
            description TEXT NOT NULL DEFAULT '',
            {SYNC_COLUMNS}
        );

        CREATE TABLE assignments (
            id TEXT PRIMARY KEY,
            campaign_id TEXT NOT NULL REFERENCES campaigns(id),
            unit_id TEXT NOT NULL REFERENCES units(id),
            team_id TEXT NOT NULL REFERENCES teams(id),
            visit_type TEXT NOT NULL CHECK (visit_type IN {_in(VISIT_TYPES)}),
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            rubric_hashes TEXT NOT NULL DEFAULT '[]',
            {SYNC_COLUMNS},
            CHECK (window_start <= window_end)
        );
        CREATE INDEX assignments_window ON assignments(window_start, window_end);

        CREATE TABLE visits (
            id TEXT PRIMARY KEY,
            assignment_id TEXT REFERENCES assignments(id),
            unit_id TEXT NOT NULL REFERENCES units(id),
            visit_type TEXT NOT NULL CHECK (visit_type IN {_in(VISIT_TYPES)}),
            status TEXT NOT NULL DEFAULT 'in_progress' CHECK (status IN {_in(VISIT_STATUSES)}),
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL,
            team_id TEXT REFERENCES teams(id),
            created_at TEXT NOT NULL,
            finalized_at TEXT,
            content_hash TEXT,
            {SYNC_COLUMNS},
            CHECK (starts_on <= ends_on)
        );
        CREATE INDEX visits_status_date ON visits(status, starts_on DESC, id);
        CREATE INDEX visits_date ON visits(starts_on DESC, id);
        CREATE INDEX visits_unit ON visits(unit_id, starts_on DESC);

        CREATE TABLE visit_rubrics (
            visit_id TEXT NOT NULL REFERENCES visits(id),
            rubric_hash TEXT NOT NULL REFERENCES rubric_templates(hash),
            position INTEGER NOT NULL,
            PRIMARY KEY (visit_id, rubric_hash)
        );

        CREATE TABLE visit_members (
            visit_id TEXT NOT NULL REFERENCES visits(id),
            inspector_id TEXT NOT NULL REFERENCES inspectors(id),
            role TEXT NOT NULL CHECK (role IN ('leader', 'member')),
            PRIMARY KEY (visit_id, inspector_id)
        );

        -- 分工: which member checks which section of which rubric.
        CREATE TABLE visit_sections (
            visit_id TEXT NOT NULL REFERENCES visits(id),
            rubric_hash TEXT NOT NULL,
            section_code TEXT NOT NULL,
            inspector_id TEXT NOT NULL REFERENCES inspectors(id),
            PRIMARY KEY (visit_id, rubric_hash, section_code)
        );

        -- One row per (visit, rubric, item): two inspectors filling different items never conflict.
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            rubric_hash TEXT NOT NULL,
            item_code TEXT NOT NULL,
            value TEXT,
            na INTEGER NOT NULL DEFAULT 0 CHECK (na IN (0, 1)),
            evidence_methods TEXT NOT NULL DEFAULT '[]',
            note TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            answered_by TEXT REFERENCES inspectors(id),
            answered_at TEXT NOT NULL,
            {SYNC_COLUMNS},
            UNIQUE (visit_id, rubric_hash, item_code)
        );

        CREATE TABLE findings (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            unit_id TEXT NOT NULL REFERENCES units(id),
            rubric_hash TEXT,
            item_code TEXT,
            description TEXT NOT NULL,
            requirement TEXT NOT NULL DEFAULT '',
            deadline TEXT,
            responsible TEXT NOT NULL DEFAULT '',
            severity TEXT NOT NULL DEFAULT 'general' CHECK (severity IN {_in(SEVERITIES)}),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN {_in(_FINDING_STATUSES_AT_0001)}),
            created_at TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX findings_visit ON findings(visit_id);
        CREATE INDEX findings_unit_status ON findings(unit_id, status);

        CREATE TABLE finding_events (
            id TEXT PRIMARY KEY,
            finding_id TEXT NOT NULL REFERENCES findings(id),
            visit_id TEXT REFERENCES visits(id),
            status TEXT NOT NULL CHECK (status IN {_in(_FINDING_STATUSES_AT_0001)}),
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            by_inspector TEXT REFERENCES inspectors(id),
            {SYNC_COLUMNS}
        );
        CREATE INDEX finding_events_finding ON finding_events(finding_id, at);

        CREATE TABLE good_practices (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            rubric_hash TEXT,
            item_code TEXT,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX good_practices_visit ON good_practices(visit_id);

        CREATE TABLE evidence (
            id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            rubric_hash TEXT,
            item_code TEXT,
            finding_id TEXT REFERENCES findings(id),
            size INTEGER NOT NULL,
            original_name TEXT NOT NULL DEFAULT '',
            media_type TEXT NOT NULL,
            width INTEGER,
            height INTEGER,
            taken_at TEXT,
            gps_lat REAL,
            gps_lon REAL,
            camera TEXT NOT NULL DEFAULT '',
            caption TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0,
            imported_at TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX evidence_visit ON evidence(visit_id, item_code, position);
        CREATE INDEX evidence_sha ON evidence(sha256);

        CREATE TABLE signatures (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            role TEXT NOT NULL CHECK (role IN ('team_leader', 'unit_head')),
            signer_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            signed_at TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX signatures_visit ON signatures(visit_id);

        -- Amendments after finalization: the old value is kept, with who, when and why.
        CREATE TABLE audit_log (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT,
            reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
            by_inspector TEXT REFERENCES inspectors(id),
            at TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX audit_log_visit ON audit_log(visit_id, at);
        CREATE TRIGGER audit_log_append_only BEFORE DELETE ON audit_log
        BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;

        -- What the server acknowledged: one row per accepted push.
        CREATE TABLE sync_receipts (
            id TEXT PRIMARY KEY,
            changeset_id TEXT NOT NULL UNIQUE,
            server_seq INTEGER NOT NULL,
            pushed_at TEXT NOT NULL,
            accepted INTEGER NOT NULL,
            conflicts TEXT NOT NULL DEFAULT '[]'
        )
        """,
    )
    # Pending work for sync is found through partial indexes on the dirty flag, so the scan
    # stays proportional to the changes, not to the whole table.
    for table in _SYNCED_AT_0001:
        db.execute(f"CREATE INDEX {table}_dirty ON {table}(rev) WHERE dirty = 1")


def known_names() -> set[str]:
    return {m.name for m in MIGRATIONS._migrations}


@MIGRATIONS(name="0002_evidence_details")
def m0002_evidence_details(db: Database) -> None:
    # Photo evidence needs what 0001 left out: the EXIF offset and orientation, whether the
    # stored file is a reduced copy (and which original it came from, so re-importing that
    # original is still recognised as a duplicate), the annotation layer as JSON beside the
    # untouched file, and when a soft delete happened so it can be undone or purged later.
    _script(
        db,
        """
        ALTER TABLE evidence ADD COLUMN taken_offset TEXT;
        ALTER TABLE evidence ADD COLUMN orientation INTEGER NOT NULL DEFAULT 1
            CHECK (orientation BETWEEN 1 AND 8);
        ALTER TABLE evidence ADD COLUMN reduced INTEGER NOT NULL DEFAULT 0 CHECK (reduced IN (0, 1));
        ALTER TABLE evidence ADD COLUMN original_sha256 TEXT;
        ALTER TABLE evidence ADD COLUMN original_size INTEGER;
        ALTER TABLE evidence ADD COLUMN annotations TEXT;
        ALTER TABLE evidence ADD COLUMN deleted_at TEXT;
        CREATE INDEX evidence_original_sha ON evidence(original_sha256) WHERE original_sha256 IS NOT NULL;
        CREATE INDEX evidence_finding ON evidence(finding_id) WHERE finding_id IS NOT NULL;
        """,
    )


@MIGRATIONS(name="0003_finalize_and_amend")
def m0003_finalize_and_amend(db: Database) -> None:
    # Finalizing with open gaps is the office's call: a campaign may forbid it (NULL leaves it to
    # the profile's setting). Amendments are numbered, and the visit's ``version`` moves when an
    # amendment changes the score or the findings, so a signature knows which version it signed
    # (``signed_version``) and an older one is shown as such rather than as a signature of
    # what the paper now says. Audit rows say which amendment they belong to.
    _script(
        db,
        """
        ALTER TABLE campaigns ADD COLUMN finalize_with_gaps TEXT
            CHECK (finalize_with_gaps IS NULL OR finalize_with_gaps IN ('confirm', 'forbid'));
        ALTER TABLE visits ADD COLUMN amendment_no INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE visits ADD COLUMN amended_at TEXT;
        ALTER TABLE visits ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE signatures ADD COLUMN signed_version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE audit_log ADD COLUMN amendment_no INTEGER;
        """,
    )
    # Amendments made before numbering existed: each earlier audit entry was one amendment.
    db.execute(
        "UPDATE visits SET amendment_no = (SELECT count(*) FROM audit_log a WHERE a.visit_id = visits.id), "
        "amended_at = (SELECT max(at) FROM audit_log a WHERE a.visit_id = visits.id) "
        "WHERE status = 'amended'"
    )


@MIGRATIONS(name="0004_evidence_on_sheet")
def m0004_evidence_on_sheet(db: Database) -> None:
    # The inspector's choice of the photos the feedback sheet carries. NULL leaves the photo to
    # the default rule (findings' photos first); 1 puts it on the sheet, 0 keeps it off. A
    # choice is part of the record, so it syncs with the row like the caption does.
    _script(
        db,
        """
        ALTER TABLE evidence ADD COLUMN on_sheet INTEGER CHECK (on_sheet IS NULL OR on_sheet IN (0, 1));
        """,
    )


# The revision a row was last acknowledged by, or received from, a server: its base. NULL for a
# row this device made and never synced.
BASE_REV = "base_rev TEXT"


class MigrationLost(sqlite3.DatabaseError):
    """A rebuilt table would hold fewer rows than before: the step is rolled back, nothing lost."""


def _count(db: Database, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _rebuild(db: Database, table: str, create: str, copy: str) -> None:
    """Give ``table`` a new shape: the old rows are copied by ``copy`` (reading ``{table}_0004``),
    and the step fails rather than drop a row the copy missed."""
    db.execute(f"ALTER TABLE {table} RENAME TO {table}_0004")
    before = _count(db, f"{table}_0004")
    _script(db, create)
    db.execute(copy)
    if _count(db, table) != before:
        raise MigrationLost(f"copying {table} kept {_count(db, table)} of {before} rows")


def _bump(rev: str) -> str:
    # A stamp one counter step after ``rev`` on the same node: sorts right after it, as text too.
    wall, counter, node = rev.split("-", 2)
    return f"{wall}-{int(counter) + 1:0{len(counter)}d}-{node}"


def _status_as_events(db: Database) -> None:
    """Before the stored status goes, make the event log say every status it said.

    A finding whose stored status is not its latest event's (or that has no event) gets one more
    event carrying that status, ordered after every other: the derived status then equals the
    stored one, and nothing the inspector saw changes.
    """
    findings = db.execute(
        "SELECT f.id, f.visit_id, f.status, f.created_at, f.rev, f.device_id, "
        "(SELECT e.status FROM finding_events e WHERE e.finding_id = f.id AND e.deleted = 0 "
        " ORDER BY e.at DESC, e.rev DESC LIMIT 1), "
        "(SELECT max(e.at) FROM finding_events e WHERE e.finding_id = f.id), "
        "(SELECT max(e.rev) FROM finding_events e WHERE e.finding_id = f.id) "
        "FROM findings f"
    ).fetchall()
    for fid, visit_id, stored, created_at, rev, device, derived, last_at, last_rev in findings:
        if stored == derived:
            continue
        db.execute(
            "INSERT INTO finding_events (id, finding_id, visit_id, status, note, at, by_inspector, "
            "rev, device_id, dirty, deleted, base_rev) VALUES (?, ?, ?, ?, '', ?, NULL, ?, ?, 1, 0, NULL)",
            (str(uuid.uuid4()), fid, visit_id, stored, max(created_at, last_at or created_at),
             _bump(max(rev, last_rev or rev)), device),
        )


@MIGRATIONS(name="0005_sync_model")
def m0005_sync_model(db: Database) -> None:
    # What a two-way sync needs locally (issue 12): a base revision on every synced row; the link
    # tables (team members, a visit's rubrics, members and 分工) as synced rows with derived keys;
    # answers keyed by (visit, rubric, item) on every laptop; a finding's status only in its
    # event log, so the office's events and the inspector's merge; a photo's caption,
    # annotations, links and order as rows of their own; and the conflicts waiting for a person.
    db.conn.create_function("row_key", -1, derived_key, deterministic=True)

    for table in _SYNCED_AT_0001:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {BASE_REV}")
        # A clean row was acknowledged at the revision it holds.
        db.execute(f"UPDATE {table} SET base_rev = rev WHERE dirty = 0")

    # Answers were keyed by a random id per laptop; the same item now has the same key everywhere.
    # Nothing refers to a response by its id (audit rows name rubric and item), so only the id moves.
    db.execute("UPDATE responses SET id = row_key('responses', visit_id, rubric_hash, item_code)")

    # The link rows were always written in one action with their team or visit: they take its
    # revision and device, and are dirty, since no server has seen them as rows.
    link_sync = "p.rev, p.device_id, 1, 0, NULL"
    _rebuild(db, "team_members", f"""
        CREATE TABLE team_members (
            id TEXT PRIMARY KEY,
            team_id TEXT NOT NULL REFERENCES teams(id),
            inspector_id TEXT NOT NULL REFERENCES inspectors(id),
            role TEXT NOT NULL CHECK (role IN ('leader', 'member')),
            {SYNC_COLUMNS}, {BASE_REV},
            UNIQUE (team_id, inspector_id)
        )""", f"INSERT INTO team_members SELECT row_key('team_members', m.team_id, m.inspector_id), "
              f"m.team_id, m.inspector_id, m.role, {link_sync} "
              f"FROM team_members_0004 m JOIN teams p ON p.id = m.team_id")
    _rebuild(db, "visit_rubrics", f"""
        CREATE TABLE visit_rubrics (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            rubric_hash TEXT NOT NULL REFERENCES rubric_templates(hash),
            position INTEGER NOT NULL,
            {SYNC_COLUMNS}, {BASE_REV},
            UNIQUE (visit_id, rubric_hash)
        )""", f"INSERT INTO visit_rubrics SELECT row_key('visit_rubrics', r.visit_id, r.rubric_hash), "
              f"r.visit_id, r.rubric_hash, r.position, {link_sync} "
              f"FROM visit_rubrics_0004 r JOIN visits p ON p.id = r.visit_id")
    _rebuild(db, "visit_members", f"""
        CREATE TABLE visit_members (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            inspector_id TEXT NOT NULL REFERENCES inspectors(id),
            role TEXT NOT NULL CHECK (role IN ('leader', 'member')),
            {SYNC_COLUMNS}, {BASE_REV},
            UNIQUE (visit_id, inspector_id)
        )""", f"INSERT INTO visit_members SELECT row_key('visit_members', m.visit_id, m.inspector_id), "
              f"m.visit_id, m.inspector_id, m.role, {link_sync} "
              f"FROM visit_members_0004 m JOIN visits p ON p.id = m.visit_id")
    _rebuild(db, "visit_sections", f"""
        CREATE TABLE visit_sections (
            id TEXT PRIMARY KEY,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            rubric_hash TEXT NOT NULL,
            section_code TEXT NOT NULL,
            inspector_id TEXT NOT NULL REFERENCES inspectors(id),
            {SYNC_COLUMNS}, {BASE_REV},
            UNIQUE (visit_id, rubric_hash, section_code)
        )""", f"INSERT INTO visit_sections SELECT "
              f"row_key('visit_sections', s.visit_id, s.rubric_hash, s.section_code), "
              f"s.visit_id, s.rubric_hash, s.section_code, s.inspector_id, {link_sync} "
              f"FROM visit_sections_0004 s JOIN visits p ON p.id = s.visit_id")
    for table in ("team_members", "visit_rubrics", "visit_members", "visit_sections"):
        db.execute(f"DROP TABLE {table}_0004")

    # A photo keeps what is fixed at import (the bytes and what they say) and its delete and sheet
    # choice; its caption, annotations, links and order become rows of their own, each with its
    # own revision, copied with the photo's revision and dirty like the link rows above.
    photo_columns = ("id, sha256, visit_id, size, original_name, media_type, width, height, taken_at, "
                     "taken_offset, gps_lat, gps_lon, camera, orientation, reduced, original_sha256, "
                     "original_size, imported_at, deleted_at, on_sheet, rev, device_id, dirty, deleted, base_rev")
    _rebuild(db, "evidence", f"""
        CREATE TABLE evidence (
            id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            visit_id TEXT NOT NULL REFERENCES visits(id),
            size INTEGER NOT NULL,
            original_name TEXT NOT NULL DEFAULT '',
            media_type TEXT NOT NULL,
            width INTEGER,
            height INTEGER,
            taken_at TEXT,
            taken_offset TEXT,
            gps_lat REAL,
            gps_lon REAL,
            camera TEXT NOT NULL DEFAULT '',
            orientation INTEGER NOT NULL DEFAULT 1 CHECK (orientation BETWEEN 1 AND 8),
            reduced INTEGER NOT NULL DEFAULT 0 CHECK (reduced IN (0, 1)),
            original_sha256 TEXT,
            original_size INTEGER,
            imported_at TEXT NOT NULL,
            deleted_at TEXT,
            on_sheet INTEGER CHECK (on_sheet IS NULL OR on_sheet IN (0, 1)),
            {SYNC_COLUMNS}, {BASE_REV}
        )""", f"INSERT INTO evidence ({photo_columns}) SELECT {photo_columns} FROM evidence_0004")
    part_head = """
            id TEXT PRIMARY KEY,
            evidence_id TEXT NOT NULL UNIQUE REFERENCES evidence(id),
            visit_id TEXT NOT NULL REFERENCES visits(id),"""
    parts = {
        "evidence_captions": ("caption TEXT NOT NULL DEFAULT ''", "caption"),
        "evidence_annotations": ("annotations TEXT", "annotations"),
        "evidence_links": ("rubric_hash TEXT, item_code TEXT, finding_id TEXT REFERENCES findings(id)",
                           "rubric_hash, item_code, finding_id"),
        "evidence_positions": ("position INTEGER NOT NULL DEFAULT 0", "position"),
    }
    for table, (columns, names) in parts.items():
        _script(db, f"CREATE TABLE {table} ({part_head} {columns}, {SYNC_COLUMNS}, {BASE_REV})")
        db.execute(
            f"INSERT INTO {table} (id, evidence_id, visit_id, {names}, rev, device_id, dirty, deleted, base_rev) "
            f"SELECT row_key('{table}', id), id, visit_id, {names}, rev, device_id, 1, 0, NULL FROM evidence_0004"
        )
    db.execute("DROP TABLE evidence_0004")
    _script(db, """
        CREATE INDEX evidence_visit ON evidence(visit_id);
        CREATE INDEX evidence_sha ON evidence(sha256);
        CREATE INDEX evidence_original_sha ON evidence(original_sha256) WHERE original_sha256 IS NOT NULL;
        CREATE INDEX evidence_links_item ON evidence_links(visit_id, rubric_hash, item_code);
        CREATE INDEX evidence_links_finding ON evidence_links(finding_id) WHERE finding_id IS NOT NULL;
        CREATE INDEX evidence_positions_visit ON evidence_positions(visit_id, position);
        """)

    # A finding's status is its latest event (by time, then revision): the office's events and
    # the inspector's merge there. The stored copy goes, after its every value is an event.
    _status_as_events(db)
    _script(db, """
        DROP INDEX findings_unit_status;
        ALTER TABLE findings DROP COLUMN status;
        CREATE INDEX findings_unit ON findings(unit_id);
        CREATE INDEX finding_events_latest ON finding_events(finding_id, at DESC, rev DESC) WHERE deleted = 0;
        """)

    # Both versions of a row changed on two sides since their base, until a person chooses.
    # ``origin`` says who found it: the server (a receipt or a pull) or this laptop (a pulled row
    # meeting a local edit). No foreign key to visits: a conflict may come for a visit not held here.
    _script(db, f"""
        CREATE TABLE sync_conflicts (
            id TEXT PRIMARY KEY,
            table_name TEXT NOT NULL,
            row_key TEXT NOT NULL,
            visit_id TEXT,
            base_rev TEXT,
            current TEXT NOT NULL,
            incoming TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('server', 'local')),
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN {_in(CONFLICT_STATUSES)}),
            resolved_by_rev TEXT
        );
        CREATE INDEX sync_conflicts_open ON sync_conflicts(visit_id) WHERE status = 'open';
        CREATE INDEX sync_conflicts_row ON sync_conflicts(table_name, row_key);
        """)

    for table in SYNCED_TABLES:
        if table not in _SYNCED_AT_0001 or table == "evidence":
            db.execute(f"CREATE INDEX {table}_dirty ON {table}(rev) WHERE dirty = 1")


@MIGRATIONS(name="0006_finalized_versions")
def m0006_finalized_versions(db: Database) -> None:
    # Every finalized version of a visit, kept here as it was made: an amendment must name the
    # content hash of the version it replaces, and the visit row holds only its latest. ``status``
    # is the server's word: 'pending' until a receipt records it (or a pull delivers it),
    # 'superseded' when the server could no longer check it (a later amendment was recorded and
    # the rows of this state are gone on both sides). The stated score is NULL when the version
    # was made before this table and is then the visit's score as it stands; ``finalized_at`` is
    # NULL for a version only a server's word made known. No foreign key to
    # visits: a pull may deliver a version before (or without) its visit's rows.
    _script(db, """
        CREATE TABLE finalized_versions (
            visit_id TEXT NOT NULL,
            amendment_no INTEGER NOT NULL CHECK (amendment_no >= 0),
            content_hash TEXT NOT NULL,
            replaces TEXT,
            finalized_at TEXT,
            score_total TEXT,
            score_maximum TEXT,
            score_band TEXT,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'recorded', 'superseded')),
            reason TEXT,
            PRIMARY KEY (visit_id, amendment_no)
        );
        CREATE INDEX finalized_versions_pending ON finalized_versions(visit_id, amendment_no)
            WHERE status = 'pending';
        """)
    # The hashes the first sync engine kept in meta ({visit: {number: hash}}) are versions a
    # server holds: recorded, each naming the one before it when that one is known too.
    held = db.execute("SELECT value FROM meta WHERE key = 'sync.finalized_versions'").fetchone()
    known: dict[tuple[str, int], str] = {}
    if held is not None and held[0]:
        for visit_id, numbers in json.loads(held[0]).items():
            for number, digest in numbers.items():
                known[(visit_id, int(number))] = digest
    # The present version of every finalized or amended visit (the earlier ones were never
    # stored and cannot be recovered): recorded if the server holds that very hash, else pending.
    for visit_id, number, digest, at in db.execute(
            "SELECT id, amendment_no, content_hash, COALESCE(amended_at, finalized_at) FROM visits "
            "WHERE status IN ('finalized', 'amended') AND content_hash IS NOT NULL AND deleted = 0").fetchall():
        status = "recorded" if known.get((visit_id, number)) == digest else "pending"
        db.execute("INSERT INTO finalized_versions (visit_id, amendment_no, content_hash, replaces, finalized_at, "
                   "status) VALUES (?, ?, ?, ?, ?, ?)",
                   (visit_id, number, digest, known.get((visit_id, number - 1)), at, status))
    for (visit_id, number), digest in sorted(known.items()):
        db.execute("INSERT INTO finalized_versions (visit_id, amendment_no, content_hash, replaces, finalized_at, "
                   "status) VALUES (?, ?, ?, ?, NULL, 'recorded') ON CONFLICT DO NOTHING",
                   (visit_id, number, digest, known.get((visit_id, number - 1))))
    db.execute("DELETE FROM meta WHERE key = 'sync.finalized_versions'")


@MIGRATIONS(name="0007_offloaded_blobs")
def m0007_offloaded_blobs(db: Database) -> None:
    # The photo originals this laptop removed to free space because the server holds them
    # (app/sync/offload.py). Local bookkeeping, never synced: another laptop keeps its own files.
    # A row here means "fetch from the server, do not report missing"; a file present in the
    # media folder always wins over it.
    _script(db, """
        CREATE TABLE offloaded_blobs (
            sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
            size INTEGER NOT NULL CHECK (size >= 0),
            removed_at TEXT NOT NULL
        );
        """)


# The finding statuses 0008 allows: the office's "plan received" (整改方案已收到) joins them.
_FINDING_STATUSES_AT_0008 = _FINDING_STATUSES_AT_0001 + ("plan_received",)


@MIGRATIONS(name="0008_finding_plan_received")
def m0008_finding_plan_received(db: Database) -> None:
    # The office's rectification tracker records that a unit's plan was received; the event log
    # must be able to hold that status, pulled from the server or written here. SQLite cannot
    # change a CHECK in place: the table is made again with the same columns and indexes, and
    # every event is copied as it is (its revision and dirty flag too: nothing syncs again).
    columns = "id, finding_id, visit_id, status, note, at, by_inspector, rev, device_id, dirty, deleted, base_rev"
    db.execute("ALTER TABLE finding_events RENAME TO finding_events_0007")
    _script(db, f"""
        DROP INDEX finding_events_finding;
        DROP INDEX IF EXISTS finding_events_dirty;
        DROP INDEX finding_events_latest;
        CREATE TABLE finding_events (
            id TEXT PRIMARY KEY,
            finding_id TEXT NOT NULL REFERENCES findings(id),
            visit_id TEXT REFERENCES visits(id),
            status TEXT NOT NULL CHECK (status IN {_in(_FINDING_STATUSES_AT_0008)}),
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            by_inspector TEXT REFERENCES inspectors(id),
            {SYNC_COLUMNS},
            {BASE_REV}
        );
        """)
    before = _count(db, "finding_events_0007")
    db.execute(f"INSERT INTO finding_events ({columns}) SELECT {columns} FROM finding_events_0007")
    if _count(db, "finding_events") != before:
        raise MigrationLost(f"copying finding_events kept {_count(db, 'finding_events')} of {before} rows")
    _script(db, """
        DROP TABLE finding_events_0007;
        CREATE INDEX finding_events_finding ON finding_events(finding_id, at);
        CREATE INDEX finding_events_dirty ON finding_events(rev) WHERE dirty = 1;
        CREATE INDEX finding_events_latest ON finding_events(finding_id, at DESC, rev DESC) WHERE deleted = 0;
        """)

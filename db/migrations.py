"""The schema, as numbered migrations. This is the only place tables are created or changed.

Released steps are never edited: a change to the schema is a new function at the end, and
tests/db/fixtures keeps a database made at each released level to prove the upgrade path.

Every row that syncs carries the same bookkeeping columns (see ``SYNC_COLUMNS``): a UUID made on
the device, ``rev`` (a hybrid-logical-clock stamp, so edits order correctly even when the
laptop's clock is wrong), the id of the device that wrote it, ``dirty`` (1 until a server receipt
acknowledges the revision) and ``deleted`` (tombstones: a delete is a flagged row, so it syncs).
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from db.codes import (  # noqa: F401 - the schema's code lists, re-exported
    AREA_LEVELS,
    FINDING_STATUSES,
    SEVERITIES,
    SYNCED_TABLES,
    VISIT_STATUSES,
    VISIT_TYPES,
)

MIGRATIONS = Migrations("fieldmark")

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
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN {_in(FINDING_STATUSES)}),
            created_at TEXT NOT NULL,
            {SYNC_COLUMNS}
        );
        CREATE INDEX findings_visit ON findings(visit_id);
        CREATE INDEX findings_unit_status ON findings(unit_id, status);

        CREATE TABLE finding_events (
            id TEXT PRIMARY KEY,
            finding_id TEXT NOT NULL REFERENCES findings(id),
            visit_id TEXT REFERENCES visits(id),
            status TEXT NOT NULL CHECK (status IN {_in(FINDING_STATUSES)}),
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
    for table in SYNCED_TABLES:
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

"""GET /api/v1/blobs/{sha256}: a blob is readable where a live row naming it is in the caller's
scope (a team-mate's photo), the office's logo by everyone; anything else is 404, as if absent."""

from __future__ import annotations

import hashlib
import uuid

from server.store.database import migrate, open_engine
from tests.server.conftest import COUNTY, OTHER_COUNTY, UNIT_IN_TOWNSHIP
from tests.server.push_support import (
    changeset,
    evidence_row,
    new_device,
    push_twice,
    rev,
    unit_id,
    upload,
    visit_row,
)

API = "/api/v1"


def _get(server, token, sha):
    with server.client(token) as c:
        return c.get(f"{API}/blobs/{sha}")


def _photo_in_township(server, token, data: bytes) -> tuple[str, str, str]:
    device, visit = new_device(server, token), str(uuid.uuid4())
    sha = upload(server, token, data)
    rows = [visit_row(visit, unit_id(server, UNIT_IN_TOWNSHIP), rev(1, device)),
            evidence_row(visit, sha, rev(2, device), size=len(data))]
    assert push_twice(server, token, changeset(device, 1, rows, [sha])).status_code == 200
    return sha, device, visit


def test_a_photo_is_read_in_scope_and_hidden_outside_it(server):
    inspector = server.make_account("inspector", COUNTY)
    data = b"the kitchen's disinfection cabinet" * 1000
    sha, device, visit = _photo_in_township(server, inspector.token, data)

    team_mate = server.make_account("inspector", COUNTY)
    answer = _get(server, team_mate.token, sha)
    assert answer.status_code == 200 and answer.content == data
    assert answer.headers["content-length"] == str(len(data)) and sha in answer.headers["etag"]
    assert hashlib.sha256(answer.content).hexdigest() == sha
    assert _get(server, server.admin_token, sha).status_code == 200

    elsewhere = server.make_account("inspector", OTHER_COUNTY)
    hidden, absent = _get(server, elsewhere.token, sha), _get(server, elsewhere.token, "0" * 64)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["code"] == absent.json()["code"] == "not_found"

    # Uploaded but named by no row: no account reads it, not even an admin.
    loose = upload(server, inspector.token, b"never pushed with a row")
    assert _get(server, team_mate.token, loose).status_code == 404
    assert _get(server, server.admin_token, loose).status_code == 404


def test_a_deleted_photo_row_no_longer_shows_its_blob(server):
    inspector = server.make_account("inspector", COUNTY)
    sha, device, visit = _photo_in_township(server, inspector.token, b"a photo taken by mistake")
    deleted = evidence_row(visit, sha, rev(3, device), size=len(b"a photo taken by mistake"))
    with server.engine.connect() as conn:
        from sqlalchemy import select

        from server.store.schema import sync_rows
        key, current = conn.execute(select(sync_rows.c.key, sync_rows.c.rev)
                                    .where(sync_rows.c.blob_sha256 == sha)).one()
    deleted |= {"key": key, "base_rev": current, "deleted": True}
    assert push_twice(server, inspector.token, changeset(device, 2, [deleted], [sha])).status_code == 200
    assert _get(server, inspector.token, sha).status_code == 404


def test_the_office_logo_is_read_by_every_account(server):
    logo = upload(server, server.admin_token, b"\x89PNG the office seal")
    with server.client(server.admin_token) as c:
        assert c.put(f"{API}/office", json={"name_zh": "东城区教育督导室", "name_en": "Dongcheng",
                                            "logo_sha256": logo}).status_code == 200
    anyone = server.make_account("inspector", OTHER_COUNTY)
    assert _get(server, anyone.token, logo).content == b"\x89PNG the office seal"


def test_a_bad_name_or_no_token_is_refused(server):
    assert _get(server, server.admin_token, "not-a-hash").status_code == 400
    assert _get(server, None, "0" * 64).status_code == 401


def test_migration_0004_fills_the_blob_column_of_rows_pushed_before(tmp_path):
    from alembic import command
    from sqlalchemy import select

    from server.store.database import _alembic_config
    from server.store.schema import sync_rows

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")
        conn.exec_driver_sql(
            "INSERT INTO sync_rows (table_name, key, rev, device_id, base_rev, deleted, row_values, visit_id, "
            "unit_id, server_seq) VALUES ('evidence', 'k1', 'r', 'd', NULL, 0, ?, NULL, NULL, 1)",
            ('{"sha256":"' + "a" * 64 + '","visit_id":"v"}',))
        conn.exec_driver_sql(
            "INSERT INTO sync_rows (table_name, key, rev, device_id, base_rev, deleted, row_values, visit_id, "
            "unit_id, server_seq) VALUES ('responses', 'k2', 'r', 'd', NULL, 0, '{\"value\":\"yes\"}', NULL, NULL, 1)")
    migrate(engine)
    with engine.connect() as conn:
        found = dict(conn.execute(select(sync_rows.c.key, sync_rows.c.blob_sha256)).all())
    assert found == {"k1": "a" * 64, "k2": None}

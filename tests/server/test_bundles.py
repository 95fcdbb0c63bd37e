"""Offline bundle import on the server (docs/sync-protocol.md section 11), by the command line and
by ``POST /api/v1/bundles``, on SQLite and PostgreSQL.

Bundles are real: written by ``app.sync.bundle.write_bundle`` with a device key whose public half
was registered over HTTP. Hostile ones are made with the app's bundle test helpers. A refused
bundle must leave the store exactly as it was: rows, changesets and blobs.
"""

from __future__ import annotations

import hashlib
import socket
import stat
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from app.canonical import canonical_json
from app.sync import keys
from app.sync.bundle import BLOB_PREFIX, MANIFEST, SIGNATURE, write_bundle
from app.sync.errors_body import ErrorBody
from app.sync.protocol import Changeset, Receipt
from server.api import blobs as blob_route
from server.api import bundles as bundle_route
from server.cli import main
from server.store.blobs import open_blob_store
from server.store.schema import accounts, sync_changesets
from tests.app.test_sync_bundle import deflated, entries, manifest_of, resign, rezip
from tests.server.blob_support import SeaweedS3, seaweedfs  # noqa: F401
from tests.server.conftest import COUNTY, OTHER_COUNTY, TOWNSHIP, UNIT_IN_TOWNSHIP, blob_store_of
from tests.server.push_support import (
    API,
    changeset,
    evidence_row,
    metric,
    register_device,
    response_row,
    rev,
    send,
    snapshot,
    unit_id,
    upload,
    visit_row,
)


@dataclass
class Laptop:
    """An inspector's laptop: its account's token, its registered device and key, its media."""

    token: str
    login: str
    device: str
    key: Ed25519PrivateKey
    media: Path

    def photo(self, label: str) -> tuple[str, Path]:
        data = f"{label} {uuid.uuid4()} ".encode() * 500  # new bytes: the store has never seen them
        sha = hashlib.sha256(data).hexdigest()
        path = self.media / sha
        path.write_bytes(data)
        return sha, path

    def day(self, server: Any, seq: int = 1, unit: str = UNIT_IN_TOWNSHIP) -> tuple[Changeset, dict[str, Path]]:
        """A visit with two answers and two photos, as one changeset."""
        visit = str(uuid.uuid4())
        blobs = dict(self.photo(label) for label in ("kitchen", "storeroom"))
        rows = [visit_row(visit, unit_id(server, unit), rev(1, self.device)),
                response_row(visit, "A.1", "yes", rev(2, self.device)),
                response_row(visit, "A.2", "partial", rev(3, self.device)),
                *(evidence_row(visit, sha, rev(4 + n, self.device), size=path.stat().st_size)
                  for n, (sha, path) in enumerate(blobs.items()))]
        return Changeset.model_validate(changeset(self.device, seq, rows, sorted(blobs))), blobs

    def bundle(self, out: Path, change: Changeset, blobs: dict[str, Path]) -> Path:
        write_bundle(out, changeset=change, blob_paths=blobs, private_key=self.key)
        return out


def laptop(server: Any, tmp_path: Path, scope: str = TOWNSHIP) -> Laptop:
    account = server.make_account("inspector", scope)
    device = str(uuid.uuid4())
    key = register_device(server, account.token, device)
    media = tmp_path / f"media-{device}"
    media.mkdir()
    return Laptop(account.token, account.login, device, key, media)


def blob_names(server: Any) -> list[str]:
    store = blob_store_of(server.config)
    try:
        return sorted(store.names())
    finally:
        store.close()


def store_state(server: Any) -> tuple[Any, list[str]]:
    return snapshot(server), blob_names(server)


def incoming(server: Any) -> list[Path]:
    return sorted((server.config.data_dir / bundle_route.INCOMING_FOLDER).glob("*"))


def post(server: Any, token: str, body: Any) -> httpx.Response:
    with server.client(token) as c:
        return c.post(API + "/bundles", content=body, headers={"content-type": "application/octet-stream"})


@pytest.fixture
def cli(server: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``cli(path, *options)`` runs ``fieldmark-server bundle import`` on the live server's store."""

    def run(path: Path, *options: str) -> tuple[int, str, str]:
        blobs = ["--blobs", server.config.blobs_url] if server.config.blobs_url else []
        status = main(["bundle", "import", str(path), "--data-dir", str(server.config.data_dir),
                       "--database", server.config.database_url, *blobs, *options])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def stored_receipt(server: Any, changeset_id: str) -> Receipt:
    with server.engine.connect() as conn:
        text = conn.execute(select(sync_changesets.c.receipt).where(sync_changesets.c.id == changeset_id)).scalar_one()
    return Receipt.model_validate_json(text)


# --- applying -------------------------------------------------------------------------------------


def test_the_cli_imports_a_bundle_once_and_again_gives_the_same_receipt(server, tmp_path, cli):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    path = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    status, out, err = cli(path)
    assert status == 0, err
    receipt = stored_receipt(server, change.changeset_id)
    assert f"server_seq {receipt.server_seq}" in out and lap.device in out and lap.login in out
    assert "5 applied, 0 conflict, 0 error, 0 unpermitted" in out
    assert {r.status for r in receipt.rows} == {"applied"}
    assert set(blobs) <= set(blob_names(server))
    store = blob_store_of(server.config)
    for sha, source in blobs.items():  # stored whole, under their names
        assert b"".join(store.iter_chunks(sha)) == source.read_bytes()
    store.close()
    before = store_state(server)
    status, again, _ = cli(path)
    assert status == 0 and "already applied" in again and f"server_seq {receipt.server_seq}" in again
    assert store_state(server) == before
    # The same file posted later answers the receipt the command line made.
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 200, answer.text
    assert Receipt.model_validate(answer.json()) == receipt
    assert store_state(server) == before


def test_post_imports_a_bundle_and_answers_its_receipt_twice(server, tmp_path):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    path = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    names = ('fieldmark_bundles_total{outcome="applied"}', 'fieldmark_bundles_total{outcome="replayed"}',
             'fieldmark_blob_bytes_received_total{via="bundle"}')
    before_metrics = {n: metric(server, n) for n in names}
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 200, answer.text
    receipt = Receipt.model_validate(answer.json())
    assert receipt.changeset_id == change.changeset_id and receipt == stored_receipt(server, change.changeset_id)
    assert [(r.key, r.status) for r in receipt.rows] == [(r.key, "applied") for r in change.rows]
    assert set(blobs) <= set(blob_names(server))
    before = store_state(server)
    again = post(server, lap.token, path.read_bytes())
    assert again.status_code == 200 and again.json() == answer.json()
    assert store_state(server) == before
    assert incoming(server) == []
    moved = {n: metric(server, n) - before_metrics[n] for n in names}
    assert moved == {names[0]: 1, names[1]: 1, names[2]: sum(p.stat().st_size for p in blobs.values())}


def test_a_bundle_of_a_changeset_pushed_already_answers_the_push_receipt(server, tmp_path, cli):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    for path in blobs.values():
        upload(server, lap.token, path.read_bytes())
    pushed = send(server, lap.token, change.model_dump(mode="json"))
    assert pushed.status_code == 200, pushed.text
    before = store_state(server)
    path = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 200 and answer.json() == pushed.json()
    status, out, _ = cli(path)
    assert status == 0 and "already applied" in out
    assert store_state(server) == before


def test_a_bundle_with_a_conflict_reports_it_like_a_push(server, tmp_path, cli):
    lap = laptop(server, tmp_path)
    other = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    assert post(server, lap.token, lap.bundle(tmp_path / "a.fmbundle", change, blobs).read_bytes()).status_code == 200
    visit = change.rows[0].key
    base = change.rows[1].rev
    # Both edit A.1 from the same base: the laptop by a push, the other by a bundle.
    edit = changeset(lap.device, 2, [response_row(visit, "A.1", "no", rev(10, lap.device), base=base)])
    assert send(server, lap.token, edit).status_code == 200
    theirs = Changeset.model_validate(changeset(other.device, 1, [
        response_row(visit, "A.1", "partial", rev(11, other.device), base=base)]))
    conflicts = metric(server, "fieldmark_conflicts_total")
    status, out, _ = cli(other.bundle(tmp_path / "b.fmbundle", theirs, {}))
    assert status == 0 and "0 applied, 1 conflict" in out
    receipt = stored_receipt(server, theirs.changeset_id)
    assert receipt.rows[0].status == "conflict" and receipt.conflicts[0].incoming.values["value"] == "partial"
    # Over HTTP the same bundle answers that receipt; a replay records no second conflict.
    answer = post(server, other.token, (tmp_path / "b.fmbundle").read_bytes())
    assert Receipt.model_validate(answer.json()) == receipt
    assert metric(server, "fieldmark_conflicts_total") == conflicts


# --- who may import -------------------------------------------------------------------------------


def test_the_device_account_or_the_office_above_it_may_import(server, tmp_path):
    lap = laptop(server, tmp_path)  # an inspector of the township
    county_staff = server.make_account("office_staff", COUNTY)
    other_staff = server.make_account("office_staff", OTHER_COUNTY)
    colleague = server.make_account("inspector", TOWNSHIP)
    refused = []
    for token in (other_staff.token, colleague.token):
        change, blobs = lap.day(server, seq=1)
        path = lap.bundle(tmp_path / f"{uuid.uuid4()}.fmbundle", change, blobs)
        before = store_state(server)
        answer = post(server, token, path.read_bytes())
        refused.append((answer.status_code, answer.json()["code"]))
        assert lap.login in answer.json()["message"]
        assert store_state(server) == before
    assert refused == [(403, "forbidden"), (403, "forbidden")]
    for seq, token in ((1, county_staff.token), (2, server.admin_token)):
        change, blobs = lap.day(server, seq=seq)
        answer = post(server, token, lap.bundle(tmp_path / f"{seq}.fmbundle", change, blobs).read_bytes())
        assert answer.status_code == 200, answer.text
        # The rows are the inspector's work, recorded under the device's account.
        with server.engine.connect() as conn:
            account = conn.execute(select(sync_changesets.c.account_id)
                                   .where(sync_changesets.c.id == change.changeset_id)).scalar_one()
            owner = conn.execute(select(accounts.c.id).where(accounts.c.login == lap.login)).scalar_one()
        assert account == owner


def test_rows_are_judged_by_the_device_account_scope_not_the_importer(server, tmp_path):
    lap = laptop(server, tmp_path, scope=OTHER_COUNTY)
    change, blobs = lap.day(server, unit=UNIT_IN_TOWNSHIP)  # a unit outside the inspector's county
    answer = post(server, server.admin_token, lap.bundle(tmp_path / "day.fmbundle", change, blobs).read_bytes())
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    # The visit is outside the inspector's scope (though inside the admin's); its other rows
    # then name a visit the server does not hold.
    assert rows[0]["status"] == "unpermitted" and "applied" not in {r["status"] for r in rows}


def test_a_bundle_of_a_disabled_account_device_is_refused(server, tmp_path, cli):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    path = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    with server.engine.begin() as conn:
        conn.execute(update(accounts).where(accounts.c.login == lap.login).values(disabled=True))
    before = store_state(server)
    answer = post(server, server.admin_token, path.read_bytes())
    assert answer.status_code == 403 and "disabled" in answer.json()["message"]
    status, _, err = cli(path)
    assert status == 1 and "disabled" in err
    assert store_state(server) == before


# --- refusals -------------------------------------------------------------------------------------


def _symlink(good: Path, contents: dict[str, bytes], blob: str) -> Path:
    del contents[BLOB_PREFIX + blob]

    def add(zf: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(BLOB_PREFIX + blob)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")

    return rezip(good, contents, extra=add)


def _tampered(good: Path, contents: dict[str, bytes], _blob: str) -> Path:
    manifest = manifest_of(good)
    manifest["changeset"]["rows"][1]["values"]["value"] = "no"
    return rezip(good, {**contents, MANIFEST: canonical_json(manifest).encode()})


def _not_a_zip(good: Path, _contents: dict[str, bytes], _blob: str) -> Path:
    good.write_bytes(b"PK\x03\x04 not really a zip")
    return good


def _missing(good: Path, contents: dict[str, bytes], blob: str) -> Path:
    del contents[BLOB_PREFIX + blob]
    return rezip(good, contents)


# name: (make the hostile file from the good one, its code, the entry named)
HOSTILE: dict[str, tuple[Callable[[Path, dict[str, bytes], str], Path], str, str]] = {
    "tampered manifest": (_tampered, "bundle_signature_invalid", SIGNATURE),
    "signed by another key": (lambda good, c, _b: rezip(good, resign(c, manifest_of(good), key=keys.generate_device_key())),
                              "bundle_signature_invalid", SIGNATURE),
    "path traversal": (lambda good, c, _b: rezip(good, {**c, "blobs/../../evil": b"x"}),
                       "bundle_unsafe_entry", "blobs/../../evil"),
    "absolute path": (lambda good, c, _b: rezip(good, {**c, "/etc/cron.d/evil": b"x"}),
                      "bundle_unsafe_entry", "/etc/cron.d/evil"),
    "symlink": (_symlink, "bundle_unsafe_entry", "{blob}"),
    "zip bomb": (lambda good, c, _b: deflated(good, c, "blobs/bomb", bytes(4 * 1024 * 1024)),
                 "bundle_too_large", "blobs/bomb"),
    "missing entry": (_missing, "bundle_entries_mismatch", "{blob}"),
    "extra entry": (lambda good, c, _b: rezip(good, {**c, "notes.txt": b"hello"}), "bundle_entries_mismatch", "notes.txt"),
    "blob not its name": (lambda good, c, b: rezip(good, {**c, BLOB_PREFIX + b: b"X" * len(c[BLOB_PREFIX + b])}),
                          "bundle_blob_mismatch", "{blob}"),
    "not a zip": (_not_a_zip, "bundle_not_a_zip", ""),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_bundle_is_refused_naming_its_entry_and_stores_nothing(server, tmp_path, cli, case):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    good = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    blob = sorted(blobs)[0]
    make, code, entry = HOSTILE[case]
    path = make(good, entries(good), blob)
    entry = entry.format(blob=BLOB_PREFIX + blob)
    before = store_state(server)
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 422, answer.text
    body = ErrorBody.model_validate(answer.json())
    assert body.code == code
    assert body.entry == (entry or None) and entry in body.message
    status, out, err = cli(path)
    assert status == 1 and out == ""
    assert err.startswith("fieldmark-server: ") and entry in err
    assert store_state(server) == before
    assert incoming(server) == []


def test_a_bundle_from_an_unknown_device_is_refused_naming_it(server, tmp_path, cli):
    lap = laptop(server, tmp_path)
    stranger = Laptop(lap.token, lap.login, str(uuid.uuid4()), keys.generate_device_key(), lap.media)
    change, blobs = stranger.day(server)
    path = stranger.bundle(tmp_path / "day.fmbundle", change, blobs)
    before = store_state(server)
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 422
    assert answer.json()["code"] == "bundle_signature_invalid" and answer.json()["entry"] == SIGNATURE
    assert stranger.device in answer.json()["message"]
    status, _, err = cli(path)
    assert status == 1 and stranger.device in err
    assert store_state(server) == before


def test_a_blob_over_the_server_blob_limit_is_refused_as_an_upload_would_be(server, tmp_path, cli, monkeypatch):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    path = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    biggest = max(blobs, key=lambda sha: blobs[sha].stat().st_size)
    monkeypatch.setattr(blob_route, "MAX_BLOB_BYTES", blobs[biggest].stat().st_size - 1)
    before = store_state(server)
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "bundle_too_large" and answer.json()["entry"] == BLOB_PREFIX + biggest
    status, _, err = cli(path)
    assert status == 1 and BLOB_PREFIX + biggest in err
    assert store_state(server) == before


def test_an_oversized_body_is_refused_and_leaves_no_file(server, tmp_path, monkeypatch):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    data = lap.bundle(tmp_path / "day.fmbundle", change, blobs).read_bytes()
    # The test server runs in this process: its route reads the limit when a request comes.
    monkeypatch.setattr(bundle_route, "MAX_BUNDLE_BYTES", len(data) - 1)
    before = store_state(server)
    declared = post(server, lap.token, data)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for i in range(0, len(data), 4096):
            yield data[i:i + 4096]

    streamed = post(server, lap.token, chunks())
    for answer in (declared, streamed):
        assert answer.status_code == 413 and answer.json()["code"] == "too_large", answer.text
    assert store_state(server) == before
    assert incoming(server) == []
    monkeypatch.undo()
    assert post(server, lap.token, data).status_code == 200


def test_a_cut_upload_leaves_no_file(server, tmp_path):
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    data = lap.bundle(tmp_path / "day.fmbundle", change, blobs).read_bytes()
    before = store_state(server)
    host, port = server.url.removeprefix("http://").split(":")
    head = (f"POST {API}/bundles HTTP/1.1\r\nHost: {host}\r\nFieldmark-Protocol: 1\r\n"
            f"Authorization: Bearer {lap.token}\r\nContent-Type: application/octet-stream\r\n"
            f"Content-Length: {len(data)}\r\n\r\n")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(head.encode() + data[: len(data) // 2])
        deadline = time.monotonic() + 10
        while not incoming(server) and time.monotonic() < deadline:  # the body is being received
            time.sleep(0.02)
        assert incoming(server)
    deadline = time.monotonic() + 30
    while incoming(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert incoming(server) == []
    assert store_state(server) == before
    assert post(server, lap.token, data).status_code == 200


def test_the_cli_imports_into_an_s3_blob_store(server, tmp_path, cli, seaweedfs: SeaweedS3):  # noqa: F811
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    path = lap.bundle(tmp_path / "day.fmbundle", change, blobs)
    bucket = seaweedfs.new_bucket()
    url = seaweedfs.url(bucket, "media")
    status, out, err = cli(path, "--blobs", url)
    assert status == 0, err
    store = open_blob_store(url)
    try:
        for sha, source in blobs.items():
            assert b"".join(store.iter_chunks(sha)) == source.read_bytes()
    finally:
        store.close()
    assert "5 applied" in out
    # The receipt is stored; the same bundle again, against the same bucket, changes nothing.
    before = snapshot(server), seaweedfs.keys(bucket)
    assert cli(path, "--blobs", url)[0] == 0
    assert (snapshot(server), seaweedfs.keys(bucket)) == before


def test_the_cli_says_when_the_file_is_not_there(server, tmp_path, cli):
    status, out, err = cli(tmp_path / "nowhere.fmbundle")
    assert status == 1 and out == "" and "nowhere.fmbundle: no such file" in err

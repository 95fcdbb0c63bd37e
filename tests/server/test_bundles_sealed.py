"""Bundles sealed to the office (app.sync.sealed): the office's key in the data folder, its public
half in the office settings, and import by the command line and ``POST /api/v1/bundles`` on both
backends. A seal that does not open is refused with ``bundle_seal_invalid``, naming where, and
nothing is stored."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.canonical import canonical_json
from app.sync import sealed
from app.sync.bundle import BLOB_PREFIX, MANIFEST, SIGNATURE
from app.sync.bundle_export import export_bundle
from app.sync.office import OFFICE_KEY
from app.sync.protocol import Receipt
from db.queries import meta
from server.cli import main
from server.keys_office import KEY_FILE, office_key
from tests.app.test_sync_bundle import entries, manifest_of, rezip
from tests.server.finalized_support import in_progress_visit
from tests.server.sync_support import MemoryKeyring, use_keyring
from tests.server.sync_support import laptop as laptop_of
from tests.server.test_bundles import incoming, laptop, post, store_state, stored_receipt


@pytest.fixture
def cli(server: Any, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(path: Path) -> tuple[int, str, str]:
        blobs = ["--blobs", server.config.blobs_url] if server.config.blobs_url else []
        status = main(["bundle", "import", str(path), "--data-dir", str(server.config.data_dir),
                       "--database", server.config.database_url, *blobs])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def office_public(server: Any) -> Any:
    with server.client(server.admin_token) as c:
        answer = c.put("/api/v1/office", json={"name_zh": "测试办公室"})
    assert answer.status_code == 200, answer.text
    return sealed.load_public_key(answer.json()["bundle_public_key"])


def sealed_day(server: Any, tmp_path: Path, recipient: Any) -> tuple[Any, Path, Any]:
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    plain = lap.bundle(tmp_path / "plain.fmbundle", change, blobs)
    out = tmp_path / "office.fmbundle"
    sealed.seal(plain, out, recipient)
    return lap, out, change


def test_the_office_key_is_kept_in_the_data_folder_for_its_owner_alone(server):
    key = office_key(server.config.data_dir)
    path = server.config.data_dir / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sealed.key_id(office_key(server.config.data_dir)) == sealed.key_id(key)  # the same key again
    assert sealed.key_id(office_public(server)) == sealed.key_id(key)


def test_a_sealed_bundle_is_imported_by_post_and_by_the_cli_once(server, tmp_path, cli):
    lap, path, change = sealed_day(server, tmp_path, office_public(server))
    assert sealed.is_sealed(path) and b"kitchen" not in path.read_bytes()
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 200, answer.text
    receipt = Receipt.model_validate(answer.json())
    assert receipt == stored_receipt(server, change.changeset_id)
    assert {r.status for r in receipt.rows} == {"applied"}
    before = store_state(server)
    status, out, err = cli(path)
    assert status == 0, err
    assert "already applied" in out and f"server_seq {receipt.server_seq}" in out
    assert store_state(server) == before
    assert incoming(server) == []  # neither the body nor the opened bundle is left behind


def _flip(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("how", "entry"), [
    ("ciphertext", "(sealed chunk 0)"),
    ("recipient", "(seal header)"),
    ("cut", "(sealed chunk 0)"),
])
def test_a_seal_that_does_not_open_is_refused_naming_where(server, tmp_path, cli, how, entry):
    recipient = office_public(server)
    if how == "recipient":
        recipient = X25519PrivateKey.generate().public_key()
    lap, path, _ = sealed_day(server, tmp_path, recipient)
    if how == "ciphertext":
        _flip(path, sealed.HEADER_BYTES + 40)
    elif how == "cut":
        path.write_bytes(path.read_bytes()[:-7])
    before = store_state(server)
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["entry"]) == ("bundle_seal_invalid", entry)
    status, _, err = cli(path)
    assert status == 1 and entry in err
    assert store_state(server) == before
    assert incoming(server) == []


# --- from a real laptop ---------------------------------------------------------------------------


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


def test_a_laptop_exports_a_visit_sealed_for_the_office_which_imports_it_once(server, demo_template, tmp_path,
                                                                              keychain, cli):
    office_public(server)  # the office's settings exist, with its key
    machine = laptop_of(server, demo_template, tmp_path / "one", mirror=True)
    try:
        visit_id = in_progress_visit(machine.profile)
        finalized = machine.profile.db.execute("SELECT id FROM visits WHERE status = 'finalized' ORDER BY id "
                                               "LIMIT 1").fetchone()[0]
        # The office's key is asked of the server (the laptop is online here) and kept.
        done = export_bundle(machine.profile, [visit_id, finalized], tmp_path / "visit.fmbundle")
        assert done.finalized_versions == 1
        assert meta.get(machine.profile.db, OFFICE_KEY) == sealed.public_key_text(office_key(server.config.data_dir))
        dirty_before = machine.profile.db.execute("SELECT count(*) FROM responses WHERE dirty = 1").fetchone()[0]
    finally:
        machine.profile.close()
    assert sealed.is_sealed(done.path)
    before = store_state(server)
    answer = post(server, machine.session.token, done.path.read_bytes())
    assert answer.status_code == 200, answer.text
    receipt = Receipt.model_validate(answer.json())
    assert receipt.changeset_id == done.changeset_id and len(receipt.rows) == done.rows
    statuses = {(r.table, r.status) for r in receipt.rows}
    assert ("visits", "applied") in statuses and ("responses", "applied") in statuses
    assert not {s for _, s in statuses} & {"error", "unpermitted"}
    assert [(f.visit_id, f.status) for f in receipt.finalizations] == [(finalized, "recorded")]
    assert store_state(server) != before
    after = store_state(server)
    status, out, err = cli(done.path)
    assert status == 0 and "already applied" in out, err
    assert store_state(server) == after
    assert dirty_before > 0  # the laptop's rows wait for a receipt: exporting cleared nothing


def _unsigned(good: Path, contents: dict[str, bytes], _blob: str) -> Path:
    del contents[SIGNATURE]
    return rezip(good, contents)


def _manifest_tampered(good: Path, contents: dict[str, bytes], _blob: str) -> Path:
    manifest = manifest_of(good)
    manifest["changeset"]["rows"][1]["values"]["value"] = "no"
    return rezip(good, {**contents, MANIFEST: canonical_json(manifest).encode()})


def _blob_changed(good: Path, contents: dict[str, bytes], blob: str) -> Path:
    data = bytearray(contents[BLOB_PREFIX + blob])
    data[0] ^= 0x01
    return rezip(good, {**contents, BLOB_PREFIX + blob: bytes(data)})


@pytest.mark.parametrize(("damage", "code", "entry"), [
    (_unsigned, "bundle_signature_invalid", SIGNATURE),
    (_manifest_tampered, "bundle_signature_invalid", SIGNATURE),
    (_blob_changed, "bundle_blob_mismatch", "blob"),
])
def test_a_sealed_bundle_damaged_before_sealing_is_refused_by_the_inner_checks(server, tmp_path, cli, damage, code,
                                                                               entry):
    recipient = office_public(server)
    lap = laptop(server, tmp_path)
    change, blobs = lap.day(server)
    good = lap.bundle(tmp_path / "plain.fmbundle", change, blobs)
    bad = damage(good, entries(good), sorted(blobs)[0])
    path = tmp_path / "office.fmbundle"
    sealed.seal(bad, path, recipient)
    named = BLOB_PREFIX + sorted(blobs)[0] if entry == "blob" else entry
    before = store_state(server)
    answer = post(server, lap.token, path.read_bytes())
    assert answer.status_code == 422, answer.text
    assert (answer.json()["code"], answer.json()["entry"]) == (code, named)
    status, _, err = cli(path)
    assert status == 1 and named in err
    assert store_state(server) == before and incoming(server) == []

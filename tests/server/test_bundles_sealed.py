"""Bundles sealed to the office (app.sync.sealed): the office's key in the data folder, its public
half in the office settings, and import by the command line and ``POST /api/v1/bundles`` on both
backends. A seal that does not open is refused with ``bundle_seal_invalid``, naming where, and
nothing is stored."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.sync import sealed
from app.sync.protocol import Receipt
from server.cli import main
from server.keys_office import KEY_FILE, office_key
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

"""The newer-release notice: the office offers a version and its download link, every laptop learns
it at its next sync (even one too old to sync), keeps it offline, and never installs anything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import cli_sync
from app.cli import main
from app.sync import client as sync_client
from app.sync.engine import sync
from app.sync.release import (
    RELEASE_PATH,
    Release,
    is_newer,
    kept,
    newer_release,
    remember,
    version_key,
)
from app.sync.status import sync_overview
from server.cli import main as server_main
from tests.server.sync_support import QUICK, MemoryKeyring, laptop, use_keyring

API = "/api/v1"


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def machine(server: Any, demo_template: Path, tmp_path: Path, keychain: MemoryKeyring) -> Iterator[Any]:
    one = laptop(server, demo_template, tmp_path / "one", mirror=True)
    yield one
    one.profile.close()


def offer(server: Any, token: str, **body: str) -> httpx.Response:
    with server.client(token) as c:
        return c.put(API + "/client-release", json=body)


def test_versions_compare_as_numbers_with_pre_releases_first():
    assert version_key("1.4") == version_key("1.4.0")
    assert is_newer("0.10.0", "0.9.9") and is_newer("1.0", "1.0rc2") and is_newer("1.0rc2", "1.0b7")
    assert not is_newer("0.1.0", "0.1.0") and not is_newer("0.0.9", "0.1.0")
    assert not is_newer("1.0-final", "0.1.0")  # not a version: never "newer"
    for bad in ("", "v1.2", "1..2", "1.2.3.4.5", "latest"):
        with pytest.raises(ValueError):
            version_key(bad)


def test_anyone_reads_the_release_and_only_an_admin_sets_it(server):
    # Public: no login, no protocol header (a Fieldmark too old to sync must still read it).
    assert httpx.get(server.url + RELEASE_PATH).json()["version"] is None
    inspector = server.make_account("inspector", "42")
    staff = server.make_account("office_staff", "42")
    body = {"version": "9.1.0", "download_url": "https://office.example/fieldmark-9.1.0.exe",
            "notes_zh": "修复打印", "notes_en": "Printing fixed"}
    for token in (inspector.token, staff.token):
        assert offer(server, token, **body).status_code == 403
    assert offer(server, "", **body).status_code == 401
    answer = offer(server, server.admin_token, **body)
    assert answer.status_code == 200, answer.text
    public = httpx.get(server.url + RELEASE_PATH).json()
    assert public == {"version": "9.1.0", "download_url": body["download_url"], "notes_zh": "修复打印",
                      "notes_en": "Printing fixed"}
    with server.client(server.admin_token) as c:
        assert c.delete(API + "/client-release").status_code == 204
    assert httpx.get(server.url + RELEASE_PATH).json()["version"] is None


@pytest.mark.parametrize(("body", "field"), [
    ({"version": "latest", "download_url": "https://office.example/f.exe"}, "version"),
    ({"version": "2.0", "download_url": "file:///C:/f.exe"}, "download_url"),
    ({"version": "2.0", "download_url": "javascript:alert(1)"}, "download_url"),
    # Longer than every laptop reads: stored, it would make GET /client-release fail for all.
    ({"version": "111111.111111.111111.111111rc111111", "download_url": "https://office.example/f.exe"}, "version"),
    ({"version": "2.0", "download_url": "https://office.example/" + "f" * 2000}, "download_url"),
    ({"version": "2.0", "download_url": "https://office.example/f.exe", "notes_en": "x" * 4001}, "notes_en"),
])
def test_a_release_that_laptops_could_not_use_is_refused_by_field(server, body, field):
    answer = offer(server, server.admin_token, **body)
    assert answer.status_code == 422
    assert [p["location"] for p in answer.json()["problems"]] == [[field]]
    assert httpx.get(server.url + RELEASE_PATH).json()["version"] is None


def test_a_laptop_learns_a_newer_release_at_sync_and_keeps_it_offline(server, machine, monkeypatch):
    monkeypatch.setattr("app.sync.release.__version__", "1.2.0")
    assert offer(server, server.admin_token, version="1.3.0",
                 download_url="https://office.example/fieldmark-1.3.0.exe").status_code == 200
    result = sync(machine.profile, machine.session, retry=QUICK)
    assert result.complete, result.message
    assert result.newer_release == Release("1.3.0", "https://office.example/fieldmark-1.3.0.exe")
    # Kept in the profile: shown after a restart, with no network.
    assert sync_overview(machine.profile).newer_release == result.newer_release
    # The same release is no notice on a laptop that has it already, or a newer one.
    monkeypatch.setattr("app.sync.release.__version__", "1.3.0")
    assert newer_release(machine.profile) is None and kept(machine.profile) is not None
    # The office withdraws it: the next sync forgets it.
    monkeypatch.setattr("app.sync.release.__version__", "1.2.0")
    with server.client(server.admin_token) as c:
        c.delete(API + "/client-release")
    assert sync(machine.profile, machine.session, retry=QUICK).newer_release is None
    assert kept(machine.profile) is None


def test_an_unreachable_server_keeps_what_was_known(server, machine, monkeypatch):
    monkeypatch.setattr("app.sync.release.__version__", "1.2.0")
    remember(machine.profile, Release("1.5", "https://office.example/f.exe"))

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    result = sync(machine.profile, machine.session, retry=QUICK, transport=httpx.MockTransport(down))
    assert result.reason == "offline"
    assert newer_release(machine.profile) == Release("1.5", "https://office.example/f.exe")


def test_a_laptop_too_old_to_sync_still_learns_where_to_get_the_new_one(server, machine, monkeypatch):
    monkeypatch.setattr("app.sync.release.__version__", "1.2.0")
    offer(server, server.admin_token, version="2.0", download_url="https://office.example/fieldmark-2.0.exe")
    # This laptop speaks a protocol the server no longer accepts (426).
    monkeypatch.setattr(sync_client, "PROTOCOL_VERSION", 0)
    result = sync(machine.profile, machine.session, retry=QUICK)
    assert result.reason == "protocol"
    assert result.newer_release == Release("2.0", "https://office.example/fieldmark-2.0.exe")


def test_the_command_line_names_the_release_and_its_link(server, machine, monkeypatch, capsys):
    monkeypatch.setattr("app.sync.release.__version__", "1.2.0")
    monkeypatch.setattr(cli_sync, "__version__", "1.2.0")
    offer(server, server.admin_token, version="1.3", download_url="https://office.example/f-1.3.exe")
    root = machine.profile.root
    machine.profile.close()
    assert main(["sync", "--data-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Fieldmark 1.3 is available (this is 1.2.0): https://office.example/f-1.3.exe" in out
    assert "never updates itself" in out


def test_a_malformed_answer_is_no_notice(server, machine, monkeypatch):
    monkeypatch.setattr("app.sync.release.__version__", "1.2.0")
    real = httpx.HTTPTransport()

    def odd(request: httpx.Request) -> httpx.Response:
        if request.url.path == RELEASE_PATH:
            return httpx.Response(200, content=b'{"version": 12, "download_url": ["x"]}')
        return real.handle_request(request)

    result = sync(machine.profile, machine.session, retry=QUICK, transport=httpx.MockTransport(odd))
    assert result.complete and result.newer_release is None


def test_the_server_command_sets_shows_and_clears(server, tmp_path, capsys):
    store = ["--database", server.config.database_url, "--data-dir", str(tmp_path)]
    assert server_main(["release", "set", "1.9.1", "https://office.example/f.exe", "--notes-zh", "新", *store]) == 0
    assert httpx.get(server.url + RELEASE_PATH).json()["version"] == "1.9.1"
    assert server_main(["release", "show", *store]) == 0
    assert "Fieldmark 1.9.1: https://office.example/f.exe" in capsys.readouterr().out
    assert server_main(["release", "set", "one", "ftp://x", *store]) == 1
    assert "version such as 1.4.2" in capsys.readouterr().err
    assert server_main(["release", "clear", *store]) == 0
    assert httpx.get(server.url + RELEASE_PATH).json()["version"] is None

"""The diagnostics zip: logs, versions, settings, schema level, integrity check and counts, with
no secret (keychain token, device key, passwords in the logs) and no photo in any of its files."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import credentials
from app.diagnostics import DiagnosticsFailed, redact, write_diagnostics
from app.profile import Profile
from app.settings import set_setting
from tests.server.sync_support import MemoryKeyring, use_keyring

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
PASSWORD = "Hunter2-Sekret!"
URL, LOGIN = "https://fieldmark.example.org", "zhang"
# The logs here hold the keychain's secrets on purpose: the zip must blank them out.
pytestmark = pytest.mark.plants_secrets


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "p"
    done = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--data-dir", str(root), "--today", "2026-11-24"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def demo(demo_source: Path, tmp_path: Path) -> Iterator[Profile]:
    import shutil

    root = tmp_path / "p"
    shutil.copytree(demo_source, root, ignore=shutil.ignore_patterns(".lock"))
    with Profile.open(root) as profile:
        yield profile


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "fieldmark.log").write_text(
        "2026-11-24 08:00:01 ERROR fieldmark: login failed for zhang with password=" + PASSWORD + "\n"
        f"2026-11-24 08:00:02 INFO fieldmark: request headers {{'Authorization': 'Bearer {TOKEN}'}}\n"
        f"2026-11-24 08:00:03 ERROR fieldmark: server answered 401 for {TOKEN}\n"
        "2026-11-24 08:00:04 ERROR fieldmark: a save failed: the disk is full\n", encoding="utf-8")
    (folder / "fieldmark.log.1").write_text(f"older: token: {TOKEN}\n", encoding="utf-8")
    (folder / "other-app.log").write_text("not ours\n", encoding="utf-8")
    return folder


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_the_zip_has_what_support_needs(demo, logs, tmp_path):
    out = write_diagnostics(demo, tmp_path / "diag.zip", log_folder=logs, extra_versions={"qt": "6.x"})
    files = members(out)
    assert set(files) == {"versions.json", "settings.json", "database.json", "evidence.json", "sync.json",
                          "backups.json", "logs/fieldmark.log", "logs/fieldmark.log.1"}
    found = {name.removesuffix(".json"): json.loads(files[name]) for name in files if name.endswith(".json")}
    assert found["versions"]["fieldmark"] and found["versions"]["sqlite"] and found["versions"]["qt"] == "6.x"
    assert found["versions"]["python"] and found["versions"]["os"] and found["versions"]["PySide6"]
    assert found["database"]["schema_level"] == found["database"]["known_steps"]
    assert found["database"]["integrity_check"] == ["ok"]
    assert found["evidence"]["files_checked"] > 0 and found["evidence"]["missing"] == 0
    assert found["sync"]["pending_changes"] > 0 and "server_configured" in found["sync"]
    assert "a save failed: the disk is full" in files["logs/fieldmark.log"].decode()
    assert not (tmp_path / "diag.zip.partial").exists()


def test_no_secret_and_no_photo_in_any_file(demo, logs, tmp_path, keychain):
    set_setting(demo, "server_url", URL)
    set_setting(demo, "server_login", LOGIN)
    credentials.save_token(URL, LOGIN, TOKEN)
    device_key = bytes(range(32))
    credentials.save_device_key(demo.device_id, device_key)
    (logs / "fieldmark.log").open("a", encoding="utf-8").write(
        f"device key {base64.b64encode(device_key).decode()} loaded\n")
    files = members(write_diagnostics(demo, tmp_path / "diag.zip", log_folder=logs))
    secrets = [TOKEN, PASSWORD, base64.b64encode(device_key).decode()]
    for name, data in files.items():
        text = data.decode("utf-8")
        for secret in secrets:
            assert secret not in text, (name, secret)
        assert not data.startswith(b"\xff\xd8") and b"JFIF" not in data and b"Exif" not in data, name
        assert not name.startswith("media") and not name.endswith((".jpg", ".jpeg", ".png")), name
    assert "[redacted]" in files["logs/fieldmark.log"].decode()
    assert json.loads(files["sync.json"])["server_configured"] is True


def test_redact_blanks_the_common_forms():
    text = 'password: abc123 pwd=x9 "token": "zz" Authorization: Bearer a.b.c api_key=K1 fine=ok'
    out = redact(text, [])
    for secret in ("abc123", "x9", '"zz"', "a.b.c", "K1"):
        assert secret not in out
    assert "fine=ok" in out


def test_an_unwritable_destination_says_so_and_leaves_nothing(demo, logs, tmp_path):
    out = tmp_path / "missing-folder" / "diag.zip"
    with pytest.raises(DiagnosticsFailed, match="diagnostics not saved"):
        write_diagnostics(demo, out, log_folder=logs)
    assert not out.parent.exists()


def test_cli_diagnostics(demo_source, tmp_path, logs):
    import os

    out = tmp_path / "d.zip"
    done = subprocess.run([sys.executable, "-m", "app.cli", "diagnostics", "--out", str(out),
                           "--data-dir", str(demo_source)], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "FIELDMARK_LOG_DIR": str(logs)})
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout
    files = members(out)
    assert "database.json" in files and "logs/fieldmark.log" in files
    assert PASSWORD not in files["logs/fieldmark.log"].decode()
    done = subprocess.run([sys.executable, "-m", "app.cli", "diagnostics", "--out", str(tmp_path / "no" / "d.zip"),
                           "--data-dir", str(demo_source)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 1 and done.stderr.startswith("fieldmark: diagnostics not saved"), done.stderr

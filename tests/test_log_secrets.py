"""The end-of-run check that no secret reaches a log (tests/log_secrets.py) finds what it must:
a secret in a log record, one in a log file a test left in its temporary folder, and nothing
in a run that leaks nothing. Each case is a pytest run of its own with only the plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.log_secrets import find_secrets

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "Zq3vT7yP0-aXw_9sKd2LmN4bR8cE1fGh6jUo5iYt3Wk"


def test_a_secret_is_found_wherever_it_stands_in_a_line():
    lines = [
        "GET /api/v1/me 200",
        f"headers {{'Authorization': 'Bearer {TOKEN}'}}",
        f'{{"token":"{TOKEN}","expires_at":"2026-11-28"}}',
        f"/visits?token={TOKEN}&x=1",
        "the password is two words!",
        f"not the token: {TOKEN[:-1]}",
    ]
    found = list(find_secrets("\n".join(lines), [TOKEN, "two words!"]))
    assert [(n, s) for n, s, _ in found] == [(2, TOKEN), (3, TOKEN), (4, TOKEN), (5, "two words!")]
    assert list(find_secrets("nothing to see here", [TOKEN])) == []


def _run(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_probe.py").write_text(body, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.log_secrets", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(tmp_path), "-c", os.devnull, "--basetemp", str(tmp_path / "temp"), "test_probe.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


PROBE = f'''
import logging
from tests.log_secrets import remember

def test_probe(tmp_path):
    remember("{TOKEN}")
    %s
'''


@pytest.mark.parametrize(("how", "where"), [
    ('logging.getLogger("fieldmark.sync").debug("sending %s", "Bearer {TOKEN}")', "session-"),
    ('(tmp_path / "fieldmark.log").write_text("token: {TOKEN}\\n")', "fieldmark.log:1"),
])
def test_a_leak_fails_the_run_and_names_the_line(tmp_path, how, where):
    done = _run(tmp_path, PROBE % how.format(TOKEN=TOKEN))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "secrets in the logs" in done.stdout
    report = [line for line in done.stdout.splitlines() if "a secret (43 characters, Zq3…)" in line]
    assert len(report) == 1 and where in report[0], done.stdout
    # The report does not repeat the secret it found.
    assert TOKEN not in done.stdout


def test_a_run_that_leaks_nothing_passes(tmp_path):
    done = _run(tmp_path, PROBE % 'logging.getLogger("fieldmark.sync").debug("sending a token")')
    assert done.returncode == 0, done.stdout + done.stderr
    assert "log check: none of the 1 secrets made in this run is in its logs" in done.stdout

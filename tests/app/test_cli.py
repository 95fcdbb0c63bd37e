"""The CLI, run as the installed ``fieldmark`` command would run it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app import __version__
from app.cli import main


def run(*args: str, env_dir=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=300)


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"fieldmark {__version__}"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "profile"
    assert main(["demo", "--data-dir", str(root), "--today", "2026-11-24"]) == 0
    return root


def test_demo_builds_a_realistic_profile(demo_dir, capsys):
    assert main(["visits", "list", "--json", "--data-dir", str(demo_dir)]) == 0
    visits = json.loads(capsys.readouterr().out)
    statuses = {v["status"] for v in visits}
    assert {"in_progress", "finalized", "amended"} <= statuses
    assert all(v["content_hash"] for v in visits if v["status"] in ("finalized", "amended"))
    assert any("中心小学" in v["unit_name"] for v in visits)
    from app.profile import Profile
    with Profile.open(demo_dir, read_only=True) as p:
        count = lambda sql: p.db.execute(sql).fetchone()[0]  # noqa: E731
        assert 35 <= count("SELECT count(*) FROM units") <= 45
        assert count("SELECT count(*) FROM admin_areas WHERE level = 'county'") == 2
        assert 9 <= count("SELECT count(*) FROM admin_areas WHERE level = 'township'") <= 12
        assert count("SELECT count(*) FROM inspectors") == 3
        assert count("SELECT count(*) FROM assignments") >= 5
        assert count("SELECT count(*) FROM rubric_templates") >= 6
        assert count("SELECT count(*) FROM findings") >= 3
        assert count("SELECT count(*) FROM audit_log") == 1
        assert count("SELECT count(DISTINCT unit_type) FROM units") >= 6


def test_demo_if_missing_leaves_an_existing_profile_alone(demo_dir, capsys):
    assert main(["demo", "--if-missing", "--data-dir", str(demo_dir)]) == 0
    assert main(["demo", "--data-dir", str(demo_dir)]) == 1
    assert "already holds a profile" in capsys.readouterr().err


def test_db_check_reports_migrations_and_integrity(demo_dir, capsys):
    assert main(["db", "check", "--data-dir", str(demo_dir)]) == 0
    out = capsys.readouterr().out
    assert "applied  0001_initial" in out
    assert "integrity: ok" in out


def test_visits_list_table_and_status_filter(demo_dir, capsys):
    assert main(["visits", "list", "--status", "in_progress", "--data-dir", str(demo_dir)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all("in_progress" in line for line in lines)


def test_status_summarises_the_profile(demo_dir, capsys):
    assert main(["--data-dir", str(demo_dir)]) == 0
    out = capsys.readouterr().out
    assert "units: " in out and "changes waiting to sync" in out


def test_data_dir_from_the_environment(demo_dir, monkeypatch, capsys):
    monkeypatch.setenv("FIELDMARK_DATA_DIR", str(demo_dir))
    assert main(["visits", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)


def test_missing_profile_is_a_clear_error(tmp_path, capsys):
    assert main(["visits", "list", "--data-dir", str(tmp_path / "none")]) == 1
    assert "no Fieldmark profile" in capsys.readouterr().err


def test_corrupt_database_is_a_clear_error(tmp_path, capsys):
    root = tmp_path / "p"
    root.mkdir()
    (root / "fieldmark.sqlite3").write_bytes(b"junk" * 64)
    assert main(["db", "check", "--data-dir", str(root)]) == 1
    err = capsys.readouterr().err
    assert "not a Fieldmark database" in err and str(root) in err


def test_data_dir_before_the_subcommand(demo_dir, capsys):
    assert main(["--data-dir", str(demo_dir), "visits", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert main(["--data-dir", str(demo_dir), "status"]) == 0
    assert str(demo_dir) in capsys.readouterr().out

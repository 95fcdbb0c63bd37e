"""The CLI, run as the installed ``fieldmark`` command would run it."""

from __future__ import annotations

import errno
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app import __version__
from app import profile as profile_module
from app.cli import main
from db import connection

ROOT = Path(__file__).resolve().parents[2]


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


# --- Messages tell the truth -------------------------------------------------------------------

READONLY_DIRECTORY = 1544  # SQLITE_READONLY_DIRECTORY: what a WAL database in a read-only folder gives
READONLY = 8  # SQLITE_READONLY
CANTOPEN = 14  # SQLITE_CANTOPEN: "unable to open database file"


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    """The error SQLite raises, with the result code it carries (set by SQLite itself normally)."""
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code
    return exc


def assert_read_only_not_damaged(err: str) -> None:
    assert err.startswith("fieldmark: "), err
    assert "read-only" in err and "damaged" not in err and "fieldmark demo" not in err, err


@pytest.mark.parametrize("command", [["status"], ["visits", "list"], ["db", "check"], ["evidence", "verify"]])
@pytest.mark.parametrize("where, error", [
    ("_connect", sqlite_error("attempt to write a readonly database", READONLY_DIRECTORY)),
    ("_connect", sqlite_error("unable to open database file", CANTOPEN)),
    ("_apply_pragmas", sqlite_error("attempt to write a readonly database", READONLY)),
])
def test_a_healthy_profile_sqlite_cannot_write_beside_is_read_only(demo_dir, monkeypatch, capsys, command,
                                                                   where, error):
    def refuse(*_args: object) -> None:
        raise error

    monkeypatch.setattr(connection, where, refuse)
    assert main([*command, "--data-dir", str(demo_dir)]) == 1
    assert_read_only_not_damaged(capsys.readouterr().err)


def test_a_read_only_folder_refusing_the_lock_is_read_only(demo_dir, monkeypatch, capsys):
    def refuse(path: object, *_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(profile_module, "open", refuse, raising=False)  # the lock file's open()
    assert main(["evidence", "reduce", "on", "--data-dir", str(demo_dir)]) == 1
    assert_read_only_not_damaged(capsys.readouterr().err)


def test_a_read_only_file_refusing_an_upgrade_is_read_only(demo_dir, monkeypatch, capsys):
    def refuse(_db: object) -> None:
        raise sqlite_error("attempt to write a readonly database", READONLY)

    monkeypatch.setattr(connection.MIGRATIONS, "apply", refuse)
    assert main(["evidence", "reduce", "on", "--data-dir", str(demo_dir)]) == 1
    err = capsys.readouterr().err
    assert_read_only_not_damaged(err)
    assert "upgrade" not in err


def test_a_damaged_database_is_still_called_damaged(demo_dir, monkeypatch, capsys):
    def corrupt(*_args: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")  # SQLITE_CORRUPT, code 11

    monkeypatch.setattr(connection, "_connect", corrupt)
    assert main(["status", "--data-dir", str(demo_dir)]) == 1
    assert "damaged" in capsys.readouterr().err


def _other_user_cli() -> list[str] | None:
    """How to run the CLI as a user that file permissions apply to, or None when there is none.

    chmod does not stop root, which CI runs as; `nobody` through setpriv does.
    """
    if sys.platform == "win32":
        return None  # folder permissions are ACLs there; chmod does not make a folder read-only
    import pwd

    command = [sys.executable, "-m", "app.cli"]
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        return None
    if setpriv is None:
        return None
    as_nobody = [setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    # The interpreter and the checkout must be readable by that user too.
    probe = subprocess.run([*as_nobody, sys.executable, "-c", "import app.cli"], cwd=ROOT,
                           capture_output=True, timeout=120)
    return [*as_nobody, *command] if probe.returncode == 0 else None


@pytest.fixture
def read_only_copy(demo_dir):
    """A copy of the demo profile in a folder its user may read but not write."""
    base = Path(tempfile.mkdtemp(prefix="fieldmark-ro-"))  # not under tmp_path: that is private to root
    root = base / "profile"
    shutil.copytree(demo_dir, root)
    for path in [base, *base.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    root.chmod(0o555)
    yield root
    root.chmod(0o755)
    shutil.rmtree(base)


def test_a_read_only_folder_for_real(read_only_copy):
    cli = _other_user_cli()
    if cli is None:
        pytest.skip("no user that file permissions apply to (root without setpriv or `nobody`)")
    env = {**os.environ, "HOME": str(read_only_copy.parent)}
    for command in (["status"], ["visits", "list"], ["db", "check"], ["evidence", "reduce", "on"]):
        done = subprocess.run([*cli, *command, "--data-dir", str(read_only_copy)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert_read_only_not_damaged(done.stderr)
    # No profile there, and none can be made: `demo` is not advised.
    done = subprocess.run([*cli, "status", "--data-dir", str(read_only_copy / "new")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and done.stderr.startswith("fieldmark: "), done.stderr
    assert "cannot be written" in done.stderr and "fieldmark demo" not in done.stderr, done.stderr


def test_status_on_a_file_says_so(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("not a profile")
    for root in (path, path / "profile"):
        assert main(["status", "--data-dir", str(root)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("fieldmark: ") and "is a file" in err and "demo" not in err, err


def test_status_where_nothing_can_be_written_says_so(tmp_path, monkeypatch, capsys):
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if Path(str(path)) == tmp_path and mode & os.W_OK:
            return False  # as for a folder on a read-only disk
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    for root in (tmp_path, tmp_path / "new" / "profile"):
        assert main(["status", "--data-dir", str(root)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("fieldmark: ") and f"{tmp_path} cannot be written" in err, err
        assert "demo" not in err


def test_status_without_a_profile_advises_demo_as_an_error(tmp_path, capsys):
    assert main(["status", "--data-dir", str(tmp_path / "new")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("fieldmark: no profile at ") and "fieldmark demo --data-dir" in captured.err


@pytest.mark.parametrize("argv", [
    ["visits", "list", "--limit", "x"],
    ["nonsense"],
    ["rubric"],
    ["report"],
])
def test_argument_errors_start_with_fieldmark(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("usage: fieldmark")
    errors = [line for line in lines if not line.startswith(("usage:", " "))]
    assert errors and all(line.startswith("fieldmark: ") for line in errors), lines


def test_report_warnings_start_with_fieldmark(seeded, tmp_path, capsys):
    from app.evidence import list_photos, photo_file
    from tests.app.report_factory import banded_visit

    vid, _ = banded_visit(seeded)
    photo_file(seeded.profile, list_photos(seeded.profile, vid)[0].id).unlink()
    seeded.profile.close()  # the command opens the profile itself
    assert main(["report", vid, "--out", str(tmp_path / "x.pdf"), "--data-dir", str(seeded.profile.root)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("fieldmark: warning: ") for line in err), err


def test_output_into_a_closed_pipe_ends_quietly(demo_dir):
    """`fieldmark visits list --json | head -1`: the reader leaves early; no traceback follows."""
    read, write = os.pipe()
    os.close(read)  # gone before the first byte, as `head -1` may be when the rest is flushed
    try:
        done = subprocess.run([sys.executable, "-m", "app.cli", "visits", "list", "--json",
                               "--data-dir", str(demo_dir)], cwd=ROOT, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == 1


def test_head_of_the_visit_list_ends_quietly(demo_dir):
    done = subprocess.run(f"{shlex.quote(sys.executable)} -m app.cli visits list --json "
                          f"--data-dir {shlex.quote(str(demo_dir))} | head -1", shell=True, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.stdout == "[\n" and done.stderr == ""

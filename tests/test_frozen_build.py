"""The pieces of the frozen build that run without building it: the ready hook and the smoke test's checks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _smoke_test():
    spec = importlib.util.spec_from_file_location("fieldmark_smoke_test", ROOT / "packaging" / "smoke_test.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("env", "expected"), [("1", ["--data-dir", "/p", "--exit-when-ready"]),
                                               (None, ["--data-dir", "/p"])])
def test_exit_when_ready_reaches_the_desktop_only_when_asked(monkeypatch, env, expected):
    import ui.app
    from ui import launcher

    seen: list[list[str]] = []
    monkeypatch.setattr(ui.app, "main", lambda args: seen.append(list(args)) or 0)
    if env is None:
        monkeypatch.delenv(launcher.EXIT_WHEN_READY, raising=False)
    else:
        monkeypatch.setenv(launcher.EXIT_WHEN_READY, env)
    assert launcher.main(["--data-dir", "/p"]) == 0
    assert seen == [expected]


def test_smoke_test_reads_only_the_files_strace_saw_opened(tmp_path):
    trace = tmp_path / "report.strace"
    trace.write_text(
        '101 openat(AT_FDCWD, "/b/_internal/resources/fonts/wqy-microhei.ttc", O_RDONLY|O_CLOEXEC) = 3\n'
        '101 openat(AT_FDCWD, "/usr/share/fonts/missing.ttf", O_RDONLY) = -1 ENOENT (No such file or directory)\n'
        '102 open("/b/_internal/base_library.zip", O_RDONLY) = 4\n', encoding="utf-8")
    assert _smoke_test().opened_files(trace) == [
        Path("/b/_internal/resources/fonts/wqy-microhei.ttc"), Path("/b/_internal/base_library.zip")]


def test_smoke_test_without_a_build_says_to_run_make_package(tmp_path, capsys):
    assert _smoke_test().main([str(tmp_path)]) == 1
    assert "run `make package` first" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_smoke_test_reports_a_failing_step_with_the_program_output(tmp_path, capsys):
    build = tmp_path / "build"
    build.mkdir()
    exe = build / "fieldmark"
    exe.write_text("#!/bin/sh\necho 'no such profile' >&2\nexit 3\n", encoding="utf-8")
    exe.chmod(0o755)
    if sys.platform == "win32":
        pytest.skip("a shell script stands in for the executable")
    assert _smoke_test().main([str(build)]) == 1
    err = capsys.readouterr().err
    assert "FAILED  fieldmark --version: exit 3" in err and "no such profile" in err

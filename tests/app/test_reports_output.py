"""Where a document is written: normal permissions, and clear errors for targets that cannot take it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.cli import main
from app.reports import OutputError, write_report
from tests.app.report_factory import banded_visit

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


@pytest.fixture
def visit(seeded) -> str:
    return banded_visit(seeded, photos=0)[0]


def test_the_pdf_has_the_users_normal_permissions(seeded, visit, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "sheet.pdf"
    old = os.umask(0o022)
    try:
        write_report(seeded.profile, visit, out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert out.read_bytes().startswith(b"%PDF")
    # Nothing else is left in the folder (the temporary file was renamed, not copied).
    assert [p.name for p in out.parent.iterdir()] == ["sheet.pdf"]


def test_a_stricter_umask_is_respected(seeded, visit, tmp_path):
    out = tmp_path / "sheet.pdf"
    old = os.umask(0o077)
    try:
        write_report(seeded.profile, visit, out)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize("target, message", [
    (lambda tmp: tmp / "missing" / "sheet.pdf", "the folder {tmp}/missing does not exist"),
    (lambda tmp: tmp / "a-file.txt" / "sheet.pdf", "{tmp}/a-file.txt is a file, not a folder"),
    (lambda tmp: tmp / "a-file.txt" / "deeper" / "sheet.pdf", "{tmp}/a-file.txt is a file, not a folder"),
    (lambda tmp: tmp, "it is a folder"),
])
def test_a_target_that_cannot_take_the_file_is_refused_before_any_work(seeded, visit, tmp_path, target,
                                                                         message):
    (tmp_path / "a-file.txt").write_text("x")
    out = target(tmp_path)
    with pytest.raises(OutputError, match=message.format(tmp=tmp_path)):
        write_report(seeded.profile, visit, out)
    assert not (tmp_path / "missing").exists()  # a mistyped folder is never created


@pytest.mark.parametrize("where", ["missing/sheet.pdf", "a-file.txt/sheet.pdf"])
def test_the_cli_says_why_and_exits_1(seeded, visit, tmp_path, capsys, where):
    (tmp_path / "a-file.txt").write_text("x")
    seeded.profile.close()  # the command opens the profile itself
    code = main(["report", visit, "--out", str(tmp_path / where), "--data-dir", str(seeded.profile.root)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith(f"fieldmark: cannot write {tmp_path / where}: ")
    assert ("does not exist" in err) if where.startswith("missing") else ("is a file, not a folder" in err)


def test_the_documentation_describes_these_errors():
    text = DOCS.read_text(encoding="utf-8")
    for phrase in ("does not exist", "is a file, not a folder", "exits 1", "umask"):
        assert phrase in text, phrase

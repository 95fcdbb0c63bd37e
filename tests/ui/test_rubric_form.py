"""The Rubrics page prints the selected rubric's self-assessment form (自评表) to a PDF."""

from __future__ import annotations

import errno
import io
import os
import re

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.profile import Profile
from app.rubric.samples import load_sample
from app.rubric_store import import_document
from app.settings import set_setting
from ui.pages.rubrics_page import RubricsPage
from ui.tasks import SyncTaskRunner, TaskRunner


@pytest.fixture
def profile(tmp_path):
    with Profile.open(tmp_path / "profile") as opened:
        import_document(opened, load_sample("standardized-school"))
        set_setting(opened, "office_name", "丹江口市人民政府教育督导室")
        yield opened


def page_for(qtbot, profile, runner) -> RubricsPage:
    page = RubricsPage(profile, runner)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.list.topLevelItemCount() == 1 and page.form_button.isEnabled())
    return page


def text_of(path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages))


def test_the_action_writes_the_form_in_the_background_and_says_where(qtbot, profile, tmp_path):
    runner = TaskRunner()
    try:
        page = page_for(qtbot, profile, runner)
        out = tmp_path / "自评表.pdf"
        with qtbot.waitSignal(page.formWritten, timeout=30_000) as written:
            page.print_form(out, "zh")
        assert written.args == [str(out)]
        assert str(out) in page.form_status.text() and "page" in page.form_status.text()
        text = text_of(out)
        assert "义务教育标准化学校评估验收评分细则自评表" in text and "丹江口市人民政府教育督导室" in text
        assert "自评得分" in text and "A1.1" in text
    finally:
        runner.shutdown()


def test_the_menu_offers_both_languages_and_the_dialog_path_gets_its_suffix(qtbot, profile, tmp_path, monkeypatch):
    page = page_for(qtbot, profile, SyncTaskRunner())
    actions = page.form_button.menu().actions()
    assert [a.text() for a in actions] == ["In Chinese…", "In English…"]
    chosen = tmp_path / "form-en"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(chosen), ""))
    with qtbot.waitSignal(page.formWritten):
        actions[1].trigger()
    written = tmp_path / "form-en.pdf"
    assert "Standardizedcompulsoryschool:evaluationandacceptancescoringrulesSelf-assessmentform·version2024.1" \
        in text_of(written)
    pages = len(PdfReader(io.BytesIO(written.read_bytes())).pages)
    # Untranslated, Qt fills in %n and keeps the "(s)"; the zh_CN translation has one form.
    assert page.form_status.text() == f"Self-assessment form written to {written} ({pages} page(s))."


def test_a_cancelled_dialog_writes_nothing(qtbot, profile, tmp_path, monkeypatch):
    page = page_for(qtbot, profile, SyncTaskRunner())
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    page.choose_form_path("zh")
    assert page.form_status.text() == "" and list(tmp_path.iterdir()) == [tmp_path / "profile"]


@pytest.mark.parametrize("where, reason", [
    ("missing/form.pdf", "does not exist"),
    ("refused/form.pdf", "permission denied"),
])
def test_a_path_that_cannot_take_the_file_is_said_in_words(qtbot, profile, tmp_path, monkeypatch, where, reason):
    import app.reports.output as output

    (tmp_path / "refused").mkdir()
    if where.startswith("refused"):
        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    page = page_for(qtbot, profile, SyncTaskRunner())
    with qtbot.waitSignal(page.formFailed):
        page.print_form(tmp_path / where, "zh")
    assert len(warnings) == 1
    assert warnings[0].startswith("The self-assessment form could not be written: cannot write ")
    assert reason in warnings[0] and warnings[0] == page.form_status.text()
    assert not (tmp_path / "missing").exists() and list((tmp_path / "refused").iterdir()) == []

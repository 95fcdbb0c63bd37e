"""The newer-release notice in the window: the status area names the version with the office's
link, the About box repeats it, and nothing shows when this Fieldmark is as new."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.sync.release import Release, remember
from tests.ui import shell_support

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window

OFFERED = Release("99.0.1", "https://office.example/fieldmark?v=99&os=win", "修复打印", "Printing fixed")


def test_the_status_area_names_a_newer_release_and_its_link(window, demo, monkeypatch):
    remember(demo, OFFERED)
    window.sync_status.refresh()
    label = window.sync_status.update_label
    assert label.isVisible()
    assert "Fieldmark 99.0.1 is available" in label.text()
    # The link is the office's, escaped into the rich text, and opens in the system's browser.
    assert 'href="https://office.example/fieldmark?v=99&amp;os=win"' in label.text()
    assert label.openExternalLinks()
    assert label.textFormat() == Qt.TextFormat.RichText
    assert "never updates itself" in label.toolTip()
    assert "Printing fixed" in label.toolTip()

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    window.show_about()
    assert "Fieldmark 99.0.1 is available from the office: https://office.example/fieldmark?v=99&os=win" \
        in shown[0].text()


def test_no_notice_when_this_fieldmark_is_as_new(window, demo, monkeypatch):
    monkeypatch.setattr("app.sync.release.__version__", "99.0.1")
    remember(demo, OFFERED)
    window.sync_status.refresh()
    assert not window.sync_status.update_label.isVisible()
    assert "is available" not in window.about_text()


def test_the_notice_goes_when_the_office_withdraws_it(window, demo):
    remember(demo, OFFERED)
    window.sync_status.refresh()
    remember(demo, None)
    window.sync_status.refresh()
    assert not window.sync_status.update_label.isVisible()

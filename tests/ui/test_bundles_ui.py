"""File → Export bundle… and Import bundle…: the dialog lists the visits, an export writes the
bundle, and an import from an unknown device asks to trust its fingerprint before storing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from app import credentials
from app.profile import Profile
from app.sync import keys
from app.sync.bundle_export import fingerprint
from app.sync.bundle_import import trusted_devices
from tests.server.sync_support import MemoryKeyring, use_keyring
from tests.ui import shell_support
from ui.bundles.dialogs import BundleActions, ExportBundleDialog

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, title, text, *a, k=kind: shown.append((k, text)))
    return shown


def test_the_file_menu_has_both_entries(window):
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Export bundle…" in texts and "&Import bundle…" in texts


def test_the_export_dialog_lists_visits_and_needs_one_chosen(qtbot, demo, runner):
    dialog = ExportBundleDialog(demo, runner)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.visits.count() > 3 and not ok.isEnabled()
    dialog.visits.item(0).setCheckState(Qt.CheckState.Checked)
    assert ok.isEnabled() and len(dialog.chosen()) == 1 and dialog.recipient() == "office"
    dialog.for_team.setChecked(True)
    assert dialog.recipient() == "team"


def test_export_then_import_on_another_laptop_asks_to_trust_first(window, demo, demo_source, tmp_path, keychain,
                                                                   said, monkeypatch):
    key = keys.generate_device_key()
    credentials.save_device_key(demo.device_id, keys.private_key_bytes(key))
    work = BundleActions(window)
    visit = ExportBundleDialog(demo, window.runner)
    visit_id = visit.visits.item(0).data(Qt.ItemDataRole.UserRole + 1)
    out = tmp_path / "day.fmbundle"
    work.export_to(out, [visit_id], "team")
    assert out.is_file() and said[-1][0] == "information" and "day.fmbundle" in said[-1][1]

    other_root = tmp_path / "other"
    shutil.copytree(demo_source, other_root, ignore=shutil.ignore_patterns(".lock"))
    other = Profile.open(other_root)
    try:
        monkeypatch.setattr(window, "profile", other)
        asked: list[str] = []
        monkeypatch.setattr(work, "ask_trust", lambda device, print_: asked.append(print_) or False)
        work.import_from(out)
        assert asked == [fingerprint(keys.key_id(key))] and trusted_devices(other) == {}
        monkeypatch.setattr(work, "ask_trust", lambda device, print_: True)
        work.import_from(out)
        assert demo.device_id in trusted_devices(other)
        assert said[-1][0] == "information"
        work.import_from(out)
        assert "imported before" in said[-1][1]
    finally:
        other.close()

"""The desktop on a full disk: File → Back up now, Export bundle… and the print preview's Save as
PDF, each with its destination on a small tmpfs that is full. The person is told the disk is full
and is never told the file was made; nothing partial is left in the destination; once there is
room the same action goes through.

The tmpfs is mounted in this process (the desktop runs here), so these tests need root; the file
size cap the core's full-disk tests use elsewhere would be pytest's own (tests/resilience).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import credentials
from app.backups import backup_dir, list_backups
from app.sync import keys
from tests.app.report_factory import banded_visit
from tests.server.full_disk import FILLER, disk_modes, small_disk
from tests.server.sync_support import MemoryKeyring, use_keyring
from tests.ui import shell_support
from ui.bundles.dialogs import BundleActions, ExportBundleDialog
from ui.print_preview_dialog import show_print_preview
from ui.tasks import SyncTaskRunner

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window

pytestmark = pytest.mark.skipif(
    "tmpfs" not in disk_modes(),
    reason="a full destination under the desktop in this process needs a small tmpfs, and mounting one needs root")

DISK_SIZE = 2 * 1024 * 1024
# Never the word a success message uses: the warnings must not claim the file was made.
CLAIMS = ("backed up to", "Wrote ", "Saved to")


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _parent, title, text, *a, k=kind: shown.append((k, text)))
    return shown


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    yield from use_keyring(MemoryKeyring())  # type: ignore[misc]


def settle(window) -> None:
    window.runner.wait_idle()
    window.runner.deliver_pending()


def left_in(folder: Path) -> set[str]:
    """What is in the destination beside the filler that makes its disk full."""
    return {p.name for p in folder.iterdir()} - {FILLER}


def refused(said: list[tuple[str, str]], wording: str) -> str:
    kind, text = said[-1]
    assert kind == "warning" and wording in text, said
    assert not any(claim in text for claim in CLAIMS), text
    return text


def test_back_up_now_onto_a_full_disk_says_so_leaves_nothing_and_backs_up_once_there_is_room(
        window, demo_dir, said):
    settle(window)  # the day's automatic backup is made first, on the real disk
    with small_disk(backup_dir(demo_dir), DISK_SIZE, "tmpfs") as disk:
        disk.fill()
        window.backup_flows.back_up()
        settle(window)
        refused(said, "the disk is full; free some space")
        assert left_in(disk.path) == set() and list_backups(demo_dir) == []
        disk.free()
        window.backup_flows.back_up()
        settle(window)
        kind, text = said[-1]
        (made,) = list_backups(demo_dir)
        assert kind == "information" and str(made) in text
        assert made.read_bytes().startswith(b"SQLite format 3\0")


def test_a_bundle_exported_onto_a_full_disk_says_so_leaves_nothing_and_is_written_once_there_is_room(
        window, demo, tmp_path, keychain, said):
    credentials.save_device_key(demo.device_id, keys.private_key_bytes(keys.generate_device_key()))
    work = BundleActions(window)
    listed = ExportBundleDialog(demo, window.runner)
    visit_id = listed.visits.item(0).data(Qt.ItemDataRole.UserRole + 1)
    with small_disk(tmp_path / "stick", DISK_SIZE, "tmpfs") as disk:
        out = disk.path / "day.fmbundle"
        disk.fill()
        work.export_to(out, [visit_id], "team")
        settle(window)
        text = refused(said, "the disk is full")
        assert str(out) in text and "Nothing was left there" in text
        assert left_in(disk.path) == set()
        disk.free()
        work.export_to(out, [visit_id], "team")
        settle(window)
        kind, text = said[-1]
        assert kind == "information" and "day.fmbundle" in text
        assert left_in(disk.path) == {"day.fmbundle"} and out.stat().st_size > 0


@pytest.fixture
def preview_runner(qtbot) -> Iterator[SyncTaskRunner]:
    r = SyncTaskRunner()
    yield r
    r.shutdown()


def test_a_pdf_saved_from_the_print_preview_onto_a_full_disk_says_so_leaves_nothing_and_saves_once_there_is_room(
        qtbot, seeded, preview_runner, tmp_path, said):
    visit, _ = banded_visit(seeded, photos=1)
    dialog = show_print_preview(None, seeded.profile, preview_runner, visit)
    qtbot.addWidget(dialog)
    with small_disk(tmp_path / "stick", DISK_SIZE, "tmpfs") as disk:
        target = disk.path / "sheet.pdf"
        disk.fill()
        dialog.save_to(target)
        qtbot.waitUntil(lambda: bool(said), timeout=10_000)
        text = refused(said, "the disk is full")
        assert "could not be saved" in text and str(target) in text
        assert text.endswith("Nothing was written there. Free some space or choose another folder, and save again.")
        assert "Saved" not in dialog.status.text()
        assert left_in(disk.path) == set()
        disk.free()
        with qtbot.waitSignal(dialog.saved, timeout=10_000):
            dialog.save_to(target)
        assert left_in(disk.path) == {"sheet.pdf"} and target.read_bytes().startswith(b"%PDF-")
        assert dialog.status.text() == f"Saved to {target}"

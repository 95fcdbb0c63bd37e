"""Starting a visit through the dialog (ad hoc and from an assignment), and the settings dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox

from app.settings import get_setting
from app.visits import get_visit, visit_record
from tests.ui import shell_support
from tests.ui.shell_support import TODAY
from ui.dialogs.new_visit_dialog import NewVisitDialog
from ui.dialogs.settings_dialog import SettingsDialog

# The shared fixtures, made visible to pytest in this module.
demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window


def dialog_for(qtbot, demo, runner, assignment=None) -> NewVisitDialog:
    dialog = NewVisitDialog(demo, runner, today=TODAY, assignment=assignment)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def check_rubric(dialog: NewVisitDialog, name_zh: str) -> str:
    for row in range(dialog.rubrics.count()):
        item = dialog.rubrics.item(row)
        if item.text().startswith(name_zh):
            item.setCheckState(Qt.CheckState.Checked)
            return item.data(Qt.ItemDataRole.UserRole + 1)
    raise AssertionError(f"no rubric {name_zh}")


def ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_ad_hoc_visit_with_team_leader_division_and_two_rubrics(qtbot, demo, runner):
    dialog = dialog_for(qtbot, demo, runner)
    dialog.unit_search.setText("DJK03")
    dialog.run_search()
    names = [dialog.unit_results.item(i).text() for i in range(dialog.unit_results.count())]
    assert any("丹江口市第一中学" in n for n in names)
    dialog.unit_results.setCurrentRow(next(i for i, n in enumerate(names) if "丹江口市第一中学" in n))
    assert "丹江口市第一中学" in dialog.unit_label.text()

    dialog.visit_type.setCurrentIndex(dialog.visit_type.findData("unannounced"))
    dialog.ends_on.setDate(dialog.starts_on.date().addDays(1))
    assert dialog.team.count() == 2
    dialog.team.setCurrentIndex(1)
    assert len(dialog.chosen_members()) == 3
    assert dialog.leader.currentText().startswith("张建华")
    dialog.leader.setCurrentIndex(1)  # the second member leads this time

    monthly = check_rubric(dialog, "责任督学")
    habits = check_rubric(dialog, "学风督导")
    sections = dialog.division.rowCount()
    assert sections > 3
    combo = dialog.division.cellWidget(0, 1)
    assert isinstance(combo, QComboBox) and combo.count() == 4  # whole team + three members
    combo.setCurrentIndex(3)
    first_section = dialog.division.item(0, 0).data(Qt.ItemDataRole.UserRole + 1)

    ok(dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    visit = get_visit(demo, dialog.created_visit_id)
    assert visit.unit_name == "丹江口市第一中学"
    assert visit.visit_type == "unannounced"
    assert (visit.starts_on, visit.ends_on) == ("2026-11-24", "2026-11-25")
    assert visit.rubric_hashes == (monthly, habits)
    roles = {m.name: m.role for m in visit.members}
    assert roles == {"张建华": "member", "李秀梅": "leader", "王德明": "member"}
    record = visit_record(demo, visit.id)
    assert len(record["sections"]) == 1
    assert (record["sections"][0]["rubric_hash"], record["sections"][0]["section_code"]) == first_section
    assert visit.assignment_id is None


def test_division_keeps_choices_when_a_rubric_is_added(qtbot, demo, runner):
    dialog = dialog_for(qtbot, demo, runner)
    dialog.team.setCurrentIndex(1)
    check_rubric(dialog, "学风督导")
    dialog.division.cellWidget(1, 1).setCurrentIndex(2)
    chosen = dialog.division_choices()
    check_rubric(dialog, "责任督学")
    assert dialog.division_choices() == chosen


def test_missing_unit_or_rubric_is_said_and_nothing_is_created(qtbot, demo, runner):
    dialog = dialog_for(qtbot, demo, runner)
    ok(dialog)
    assert dialog.error_label.text() == "Choose the unit to visit."
    assert dialog.isVisible() and dialog.created_visit_id is None
    dialog.unit_search.setText("均州路中心小学")
    dialog.run_search()  # a single match is chosen at once
    ok(dialog)
    assert dialog.error_label.text() == "Choose at least one rubric."
    check_rubric(dialog, "学风督导")
    dialog.ends_on.setDate(dialog.starts_on.date().addDays(-2))
    ok(dialog)
    assert dialog.created_visit_id is None  # the core refused: the visit ends before it starts
    assert "before it starts" in dialog.error_label.text()
    assert dialog.buttons.isEnabled()


def test_start_from_an_assignment_through_today(qtbot, window, demo):
    today = window.today_page
    today.assignments.setCurrentItem(today.assignments.topLevelItem(6))
    assignment = today.assignments.currentItem().data(0, Qt.ItemDataRole.UserRole + 1)
    seen = {}

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        seen["unit"] = dialog.unit_label.text()
        seen["type"] = dialog.visit_type.currentData()
        seen["rubrics"] = dialog.chosen_rubrics()
        seen["team"] = dialog.team.currentData()
        seen["search enabled"] = dialog.unit_search.isEnabled()
        ok(dialog)

    QTimer.singleShot(0, drive)
    today.start_button.click()
    assert assignment.unit_name in seen["unit"]
    assert seen["type"] == "preliminary_review"
    assert seen["rubrics"] == list(assignment.rubric_hashes)
    assert seen["team"] == assignment.team_id
    assert seen["search enabled"] is False
    opened = window.checklist_page().opened[-1][0]
    visit = get_visit(demo, opened)
    assert visit.assignment_id == assignment.id and visit.unit_id == assignment.unit_id
    assert len(visit.members) == 3
    window.show_page(window.TODAY)
    assert today.assignments.topLevelItem(6).text(4) == "In progress"


def test_new_visit_from_the_keyboard(qtbot, window, demo):
    """Ctrl+N, type a code, Enter, tick a rubric with the space bar, Enter to start."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    done = {}

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewVisitDialog)
        qtbot.keyClicks(dialog.unit_search, "DJK043")
        qtbot.keyClick(dialog.unit_search, Qt.Key.Key_Return)
        dialog.rubrics.setFocus()
        dialog.rubrics.setCurrentRow(0)
        qtbot.keyClick(dialog.rubrics, Qt.Key.Key_Space)
        done["rubrics"] = dialog.chosen_rubrics()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).setFocus()
        qtbot.keyClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.Key.Key_Return)

    QTimer.singleShot(0, drive)
    combo = window.new_visit_action.shortcut()[0]
    qtbot.keyClick(QApplication.focusWidget() or window, combo.key(), combo.keyboardModifiers())
    assert len(done["rubrics"]) == 1
    visit = get_visit(demo, window.checklist_page().opened[-1][0])
    assert visit.unit_code == "DJK043"


# --- settings ------------------------------------------------------------------------------------


def test_settings_are_loaded_and_saved(qtbot, demo, runner):
    dialog = SettingsDialog(demo, runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.deadline_days.value() == 30
    assert dialog.language.currentData() == "system"
    assert "restart" in dialog.language_note.text()
    assert dialog.inspector_name.text() == "张建华"  # the demo laptop is the team leader's
    dialog.inspector_name.setText("  张建国 ")
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.deadline_days.setValue(15)
    assert dialog.finalize_with_gaps.currentData() == "confirm"
    dialog.finalize_with_gaps.setCurrentIndex(dialog.finalize_with_gaps.findData("forbid"))
    dialog.server_url.setText("https://dudao.example.cn")
    saved = []
    dialog.saved.connect(saved.append)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert get_setting(demo, "inspector_name") == "张建国"
    assert get_setting(demo, "language") == "zh_CN"
    assert get_setting(demo, "deadline_days") == 15
    assert get_setting(demo, "server_url") == "https://dudao.example.cn"
    assert set(saved[0]) == {"inspector_name", "language", "deadline_days", "server_url", "finalize_with_gaps"}
    assert get_setting(demo, "finalize_with_gaps") == "forbid"

    again = SettingsDialog(demo, runner)
    qtbot.addWidget(again)
    assert again.inspector_name.text() == "张建国" and again.deadline_days.value() == 15
    assert str(demo.root) in [w.text() for w in again.findChildren(type(again.inspector_name))]


def test_settings_from_the_menu(qtbot, window):
    seen = {}

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        seen["dialog"] = type(dialog).__name__
        dialog.reject()

    QTimer.singleShot(0, drive)
    window.settings_action.trigger()
    assert seen["dialog"] == "SettingsDialog"


def test_printing_and_photo_settings(qtbot, demo, runner, tmp_path):
    from app.evidence import get_evidence_settings

    logo = tmp_path / "logo.png"
    logo.write_bytes(_png_bytes())
    dialog = SettingsDialog(demo, runner)
    qtbot.addWidget(dialog)
    assert dialog.paper_size.currentData() == "a4" and not dialog.reduce_photos.isChecked()
    dialog.paper_size.setCurrentIndex(dialog.paper_size.findData("letter"))
    dialog.office_logo.setText(str(logo))
    dialog.reduce_photos.setChecked(True)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert get_setting(demo, "paper_size") == "letter"
    assert get_setting(demo, "office_logo") == str(logo)
    assert get_evidence_settings(demo).reduce_photos


def test_a_missing_logo_file_is_refused_in_the_dialog(qtbot, demo, runner, tmp_path):
    dialog = SettingsDialog(demo, runner)
    qtbot.addWidget(dialog)
    dialog.office_logo.setText(str(tmp_path / "nope.png"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "not a file" in dialog.error_label.text()
    assert get_setting(demo, "office_logo") == ""


def _png_bytes() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (60, 30), "navy").save(buf, "PNG")
    return buf.getvalue()

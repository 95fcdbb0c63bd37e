"""Readable for a 55-year-old on a touchpad: whole item names, big enough targets, larger text."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QToolButton

from app.settings import get_setting
from tests.ui import shell_support
from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist.text import label_text
from ui.dialogs.settings_dialog import SettingsDialog
from ui.widgets.text_size import apply_text_size

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner = shell_support.runner


@pytest.fixture
def normal_text_size(qapp):
    yield
    apply_text_size(100)


def test_a_long_item_name_wraps_onto_a_second_line_and_shows_whole_in_its_tooltip(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    QApplication.processEvents()
    tree, model = page.tree, page.model
    line = tree.fontMetrics().lineSpacing()
    long_item = model.index_of(c.school, "A1.1")
    text = label_text(page.data.rubrics[c.school].items["A1.1"].text)
    assert tree.fontMetrics().horizontalAdvance(text) > tree.header().sectionSize(0)
    assert tree.visualRect(long_item).height() >= 2 * line
    assert model.data(long_item, 3) == f"A1.1  {text}"  # 3: the tooltip role
    # A name that fits stays on one line (here once the tree is made wider with its splitter).
    page.splitter.setSizes([1000, 300, 66])
    QApplication.processEvents()
    width = tree.header().sectionSize(0)
    short = next(key for key in model.order if tree.fontMetrics().horizontalAdvance(
        model.data(model.index_of(*key))) < width - 60)
    assert tree.visualRect(model.index_of(*short)).height() < 2 * line


def test_quick_scores_and_method_chips_are_at_least_32_pixels_high(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, "A1.1")
    QApplication.processEvents()
    quick = page.pane.editor.findChildren(QToolButton)
    assert quick and all(b.height() >= 32 for b in quick)
    assert all(chip.height() >= 32 for chip in page.pane.chips.values())


def test_the_text_size_setting_enlarges_every_text_at_once(qtbot, demo, runner, seeded, normal_text_size):
    base = QApplication.font().pointSizeF()
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    dialog = SettingsDialog(demo, runner)
    qtbot.addWidget(dialog)
    assert (dialog.text_size.minimum(), dialog.text_size.maximum(), dialog.text_size.value()) == (100, 150, 100)
    dialog.text_size.setValue(150)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert get_setting(demo, "text_size") == 150
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.5)
    QApplication.processEvents()  # windows hear of the new font from the event loop
    assert "font-size: 33pt" in page.styleSheet()  # the score total, 22pt at 100%
    assert page.pane.font().pointSizeF() == pytest.approx(base * 1.5)


def test_a_widened_tree_stays_wide_next_time(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.splitter.setSizes([600, 500, 266])
    QApplication.processEvents()
    wide = page.splitter.sizes()
    assert wide[0] > 500
    page.close()
    again = open_page(qtbot, c, c.school_visit)
    QApplication.processEvents()
    assert again.splitter.sizes() == wide

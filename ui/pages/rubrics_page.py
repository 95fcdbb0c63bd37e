"""Rubrics: the stored template versions, and a preview of one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from app.labels import ITEM_KIND_LABELS, label_of
from app.models import RubricRef
from app.profile import Profile
from app.rubric import Item, Rubric, Section, score
from app.rubric_store import get_rubric, list_rubrics
from ui.pages.base import WorkspacePage
from ui.tasks import TaskRunner
from ui.widgets.i18n import both_of, format_number, text_of
from ui.widgets.layout import master_detail
from ui.widgets.lists import RECORD_ROLE, add_row, current_record, flat_tree
from ui.widgets.rubric_preview import RubricPreviewWidget

if TYPE_CHECKING:
    from app.reports import Built


@dataclass(frozen=True)
class RubricPreview:
    rubric: Rubric
    # Section code -> its maximum; the rubric's base maximum under "".
    maxima: dict[str, Decimal]


def load_preview(profile: Profile, rubric_hash: str) -> RubricPreview:
    rubric = get_rubric(profile, rubric_hash)
    # Scoring no answers gives every section's maximum, caps and all, from the one engine.
    empty = score(rubric, {})
    maxima = {code: s.maximum for code, s in empty.sections.items()}
    maxima[""] = empty.nominal_maximum
    return RubricPreview(rubric, maxima)


def write_form(profile: Profile, call_db, rubric_hash: str, out: Path, lang: str) -> Built:  # noqa: ANN001
    """The rubric's self-assessment form written to ``out``: the rubric and the office's settings
    read on the database thread, the pages laid out and written here (a file worker)."""
    from app.reports.output import check_output
    from app.reports.self_assessment import write_self_assessment
    from app.settings import get_setting

    check_output(out)  # a folder that cannot take the file is refused before any work

    def read() -> tuple[Rubric, str, str]:
        return (get_rubric(profile, rubric_hash), str(get_setting(profile, "office_name") or "").strip(),
                str(get_setting(profile, "paper_size") or "a4"))

    rubric, office, paper = call_db(read)
    return write_self_assessment(rubric, out, lang=lang, paper=paper, office=office)


class RubricsPage(WorkspacePage):
    # The self-assessment form was written (its path); tests and the window may wait for it.
    formWritten = Signal(str)
    formFailed = Signal(str)

    def __init__(self, profile: Profile, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(profile, runner, parent)
        self.preview_data: RubricPreview | None = None
        self.list = flat_tree([self.tr("Rubric"), self.tr("Version")], self)
        self.list.setAccessibleName(self.tr("Stored rubrics"))
        self.list.currentItemChanged.connect(lambda *_: self._load_current())
        # The form a unit fills in by hand before an inspection (自评表), in either language.
        self.form_button = QPushButton(self.tr("&Print self-assessment form…"), self)
        self.form_button.setToolTip(self.tr("Save the selected rubric as a PDF form that a unit fills in by hand "
                                            "to assess itself"))
        menu = QMenu(self.form_button)
        menu.addAction(self.tr("In Chinese…"), lambda: self.choose_form_path("zh"))
        menu.addAction(self.tr("In English…"), lambda: self.choose_form_path("en"))
        self.form_button.setMenu(menu)
        self.form_button.setEnabled(False)
        self.form_status = QLabel(self)
        self.form_status.setWordWrap(True)
        self.form_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outline = QTreeWidget(self)
        self.outline.setHeaderLabels([self.tr("Section / item"), self.tr("Kind"), self.tr("Max")])
        self.outline.setAccessibleName(self.tr("Sections and items"))
        self.outline.setUniformRowHeights(True)
        self.outline.setAlternatingRowColors(True)
        self.outline.header().setStretchLastSection(False)
        self.outline.header().setSectionResizeMode(0, self.outline.header().ResizeMode.Stretch)
        for column in (1, 2):
            self.outline.header().setSectionResizeMode(column, self.outline.header().ResizeMode.ResizeToContents)
        self.outline.currentItemChanged.connect(lambda *_: self._show_node())
        self.details = RubricPreviewWidget(self)
        self.count = QLabel(self)

        right = QSplitter(Qt.Orientation.Horizontal, self)
        right.addWidget(self.outline)
        right.addWidget(self.details)
        right.setSizes([520, 380])
        master_detail(self, [self.list, self.count, self.form_button, self.form_status], right, sizes=(300, 900))

    def refresh(self) -> None:
        self.runner.run(lambda: list_rubrics(self.profile), on_done=self._fill, on_error=self.failed.emit,
                        label="rubrics")

    def _fill(self, refs: list[RubricRef]) -> None:
        self.list.clear()
        for ref in refs:
            add_row(self.list, [ref.name_zh, ref.version], ref,
                    tooltip=f"{ref.name_zh}\n{ref.name_en}\n{ref.rubric_id} · {ref.hash[:12]}")
        self.count.setText(self.tr("%n rubric version(s)", "", len(refs)))
        if refs:
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self.loaded.emit()

    def _load_current(self) -> None:
        ref = current_record(self.list)
        self.form_button.setEnabled(isinstance(ref, RubricRef))
        if isinstance(ref, RubricRef):
            self.runner.run(lambda: load_preview(self.profile, ref.hash), on_done=self.show_preview,
                            on_error=self.failed.emit, label="rubric")

    def show_preview(self, preview: RubricPreview) -> None:
        self.preview_data = preview
        self.outline.clear()
        root = QTreeWidgetItem(self.outline, [both_of(preview.rubric.name), "", format_number(preview.maxima[""])])
        root.setData(0, RECORD_ROLE, preview.rubric)
        for section in preview.rubric.sections:
            self._add_section(root, section, preview.maxima)
        if preview.rubric.bonus_items:
            bonus = QTreeWidgetItem(root, [self.tr("Bonus"), "", ""])
            for item in preview.rubric.bonus_items:
                self._add_item(bonus, item)
        root.setExpanded(True)
        self.outline.setCurrentItem(root)

    def _add_section(self, parent: QTreeWidgetItem, section: Section, maxima: dict[str, Decimal]) -> None:
        node = QTreeWidgetItem(parent, [f"{section.code}  {both_of(section.name)}", "",
                                        format_number(maxima.get(section.code, ""))])
        node.setData(0, RECORD_ROLE, section)
        font = node.font(0)
        font.setBold(True)
        node.setFont(0, font)
        for item in section.items:
            self._add_item(node, item)
        for child in section.sections:
            self._add_section(node, child, maxima)

    def _add_item(self, parent: QTreeWidgetItem, item: Item) -> None:
        node = QTreeWidgetItem(parent, [f"{item.code}  {both_of(item.text)}",
                                        text_of(label_of(ITEM_KIND_LABELS, item.kind)), format_number(item.maximum)])
        node.setData(0, RECORD_ROLE, item)
        node.setToolTip(0, both_of(item.guidance) or both_of(item.text))

    def _show_node(self) -> None:
        node = self.outline.currentItem()
        record = None if node is None else node.data(0, RECORD_ROLE)
        if isinstance(record, Item):
            self.details.show_item(record)
        elif isinstance(record, Section) and self.preview_data is not None:
            self.details.show_section(record, self.preview_data.maxima.get(record.code))
        elif self.preview_data is not None:
            self.details.show_rubric(self.preview_data.rubric, self.preview_data.maxima[""])

    def focus_search(self) -> None:
        self.list.setFocus()

    # -- the self-assessment form -----------------------------------------------------------

    def choose_form_path(self, lang: str) -> None:
        ref = current_record(self.list)
        if not isinstance(ref, RubricRef):
            return
        # The file name suggested: the rubric and version, then what the file is ("自评表").
        what = self.tr("self-assessment")
        suggested = str(Path.home() / f"{ref.rubric_id}-{ref.version}-{what}-{lang}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Print self-assessment form"), suggested,
                                              self.tr("PDF files (*.pdf)"))
        if path:
            self.print_form(Path(path if path.lower().endswith(".pdf") else path + ".pdf"), lang)

    def print_form(self, out: Path, lang: str) -> None:
        """Write the selected rubric's self-assessment form to ``out`` on a file worker."""
        ref = current_record(self.list)
        if not isinstance(ref, RubricRef):
            return
        profile, call_db = self.profile, self.runner.call_db
        self.form_status.setText(self.tr("Writing the self-assessment form…"))
        self.runner.run(lambda: (write_form(profile, call_db, ref.hash, out, lang), out), io=True,
                        on_done=self._form_written, on_error=self._form_failed,
                        label=self.tr("Writing the self-assessment form"))

    def _form_written(self, result: tuple[Built, Path]) -> None:
        built, out = result
        self.form_status.setText(self.tr("Self-assessment form written to {path} (%n page(s)).", "",
                                         built.pages).format(path=out))
        self.formWritten.emit(str(out))

    def _form_failed(self, exc: BaseException) -> None:
        message = self.tr("The self-assessment form could not be written: {error}").format(error=exc)
        self.form_status.setText(message)
        self.formFailed.emit(str(exc))
        QMessageBox.warning(self, self.tr("Print self-assessment form"), message)

"""The photo UI: strip (captions, reorder, paste, folder import, undo delete), the viewer (zoom,
navigation, caption, annotations, delete and restore), drops on a finding, and imports that keep
the UI responsive and can be cancelled."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMimeData,
    QObject,
    QPoint,
    QPointF,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import QDropEvent, QGuiApplication, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.evidence import (
    Arrow,
    Rect,
    Text,
    get_annotations,
    get_photo,
    import_folder,
    importer,
    list_deleted_photos,
    list_photos,
    set_caption,
    verify_media,
)
from app.findings import add_finding
from app.visits import answer_item, list_responses
from tests.app import photo_factory as pf
from tests.ui.checklist_support import make_checklist, open_page
from ui.checklist import ChecklistPage
from ui.evidence.import_dialog import ImportJob
from ui.evidence.viewer import PhotoViewerDialog
from ui.tasks import SyncTaskRunner, TaskRunner

ITEM = "A2.4"  # pass/fail with a required photo


@pytest.fixture
def shots(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "shots"
    folder.mkdir()
    return [pf.write(folder, f"IMG_{k + 1:04d}.jpg", pf.jpeg((320, 240), seed=k + 1)) for k in range(3)]


@pytest.fixture
def page(qtbot, seeded):
    c = make_checklist(seeded)
    page = open_page(qtbot, c, c.school_visit)
    page.go_to(c.school, ITEM)
    page.checklist = c
    return page


def ids_of(page) -> list[str]:
    return page.pane.photos.list.ids()


def stored_ids(page) -> list[str]:
    c = page.checklist
    return [p.id for p in list_photos(c.profile, c.school_visit, item_code=ITEM)]


def attach(qtbot, page, paths: list[Path]) -> None:
    before = page.pane.photos.list.count()
    page.attach_files([str(p) for p in paths])
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == before + len(paths), timeout=5000)


# --- the strip -----------------------------------------------------------------------------------

def test_strip_shows_captions_and_reorders_by_keyboard_and_drag(qtbot, page, shots):
    attach(qtbot, page, shots)
    strip = page.pane.photos
    first, second, third = stored_ids(page)
    set_caption(page.profile, second, "灭火器过期")
    page.load_photos()
    assert [strip.list.item(k).text() for k in range(3)] == ["IMG_0001.jpg", "灭火器过期", "IMG_0003.jpg"]

    strip.list.setCurrentRow(0)
    QTest.keyClick(strip.list, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert stored_ids(page) == [second, first, third]
    assert ids_of(page) == [second, first, third]
    assert strip.list.currentItem().data(Qt.ItemDataRole.UserRole) == first  # the moved photo stays current

    # Drag the last thumbnail onto the first one: it goes before it.
    mime = strip.list.mimeData([strip.list.item(2)])
    target = strip.list.visualItemRect(strip.list.item(0)).center()
    strip.list.dropEvent(QDropEvent(QPointF(target), Qt.DropAction.MoveAction, mime,
                                    Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert stored_ids(page) == [third, second, first]


def test_delete_then_undo_from_the_strip(qtbot, page, shots):
    attach(qtbot, page, shots[:2])
    strip = page.pane.photos
    gone = ids_of(page)[0]
    strip.list.setCurrentRow(0)
    QTest.keyClick(strip.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: strip.list.count() == 1)
    assert strip.undo.isVisibleTo(strip)
    assert [a.text() for a in strip.deleted_menu.actions()] == ["IMG_0001.jpg"]

    QTest.keyClick(strip.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: strip.list.count() == 2)
    assert gone in ids_of(page)
    assert not strip.undo.isVisibleTo(strip)
    assert list_deleted_photos(page.profile, page.checklist.school_visit) == []


def test_paste_imports_the_clipboard_image_as_png(qtbot, page):
    image = QImage(200, 120, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGreen)
    QGuiApplication.clipboard().setImage(image)
    QTest.keyClick(page.pane.photos.list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 1, timeout=5000)
    photo = list_photos(page.profile, page.checklist.school_visit, item_code=ITEM)[0]
    assert (photo.media_type, photo.original_name, photo.width, photo.height) == ("image/png", "Pasted photo.png", 200, 120)


def test_folder_import_lists_each_failed_file_and_skips_known_photos(qtbot, page, tmp_path, shots):
    card = tmp_path / "card" / "DCIM"
    card.mkdir(parents=True)
    for k in range(2):
        pf.write(card, f"NEW_{k}.JPG", pf.jpeg(seed=50 + k))
    pf.write(card, "OLD.JPG", shots[0].read_bytes())
    pf.write(card, "empty.jpg", b"")
    pf.write(card, "notes.jpg", b"just some text, not a photo")
    pf.write(card, "cut.jpg", pf.jpeg((320, 240), seed=9)[:400])
    attach(qtbot, page, shots[:1])

    flows = page.photo_flows
    flows.import_folder(str(card))
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 3, timeout=5000)
    dialog = flows.last_job.dialog
    assert dialog.isVisible()  # something to read: failures and a duplicate
    counts = dialog.counts.text()
    assert "2 photo(s) imported" in counts and "1 photo(s) already in this visit" in counts
    failures = [dialog.failures.item(k).text() for k in range(dialog.failures.count())]
    assert len(failures) == 3
    assert {Path(f.split(":")[0]).name for f in failures} == {"empty.jpg", "notes.jpg", "cut.jpg"}
    assert all(f.split(": ", 1)[1] for f in failures)  # each has its reason
    dialog.buttons.rejected.emit()  # Close
    assert not dialog.isVisible()

    flows.import_folder(str(card))  # the same card again: nothing new
    assert page.pane.photos.list.count() == 3
    assert "3 photo(s) already in this visit" in flows.last_job.dialog.counts.text()


def test_a_clean_import_closes_its_dialog_by_itself(qtbot, page, shots):
    attach(qtbot, page, shots)
    assert not page.photo_flows.last_job.dialog.isVisible()
    assert page.pane.photos.status.text() == "3 photo(s) attached"


# --- findings -------------------------------------------------------------------------------------

def test_photos_dropped_on_a_finding_attach_to_it(qtbot, page, shots):
    c = page.checklist
    finding = add_finding(c.profile, c.school_visit, description="灭火器压力不足").id
    page.reload_side()
    qtbot.waitUntil(lambda: page.findings.findings.count() == 1)
    panel = page.findings.findings
    at = QPointF(panel.visualItemRect(panel.item(0)).center())

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(shots[0]))])
    panel.dropEvent(QDropEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                               Qt.KeyboardModifier.NoModifier))
    assert [p.original_name for p in list_photos(c.profile, c.school_visit, finding_id=finding)] == ["IMG_0001.jpg"]

    # A thumbnail dragged from the strip is linked, not imported again, and stays on its item.
    attach(qtbot, page, shots[1:2])
    strip = page.pane.photos.list
    dragged = strip.mimeData([strip.item(0)])  # kept: the event only points at it
    panel.dropEvent(QDropEvent(at, Qt.DropAction.CopyAction, dragged,
                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    linked = list_photos(c.profile, c.school_visit, finding_id=finding)
    assert sorted(p.original_name for p in linked) == ["IMG_0001.jpg", "IMG_0002.jpg"]
    assert all(p.item_code == ITEM for p in linked if p.original_name == "IMG_0002.jpg")


# --- the viewer ------------------------------------------------------------------------------------

def open_viewer(qtbot, page) -> PhotoViewerDialog:
    page.pane.photos.list.setCurrentRow(0)
    QTest.keyClick(page.pane.photos.list, Qt.Key.Key_Return)
    viewer = page.photo_flows.viewer
    assert viewer is not None and viewer.isVisible()
    viewer.activateWindow()  # offscreen has no window manager to do it; shortcuts need it
    qtbot.waitUntil(lambda: QApplication.activeWindow() is viewer)
    qtbot.waitUntil(lambda: not viewer.canvas.image.isNull(), timeout=5000)
    return viewer


def drag(widget: QWidget, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for k in range(1, 6):
        QTest.mouseMove(widget, start + (end - start) * k / 5)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_viewer_zooms_and_moves_between_photos(qtbot, page, shots):
    attach(qtbot, page, shots)
    viewer = open_viewer(qtbot, page)
    canvas = viewer.canvas
    fit = canvas.scale
    assert fit == pytest.approx(canvas.fit_scale())
    QTest.keyClick(viewer, Qt.Key.Key_Plus)
    assert canvas.scale == pytest.approx(fit * 1.25)
    QTest.keyClick(viewer, Qt.Key.Key_1)
    assert canvas.scale == 1.0
    QTest.keyClick(viewer, Qt.Key.Key_0)
    assert canvas.scale == pytest.approx(fit)

    # The wheel zooms around the mouse: the photo point under it stays put (once the photo is
    # larger than the canvas both ways, so no edge is held against the canvas's border).
    QTest.keyClick(viewer, Qt.Key.Key_Plus)
    QTest.keyClick(viewer, Qt.Key.Key_Plus)
    at = QPointF(canvas.width() / 3, canvas.height() / 3)
    before = canvas.to_fraction(at)
    wheel = QWheelEvent(at, canvas.mapToGlobal(at), QPoint(), QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(canvas, wheel)
    assert canvas.scale == pytest.approx(fit * 1.25 ** 4)
    assert canvas.to_fraction(at) == pytest.approx(before, abs=1e-6)
    offset = QPointF(canvas.offset)
    QTest.keyClick(canvas, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)  # pan
    assert canvas.offset.x() > offset.x()
    assert viewer.where.text().startswith("1 of 3")
    QTest.keyClick(viewer, Qt.Key.Key_Right)
    assert viewer.where.text().startswith("2 of 3 · IMG_0002.jpg")
    QTest.keyClick(viewer, Qt.Key.Key_PageUp)
    assert viewer.where.text().startswith("1 of 3")
    assert not viewer.acts["prev"].isEnabled()


def test_viewer_shows_photos_upright(qtbot, page, tmp_path):
    attach(qtbot, page, [pf.write(tmp_path, "side.jpg", pf.jpeg((120, 60), orientation=6))])
    viewer = open_viewer(qtbot, page)
    image = viewer.canvas.image
    assert (image.width(), image.height()) == (120, 60)
    assert image.pixelColor(5, 5).red() > 150  # the red quadrant is at the top left


def test_viewer_shows_heic_through_its_cached_jpeg(qtbot, page, tmp_path):
    attach(qtbot, page, [pf.write(tmp_path, "phone.heic", pf.heic((96, 48)))])
    viewer = open_viewer(qtbot, page)
    assert (viewer.canvas.image.width(), viewer.canvas.image.height()) == (96, 48)


def test_caption_is_saved_while_typing(qtbot, page, shots):
    attach(qtbot, page, shots[:1])
    viewer = open_viewer(qtbot, page)
    QTest.keyClick(viewer, Qt.Key.Key_F2)
    QTest.keyClicks(viewer.caption, "Extinguisher 3 expired")
    pid = viewer.current.id
    qtbot.waitUntil(lambda: get_photo(page.profile, pid).caption == "Extinguisher 3 expired", timeout=3000)
    assert viewer.canvas.tool == "pan"  # typing letters did not switch tools
    qtbot.waitUntil(lambda: page.pane.photos.list.item(0).text() == "Extinguisher 3 expired")


def test_annotations_are_drawn_saved_undone_and_cleared(qtbot, page, shots):
    attach(qtbot, page, shots[:1])
    viewer = open_viewer(qtbot, page)
    canvas, pid = viewer.canvas, viewer.current.id
    canvas.setFocus()
    QTest.keyClick(viewer, Qt.Key.Key_A)
    assert canvas.tool == "arrow"
    a, b = canvas.to_screen((0.2, 0.2)).toPoint(), canvas.to_screen((0.6, 0.5)).toPoint()
    drag(canvas, a, b)
    QTest.keyClick(viewer, Qt.Key.Key_R)
    QTest.keyClick(viewer, Qt.Key.Key_C)  # the next colour
    drag(canvas, b, canvas.to_screen((0.9, 0.9)).toPoint())
    QTest.keyClick(viewer, Qt.Key.Key_T)
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    canvas.text_edit.insert("漏水")  # QTest cannot type CJK characters
    QTest.keyClick(canvas.text_edit, Qt.Key.Key_Return)

    shapes = get_annotations(page.profile, pid).shapes
    assert [type(s) for s in shapes] == [Arrow, Rect, Text]
    assert shapes[0].start == pytest.approx((0.2, 0.2), abs=0.02)
    assert shapes[1].color == "#fdd835" and shapes[2].text == "漏水"
    assert get_photo(page.profile, pid).has_annotations

    QTest.keyClick(viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [type(s) for s in get_annotations(page.profile, pid).shapes] == [Arrow, Rect]
    QTest.keyClick(viewer, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert get_annotations(page.profile, pid).is_empty
    QTest.keyClick(viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # clear is undone too
    assert len(get_annotations(page.profile, pid).shapes) == 2
    assert pf.jpeg((320, 240), seed=1) == shots[0].read_bytes()  # the original file is untouched


def test_viewer_deletes_and_restores_at_once(qtbot, page, shots):
    attach(qtbot, page, shots[:2])
    viewer = open_viewer(qtbot, page)
    first = viewer.current.id
    QTest.keyClick(viewer, Qt.Key.Key_Delete)
    assert viewer.banner.isVisibleTo(viewer)
    assert first not in stored_ids(page)
    assert viewer.where.text().startswith("1 of 1 · IMG_0002.jpg")
    qtbot.waitUntil(lambda: page.pane.photos.list.count() == 1)
    QTest.keyClick(viewer, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not viewer.banner.isVisibleTo(viewer)
    assert viewer.current.id == first and first in stored_ids(page)


def test_read_only_viewer_offers_no_edits(qtbot, page, shots):
    attach(qtbot, page, shots[:1])
    photos = list_photos(page.profile, page.checklist.school_visit)
    viewer = PhotoViewerDialog(page.profile, SyncTaskRunner(), photos, read_only=True)
    qtbot.addWidget(viewer)
    assert not viewer.acts["arrow"].isEnabled() and not viewer.acts["delete"].isEnabled()
    assert viewer.acts["zoom_in"].isEnabled() and viewer.caption.isReadOnly()
    assert not viewer.sheet.isEnabled()  # which photos the sheet prints is fixed too


# --- background import ----------------------------------------------------------------------------

@pytest.fixture
def card_of_200(tmp_path: Path) -> Path:
    folder = tmp_path / "DCIM"
    folder.mkdir()
    for k in range(200):
        pf.write(folder, f"IMG_{k:04d}.JPG", pf.jpeg((160, 120), seed=k))
    return folder


@pytest.fixture
def host(qtbot) -> QWidget:
    """The import dialog's parent, kept by the test (qtbot holds widgets only weakly)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def run_job(qtbot, seeded, card: Path, runner: TaskRunner, host: QWidget, *, cancel_after: int | None = None):
    c = make_checklist(seeded)
    outcome: list = []
    job = ImportJob(runner, lambda report, token, db: import_folder(
        c.profile, card, visit_id=c.school_visit, progress=report, cancel=token, db=db),
        title="Import", parent=host, on_done=outcome.append, on_error=outcome.append)
    if cancel_after is not None:
        qtbot.waitUntil(lambda: job.dialog.bar.value() >= cancel_after, timeout=30000)
        job.dialog.buttons.rejected.emit()  # the dialog's Cancel
    return c, job, outcome


def test_the_ui_keeps_working_while_200_photos_import(qtbot, seeded, card_of_200, host):
    # How long the event loop may stall is a figure, measured in bench/ui_import_stall.py.
    runner = TaskRunner()
    ticks: list[float] = []
    modal: list[QWidget] = []

    def tick() -> None:
        if job is not None and not job.finished:
            ticks.append(time.monotonic())
        if QApplication.activeModalWidget() is not None:
            modal.append(QApplication.activeModalWidget())
    job = None
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    try:
        c, job, outcome = run_job(qtbot, seeded, card_of_200, runner, host)
        qtbot.waitUntil(lambda: job.finished, timeout=60000)
    finally:
        timer.stop()
        runner.shutdown()
    summary = outcome[0]
    assert len(summary.imported) == 200 and not summary.failed
    assert modal == [], "a modal dialog blocked the checklist during the import"
    assert ticks, "the UI thread handled no event while the photos were imported"
    assert len(list_photos(c.profile, c.school_visit)) == 200


def test_a_finished_import_releases_nothing_its_dialog_still_needs(qtbot, seeded, tmp_path):
    """Regression: the job lived on in a lambda on its dialog's timer, and the dialog's deletion
    then freed the job, the callbacks and the parent they held: that parent was deleted a second
    time, from inside the dialog's destructor (the segfault in pytest-qt's event processing)."""
    card = tmp_path / "DCIM"
    card.mkdir()
    pf.write(card, "IMG_0001.JPG", pf.jpeg((160, 120), seed=1))
    c = make_checklist(seeded)
    runner = TaskRunner()
    outcome: list = []
    watch = QObject()

    def start() -> None:
        parent = QWidget()  # owned by Python, and kept only by the callbacks below
        parent.destroyed.connect(lambda: watch.setObjectName("parent destroyed"))
        ImportJob(runner, lambda report, token, db: import_folder(
            c.profile, card, visit_id=c.school_visit, progress=report, cancel=token, db=db),
            title="Import", parent=parent, on_done=lambda s: outcome.append((parent, s)),
            on_error=lambda e: outcome.append((parent, e)))
    # The wait ends on the event that delivers the summary: the clean import's dialog is then
    # still waiting for its deleteLater when the caller lets go of everything.
    with qtbot.waitSignal(runner.finished, timeout=10000):
        start()
    runner.shutdown()
    assert len(outcome) == 1
    outcome.clear()  # the last reference the test held
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert watch.objectName() == "parent destroyed"
    assert len(list_photos(c.profile, c.school_visit)) == 1


def test_an_answer_submitted_during_an_import_is_saved_before_it_ends(qtbot, seeded, card_of_200, host):
    c = make_checklist(seeded)
    runner = TaskRunner()
    first_photo, saved, order = threading.Event(), threading.Event(), []

    def report_and_hold(report, p) -> None:
        report(p)
        if p.done == 1:
            first_photo.set()
            # The rest of the import waits (at most 10 s) for the answer; before the fix the
            # answer waited for the whole import, so it could never be saved in between.
            order.append("saved during the import" if saved.wait(10) else "not saved in time")

    def work(report, token, db):
        return import_folder(c.profile, card_of_200, visit_id=c.school_visit, item_code=ITEM,
                             progress=lambda p: report_and_hold(report, p), cancel=token, db=db)

    try:
        job = ImportJob(runner, work, title="Import", parent=host, on_done=order.append, on_error=order.append)
        assert first_photo.wait(30)
        runner.run(lambda: answer_item(c.profile, c.school_visit, rubric_hash=c.school, item_code=ITEM,
                                       value=True), on_done=lambda _: saved.set(), on_error=order.append)
        qtbot.waitUntil(lambda: job.finished, timeout=60000)
    finally:
        runner.shutdown()
    assert order[0] == "saved during the import"
    assert len(order[1].imported) == 200
    [response] = [r for r in list_responses(c.profile, c.school_visit) if r.item_code == ITEM]
    assert response.value is True


def test_a_photo_that_fails_mid_import_is_listed_and_leaves_no_row_or_stray_file(
        qtbot, seeded, host, tmp_path, monkeypatch):
    card = tmp_path / "DCIM"
    card.mkdir()
    photos = [pf.write(card, f"IMG_{k:04d}.JPG", pf.jpeg((160, 120), seed=70 + k)) for k in range(6)]
    real_insert, calls = importer.rows.insert, []

    def insert(db, table, row, meta):
        calls.append(row.get("original_name"))
        if row.get("original_name") == "IMG_0003.JPG":  # the fourth photo: the disk gives up
            raise sqlite3.OperationalError("disk I/O error")
        return real_insert(db, table, row, meta)
    monkeypatch.setattr(importer.rows, "insert", insert)
    runner = TaskRunner()
    try:
        c, job, outcome = run_job(qtbot, seeded, card, runner, host)
        qtbot.waitUntil(lambda: job.finished, timeout=30000)
    finally:
        runner.shutdown()
    summary = outcome[0]
    assert [r.status for r in summary.results] == ["imported"] * 3 + ["failed"] + ["imported"] * 2
    # What the user sees: the dialog stays, with the count and the file and its reason.
    dialog = job.dialog
    assert dialog.isVisible() and dialog.heading.text() == "Import finished"
    assert "5 photo(s) imported" in dialog.counts.text()
    assert "1 file(s) could not be imported" in dialog.counts.text()
    [line] = [dialog.failures.item(k).text() for k in range(dialog.failures.count())]
    assert line.startswith(str(photos[3])) and "could not record the photo" in line
    # What is on disk: a row for each imported photo with its whole file, nothing for the failed
    # one, and no temporary file.
    stored = list_photos(c.profile, c.school_visit)
    assert sorted(p.original_name for p in stored) == [p.name for p in photos[:3] + photos[4:]]
    files = {p.name for p in c.profile.media_dir.rglob("*") if p.is_file()}
    assert files == {p.sha256 for p in stored}
    assert verify_media(c.profile).ok


def test_an_import_whose_page_closes_meanwhile_finishes_quietly(qtbot, seeded, card_of_200):
    runner = TaskRunner()
    parent = QWidget()
    try:
        c, job, outcome = run_job(qtbot, seeded, card_of_200, runner, parent)
        qtbot.waitUntil(lambda: job.dialog.bar.value() >= 3, timeout=30000)
        task = job.task
        del parent  # the page goes, and with it the job and its dialog
        qtbot.waitUntil(lambda: not runner.busy, timeout=60000)
    finally:
        runner.shutdown()
    assert task is not None and outcome == []  # nobody left to tell; no error either
    assert len(list_photos(c.profile, c.school_visit)) == 200


def test_quitting_during_an_import_stops_it_and_writes_what_was_queued(qtbot, seeded, card_of_200, host):
    c = make_checklist(seeded)
    runner = TaskRunner()
    outcome: list = []
    reached = threading.Event()

    def slowly(report, p) -> None:
        report(p)
        if p.done == 3:
            reached.set()
        if p.done >= 3:  # a card slower than the test's tiny photos: quitting finds it running
            time.sleep(0.02)

    job = ImportJob(runner, lambda report, token, db: import_folder(
        c.profile, card_of_200, visit_id=c.school_visit, progress=lambda p: slowly(report, p),
        cancel=token, db=db), title="Import", parent=host, on_done=outcome.append, on_error=outcome.append)
    assert reached.wait(30)
    runner.run(lambda: answer_item(c.profile, c.school_visit, rubric_hash=c.school, item_code=ITEM,
                                   value=False))
    runner.shutdown()  # what the application does when it quits
    count = len(list_photos(c.profile, c.school_visit))
    assert 3 <= count < 200
    assert [r.value for r in list_responses(c.profile, c.school_visit) if r.item_code == ITEM] == [False]
    assert not verify_media(c.profile).problems  # every row has its whole file
    qtbot.waitUntil(lambda: job.finished, timeout=5000)  # the outcome still reaches the UI
    assert outcome[0].cancelled and len(outcome[0].imported) == count


def test_cancel_stops_the_import_and_leaves_a_consistent_state(qtbot, seeded, card_of_200, host):
    runner = TaskRunner()
    try:
        c, job, outcome = run_job(qtbot, seeded, card_of_200, runner, host, cancel_after=5)
        qtbot.waitUntil(lambda: job.finished, timeout=60000)
    finally:
        runner.shutdown()
    summary = outcome[0]
    assert summary.cancelled and summary.skipped
    assert len(summary.imported) + len(summary.skipped) == 200
    assert job.dialog.isVisible() and job.dialog.heading.text() == "Import cancelled"
    assert len(list_photos(c.profile, c.school_visit)) == len(summary.imported)
    report = verify_media(c.profile)
    assert not report.missing and not report.corrupt


def test_each_item_shows_its_own_photo_count(qtbot, page, shots):
    strip = page.pane.photos
    attach(qtbot, page, shots[:1])
    assert strip.status.text() == "1 photo(s) attached"
    assert strip.title.text() == "Photos (1):"
    c = page.checklist
    page.go_to(c.school, "A2.3")  # an item without photos says nothing of the other one's
    assert strip.status.text() == ""
    assert strip.title.text() == "Photos:"
    assert not strip.undo.isVisible()
    page.go_to(c.school, ITEM)
    qtbot.waitUntil(lambda: strip.list.count() == 1)
    assert strip.title.text() == "Photos (1):"


def test_an_import_that_ends_on_another_item_does_not_report_there(qtbot, seeded, shots):
    c = make_checklist(seeded)
    runner = TaskRunner()  # real threads: the import reports back after the inspector moved on
    try:
        page = ChecklistPage(c.profile, runner)
        qtbot.addWidget(page)
        page.show()
        with qtbot.waitSignal(page.visitOpened, timeout=5000):
            page.open_visit(c.school_visit, c.school, ITEM)
        page.attach_files([str(shots[0])])
        page.go_to(c.school, "A2.3")
        qtbot.waitUntil(lambda: page.photo_flows.last_job.finished, timeout=5000)
        qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
        assert page.pane.photos.status.text() == ""
        assert page.pane.photos.title.text() == "Photos:"
        assert [p.item_code for p in list_photos(c.profile, c.school_visit)] == [ITEM]
    finally:
        runner.shutdown()


def test_the_viewer_chooses_whether_a_photo_goes_on_the_sheet(qtbot, page, shots):
    attach(qtbot, page, shots[:2])
    viewer = open_viewer(qtbot, page)
    pid = viewer.current.id
    assert viewer.sheet.currentText() == "Sheet: automatic"
    viewer.sheet.setCurrentIndex(viewer.sheet.findData("no"))
    viewer.sheet.activated.emit(viewer.sheet.currentIndex())  # as a user's pick emits it
    assert get_photo(page.profile, pid).on_sheet is False
    viewer.step(1)
    viewer.step(-1)
    assert viewer.sheet.currentData() == "no"  # shown again as chosen
    viewer.sheet.setCurrentIndex(viewer.sheet.findData("yes"))
    viewer.sheet.activated.emit(viewer.sheet.currentIndex())
    assert get_photo(page.profile, pid).on_sheet is True
    viewer.sheet.setCurrentIndex(viewer.sheet.findData("auto"))
    viewer.sheet.activated.emit(viewer.sheet.currentIndex())
    assert get_photo(page.profile, pid).on_sheet is None

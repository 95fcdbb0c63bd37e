"""The checklist page's photo work: list and thumbnails for the current item, imports (files,
drops, a folder, the clipboard) with progress, reorder, delete and undo, the viewer, and photos
dropped on a finding. The strip and the findings panel only emit requests; this carries them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt
from PySide6.QtGui import QGuiApplication, QImage

from app.evidence import (
    ImportSummary,
    Photo,
    delete_photo,
    import_bytes,
    import_files,
    import_folder,
    link_photos_to_finding,
    list_deleted_photos,
    list_photos,
    reorder_photos,
    restore_photo,
)
from app.models import Finding
from ui.checklist.photo_strip import load_thumbnails
from ui.evidence.import_dialog import ImportJob, ImportWork
from ui.evidence.viewer import PhotoViewerDialog

if TYPE_CHECKING:
    from ui.checklist.checklist_page import ChecklistPage


def png_bytes(image: QImage) -> bytes:
    """The clipboard image as PNG (lossless, and a format the importer accepts); any thread."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError("the clipboard image could not be encoded")
    return bytes(data.data())


class PhotoFlows(QObject):
    def __init__(self, page: ChecklistPage) -> None:
        super().__init__(page)
        self.page = page
        self.strip = page.pane.photos
        self.last_job: ImportJob | None = None  # the latest import (tests wait on it)
        self.viewer: PhotoViewerDialog | None = None
        s = self.strip
        s.filesChosen.connect(self.attach_files)
        s.folderChosen.connect(self.import_folder)
        s.pasteRequested.connect(self.paste)
        s.deleteRequested.connect(self.delete)
        s.restoreRequested.connect(self.restore)
        s.reorderRequested.connect(self.reorder)
        s.openRequested.connect(self.open_viewer)
        page.pane.filesDropped.connect(self.attach_files)
        page.findings.photosDropped.connect(self.attach_files_to_finding)
        page.findings.evidenceDropped.connect(self.link_to_finding)

    def _target(self) -> tuple[str, str, str] | None:
        """(visit id, rubric hash, item code) when photos can be added to the current item."""
        page = self.page
        if page.data is None or page.current is None or page.read_only:
            return None
        return page.data.visit.id, page.current[0], page.current[1]

    def _changed(self, visit_id: str) -> None:
        self.load()
        self.page.visitChanged.emit(visit_id)

    # --- listing -----------------------------------------------------------------------------

    def load(self, keep: str | None = None) -> None:
        page = self.page
        if page.data is None or page.current is None:
            return
        profile, runner, visit_id, key = page.profile, page.runner, page.data.visit.id, page.current

        def listed(found: tuple[list[Photo], list[Photo]]) -> None:
            photos, deleted = found
            if key != page.current:
                return
            page.photo_count(key, len(photos))
            self.strip.set_deleted([p for p in deleted if p.item_code == key[1] and p.rubric_hash == key[0]])
            runner.run(lambda: load_thumbnails(profile, photos), io=True,
                       on_done=lambda thumbs: key == page.current and self.strip.set_photos(thumbs, keep),
                       on_error=page.show_error, label="thumbnails")

        def both() -> tuple[list[Photo], list[Photo]]:
            deleted = sorted(list_deleted_photos(profile, visit_id), key=lambda p: p.deleted_at or "", reverse=True)
            return list_photos(profile, visit_id, item_code=key[1], rubric_hash=key[0]), deleted
        runner.run(both, on_done=listed, on_error=page.show_error, label="photos")

    # --- importing ---------------------------------------------------------------------------

    def _import(self, work: ImportWork, visit_id: str, title: str) -> None:
        where = self.page.current

        def done(summary: ImportSummary) -> None:
            # The line speaks of the item the photos went to: said only while it is shown.
            if self.page.current == where:
                self.strip.status.setText(self.summary_text(summary))
            if summary.imported:
                self._changed(visit_id)

        self.strip.status.setText(self.tr("Attaching…"))
        job = ImportJob(self.page.runner, work, title=title, parent=self.page, on_done=done,
                        on_error=self._import_failed)
        self.last_job = job

    def summary_text(self, summary: ImportSummary) -> str:
        """One line for the strip: what the import did, without opening anything."""
        n = len(summary.imported)
        if summary.failed:
            return self.tr("%n photo(s) attached, some files could not be imported", "", n)
        if summary.duplicates:
            return self.tr("%n photo(s) attached, the others were already in this visit", "", n)
        return self.tr("%n photo(s) attached", "", n)

    def _import_failed(self, exc: BaseException) -> None:
        self.strip.status.clear()
        self.page.show_error(exc)

    def attach_files(self, paths: list[str]) -> None:
        target = self._target()
        if target is None or not paths:
            return
        profile, (visit_id, rubric_hash, code) = self.page.profile, target
        self._import(lambda report, token, db: import_files(
            profile, paths, visit_id=visit_id, item_code=code, rubric_hash=rubric_hash,
            progress=report, cancel=token, db=db), visit_id, self.tr("Attaching photos"))

    def import_folder(self, folder: str) -> None:
        target = self._target()
        if target is None:
            return
        profile, (visit_id, rubric_hash, code) = self.page.profile, target
        self._import(lambda report, token, db: import_folder(
            profile, folder, visit_id=visit_id, item_code=code, rubric_hash=rubric_hash,
            progress=report, cancel=token, db=db), visit_id, self.tr("Importing a folder"))

    def paste(self) -> None:
        target = self._target()
        if target is None:
            return
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.strip.status.setText(self.tr("The clipboard holds no image"))
            return
        profile, (visit_id, rubric_hash, code) = self.page.profile, target
        name = self.tr("Pasted photo.png")

        def encoded(data: bytes) -> None:
            self._import(lambda _report, _token, db: import_bytes(
                profile, data, name, visit_id=visit_id, item_code=code, rubric_hash=rubric_hash, db=db),
                visit_id, self.tr("Pasting a photo"))
        # Encoding a screenshot-sized PNG takes a moment: off the UI thread.
        self.page.runner.run(lambda: png_bytes(image), on_done=encoded, on_error=self.page.show_error,
                             io=True, label="paste photo")

    def attach_by_amendment(self, paths: list[str], reason: str) -> None:
        """Photos for an item of a finalized visit: added as one amendment with ``reason``."""
        page = self.page
        if page.data is None or page.current is None or not page.read_only or not paths:
            return
        profile, visit_id, (rubric_hash, code) = page.profile, page.data.visit.id, page.current

        def done(summary: ImportSummary) -> None:
            self.strip.status.setText(self.summary_text(summary))
            if summary.imported:
                page.open_visit(visit_id, rubric_hash, code)  # amended: the state and the hash moved

        self.last_job = ImportJob(page.runner, lambda report, token, db: import_files(
            profile, paths, visit_id=visit_id, item_code=code, rubric_hash=rubric_hash,
            progress=report, cancel=token, db=db, amendment=reason),
            title=self.tr("Adding photos by amendment"), parent=page, on_done=done, on_error=self._import_failed)

    def attach_files_to_finding(self, finding: Finding, paths: list[str]) -> None:
        page = self.page
        if page.data is None or page.read_only or not paths:
            return
        profile, visit_id = page.profile, page.data.visit.id
        self._import(lambda report, token, db: import_files(
            profile, paths, visit_id=visit_id, finding_id=finding.id, item_code=finding.item_code,
            rubric_hash=finding.rubric_hash, progress=report, cancel=token, db=db),
            visit_id, self.tr("Attaching photos to a finding"))

    def link_to_finding(self, finding: Finding, ids: list[str]) -> None:
        """Photos dragged from the strip onto a finding: already evidence, so link them."""
        page = self.page
        if page.data is None or page.read_only:
            return
        profile, visit_id = page.profile, page.data.visit.id

        def work() -> None:
            # One action, one transaction: all the photos are linked, or none is.
            link_photos_to_finding(profile, ids, finding.id)

        def done(_: object) -> None:
            self.strip.status.setText(self.tr("%n photo(s) linked to the finding", "", len(ids)))
            self._changed(visit_id)
        page.runner.run(work, on_done=done, on_error=page.show_error, label="link photos")

    # --- order, delete, undo -----------------------------------------------------------------

    def reorder(self, ids: list[str]) -> None:
        target = self._target()
        if target is None:
            return
        profile, visit_id = self.page.profile, target[0]
        current = self.strip.list.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        self.page.runner.run(lambda: reorder_photos(profile, visit_id, ids),
                             on_done=lambda _: (self.load(keep), self.page.visitChanged.emit(visit_id)),
                             on_error=self.page.show_error, label="reorder photos")

    def delete(self, evidence_id: str) -> None:
        target = self._target()
        if target is None:
            return
        profile, visit_id = self.page.profile, target[0]
        photo = next((p for p in self.strip.photos if p.id == evidence_id), None)

        def done(_: object) -> None:
            self.strip.offer_undo(photo)
            self.strip.status.setText(self.tr("Photo deleted"))
            self._changed(visit_id)
        self.page.runner.run(lambda: delete_photo(profile, evidence_id), on_done=done,
                             on_error=self.page.show_error, label="delete photo")

    def restore(self, evidence_id: str) -> None:
        target = self._target()
        if target is None:
            return
        profile, visit_id = self.page.profile, target[0]

        def done(_: object) -> None:
            self.strip.offer_undo(None)
            self.strip.status.setText(self.tr("Photo restored"))
            self._changed(visit_id)
        self.page.runner.run(lambda: restore_photo(profile, evidence_id), on_done=done,
                             on_error=self.page.show_error, label="restore photo")

    # --- viewer ------------------------------------------------------------------------------

    def open_viewer(self, evidence_id: str) -> None:
        page = self.page
        photos = self.strip.photos
        index = next((k for k, p in enumerate(photos) if p.id == evidence_id), None)
        if page.data is None or index is None:
            return
        if self.viewer is not None:
            self.viewer.close()
        viewer = PhotoViewerDialog(page.profile, page.runner, photos, index, read_only=page.read_only, parent=page)
        visit_id = page.data.visit.id
        viewer.changed.connect(lambda: self._changed(visit_id))
        viewer.finished.connect(lambda _: self._viewer_closed(viewer))
        self.viewer = viewer
        viewer.open()

    def _viewer_closed(self, viewer: PhotoViewerDialog) -> None:
        if self.viewer is viewer:
            self.viewer = None
        # Its last save (the caption flushed on closing) is still queued on the database thread
        # and reports back to it: delete it only after that, never under a pending callback.
        self.page.runner.run(lambda: None, on_done=lambda _: viewer.deleteLater())
        self.strip.list.setFocus()

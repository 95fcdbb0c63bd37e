"""Photo evidence: import, content-addressed storage, thumbnails, annotations and integrity.

The UI calls the functions re-exported here; each that changes data is one transaction and
returns OpChanges (``evidence=True``). Imports, thumbnails and verification touch the disk and
decode images: run them through the task runner, off the UI thread.
"""

from __future__ import annotations

from app.evidence.annotations import (
    AnnotationLayer,
    Arrow,
    Ellipse,
    Freehand,
    Rect,
    Text,
    render_annotations,
)
from app.evidence.errors import BadPhoto, EvidenceError, InvalidAnnotation, MediaWriteError
from app.evidence.importer import import_bytes, import_files, import_folder, photo_files
from app.evidence.metadata import DEFAULT_MAX_PIXELS, PhotoInfo
from app.evidence.models import (
    CancelToken,
    EvidenceId,
    FileResult,
    ImportProgress,
    ImportSummary,
    Photo,
)
from app.evidence.photos import (
    attach_photo,
    delete_photo,
    display_path,
    get_annotations,
    get_photo,
    link_photos_to_finding,
    list_deleted_photos,
    list_photos,
    photo_file,
    render_photo,
    reorder_photos,
    restore_photo,
    save_annotations,
    set_caption,
    set_on_sheet,
    thumbnail_path,
)
from app.evidence.settings import EvidenceSettings, get_evidence_settings, set_reduce_photos
from app.evidence.verify import MediaProblem, VerifyReport, verify_media

__all__ = [
    "DEFAULT_MAX_PIXELS", "AnnotationLayer", "Arrow", "BadPhoto", "CancelToken", "Ellipse",
    "EvidenceError", "EvidenceId", "EvidenceSettings", "FileResult", "Freehand", "ImportProgress",
    "ImportSummary", "InvalidAnnotation", "MediaProblem", "MediaWriteError", "Photo", "PhotoInfo",
    "Rect", "Text", "VerifyReport", "attach_photo", "link_photos_to_finding", "delete_photo", "display_path",
    "get_annotations", "get_evidence_settings", "get_photo", "import_bytes", "import_files",
    "import_folder", "list_deleted_photos", "list_photos", "photo_file", "photo_files",
    "render_annotations", "render_photo", "reorder_photos", "restore_photo", "save_annotations",
    "set_caption", "set_on_sheet", "set_reduce_photos", "thumbnail_path", "verify_media",
]

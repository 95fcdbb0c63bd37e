"""Frozen records the evidence services hand to the UI and the CLI."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import NewType

from app.changes import OpChanges
from app.evidence.metadata import display_size

EvidenceId = NewType("EvidenceId", str)


@dataclass(frozen=True)
class Photo:
    id: EvidenceId
    visit_id: str
    sha256: str
    rubric_hash: str | None
    item_code: str | None
    finding_id: str | None
    size: int
    original_name: str
    media_type: str
    width: int | None
    height: int | None
    orientation: int
    taken_at: str | None
    taken_offset: str | None
    gps_lat: float | None
    gps_lon: float | None
    camera: str
    caption: str
    position: int
    imported_at: str
    device_id: str
    reduced: bool
    original_sha256: str | None
    original_size: int | None
    has_annotations: bool
    deleted: bool
    deleted_at: str | None
    # The inspector's choice for the feedback sheet: None follows the default rule (findings'
    # photos first), True puts the photo on the sheet, False keeps it off.
    on_sheet: bool | None = None

    @property
    def display_size(self) -> tuple[int, int] | None:
        """Width and height as the photo is shown, after its EXIF orientation."""
        if self.width is None or self.height is None:
            return None
        return display_size(self.width, self.height, self.orientation)

    @classmethod
    def from_row(cls, row: dict) -> Photo:
        return cls(
            EvidenceId(row["id"]), row["visit_id"], row["sha256"], row["rubric_hash"], row["item_code"],
            row["finding_id"], row["size"], row["original_name"], row["media_type"], row["width"],
            row["height"], row["orientation"], row["taken_at"], row["taken_offset"], row["gps_lat"],
            row["gps_lon"], row["camera"], row["caption"], row["position"], row["imported_at"],
            row["device_id"], bool(row["reduced"]), row["original_sha256"], row["original_size"],
            bool(row["annotations"]), bool(row["deleted"]), row["deleted_at"],
            None if row.get("on_sheet") is None else bool(row["on_sheet"]),
        )


class CancelToken:
    """Set from the UI thread, read by the import between files. Thread-safe."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True)
class ImportProgress:
    done: int
    total: int
    name: str


IMPORTED, DUPLICATE, FAILED, SKIPPED = "imported", "duplicate", "failed", "skipped"


@dataclass(frozen=True)
class FileResult:
    """What became of one file: imported, duplicate (``evidence_id`` is the existing photo),
    failed (``message`` says why) or skipped (the import was cancelled before it)."""

    source: str
    status: str
    evidence_id: EvidenceId | None = None
    message: str = ""


@dataclass(frozen=True)
class ImportSummary:
    results: tuple[FileResult, ...]
    cancelled: bool
    changes: OpChanges

    def _with(self, status: str) -> tuple[FileResult, ...]:
        return tuple(r for r in self.results if r.status == status)

    @property
    def imported(self) -> tuple[FileResult, ...]:
        return self._with(IMPORTED)

    @property
    def duplicates(self) -> tuple[FileResult, ...]:
        return self._with(DUPLICATE)

    @property
    def failed(self) -> tuple[FileResult, ...]:
        return self._with(FAILED)

    @property
    def skipped(self) -> tuple[FileResult, ...]:
        return self._with(SKIPPED)

    @property
    def evidence_ids(self) -> tuple[EvidenceId, ...]:
        return tuple(r.evidence_id for r in self.imported if r.evidence_id)

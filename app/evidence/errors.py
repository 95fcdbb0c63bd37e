"""Errors of the evidence package; each message is meant to be shown to the inspector as is."""

from __future__ import annotations

from app.errors import FieldmarkError


class EvidenceError(FieldmarkError):
    """Something about a photo or the media folder the user should hear about."""


class BadPhoto(EvidenceError):
    """A file that cannot become evidence: empty, not an image, damaged, unsupported, too large."""


class MediaWriteError(EvidenceError):
    """The media folder could not be written (disk full, permissions); nothing was kept."""


class InvalidAnnotation(EvidenceError):
    """An annotation layer that does not follow the format."""

"""A held photo as the office's pages show it: upright, scaled, its annotations drawn, JPEG.

Drawn by the laptop's own code (``app.reports.renditions.render_photos``: EXIF orientation,
``app.evidence.render_annotations`` with the sheet's font), so the mark-up sits where the
inspector drew it, as on the laptop and on the printed sheet. Renditions are cached in the
server's data folder under ``cache/photos`` by the photo's SHA-256, the size, its orientation
and a hash of its annotation layer: an edited layer (a new revision with other shapes) makes
a new file and nothing stale is shown; a revision that draws the same shapes shares one.
The cache is derived: removing the folder costs only time.

The originals are read where a file blob store keeps them (its layout is the laptop's media
folder's); from an object store they are fetched once into ``cache/originals``.
"""

from __future__ import annotations

from pathlib import Path

from app.evidence import Photo
from app.evidence.store import atomic_write, blob_path
from app.reports.renditions import render_photos
from server.store.blobs import BlobError, BlobStore
from server.store.blobs.files import FileBlobStore

CACHE = Path("cache") / "photos"
ORIGINALS = Path("cache") / "originals"
# Long edge in pixels: a gallery tile, and the photo opened on its own.
SIZES = {"thumb": 480, "large": 1600}


class PhotoUnavailable(Exception):
    """The server does not hold the photo's bytes (not uploaded yet), or they do not decode."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem  # "missing" or "damaged"


def _media_dir(blobs: BlobStore, data_dir: Path, sha: str) -> Path:
    """A folder holding the photo's bytes at ``sha[:2]/sha``, as the laptop's media folder does."""
    if isinstance(blobs, FileBlobStore):
        return blobs.root
    media = data_dir / ORIGINALS
    target = blob_path(media, sha)
    if not target.is_file():
        try:
            atomic_write(target, b"".join(blobs.iter_chunks(sha)))
        except BlobError:
            pass  # render_photos then says "missing"
    return media


def photo_jpeg(blobs: BlobStore, data_dir: Path, photo: Photo, layer: str | None, *, size: str = "thumb",
               markup: bool = True) -> bytes:
    """The photo's JPEG at ``size`` ("thumb" or "large"), with its layer drawn unless ``markup``
    is False. PhotoUnavailable when the bytes are not held or do not decode."""
    media = _media_dir(blobs, data_dir, photo.sha256)
    layers: dict[str, str] = {str(photo.id): layer} if layer and markup else {}
    [rendition] = render_photos(data_dir / CACHE, media, [photo], layers, edge=SIZES[size], workers=1)
    if not rendition.ok:
        raise PhotoUnavailable(rendition.problem or "missing")
    if rendition.data is not None:
        return rendition.data
    assert rendition.path is not None
    return rendition.path.read_bytes()

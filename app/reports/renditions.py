"""Photos as the PDF prints them: upright, annotated, scaled down, JPEG, cached in the profile.

A 12-megapixel original is 2–8 MB and takes ~0.1 s to decode; a page prints it ~5.6 cm wide,
where 500 pixels give ~230 dpi. 500 is also what libjpeg decodes a 4000 x 3000 photo to at
1/8 scale, the cheapest decode there is (~15 ms instead of ~60 ms at 1/4). Renditions are cached in ``pdfcache/`` beside the media folder,
keyed by the photo's SHA-256, the size, its orientation and a hash of its annotation layer, so
an edited annotation or a new orientation gets a new file and nothing stale is ever printed.
The cache is derived data: deleting the folder only costs time.

``annotation_layers`` is the only part that reads the database; ``render_photos`` touches files
and pixels only, so a document is rendered away from the database thread.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from app.evidence import BadPhoto, Photo, get_annotations, render_annotations
from app.evidence.metadata import open_image, upright
from app.evidence.store import atomic_write, blob_path
from app.evidence.thumbnails import DECODE_ERRORS, decode, flatten, thumb_path
from app.profile import Profile
from app.reports.fonts import FONT_PATH

CACHE_DIR = "pdfcache"
QUALITY = 80
# Long edge in pixels of a photo printed in a three-column grid.
SMALL = 500


@dataclass(frozen=True)
class Rendition:
    photo: Photo
    path: Path | None  # the cached file; None when it could not be cached or rendered
    size: tuple[int, int] | None  # (width, height) in pixels, upright
    problem: str = ""  # "missing" | "damaged" when there is nothing to print; "on_server": a thumbnail
    data: bytes | None = None  # the JPEG itself when the cache could not be written

    @property
    def ok(self) -> bool:
        return self.path is not None or self.data is not None

    def source(self) -> str | io.BytesIO:
        """What reportlab reads: the cached file's path (JPEG passes through unchanged)."""
        if self.path is not None:
            return str(self.path)
        assert self.data is not None
        return io.BytesIO(self.data)


@dataclass(frozen=True)
class _Job:
    photo: Photo
    target: Path
    layer_json: str | None


def _cache_path(root: Path, photo: Photo, edge: int, layer_json: str | None) -> Path:
    ann = hashlib.sha256(layer_json.encode("utf-8")).hexdigest()[:12] if layer_json else "plain"
    return root / CACHE_DIR / photo.sha256[:2] / f"{photo.sha256}-{edge}-o{photo.orientation}-{ann}.jpg"


def _size_of(path: Path) -> tuple[int, int]:
    with Image.open(path) as img:
        return img.size


def _render(media_dir: Path, job: _Job, edge: int) -> Rendition:
    try:
        data = blob_path(media_dir, job.photo.sha256).read_bytes()
    except OSError:
        return Rendition(job.photo, None, None, "missing")
    if hashlib.sha256(data).hexdigest() != job.photo.sha256:
        # Changed since it was stored, even if it still decodes: never drawn as the evidence.
        # (The bytes are in memory already; hashing them costs little next to decoding.)
        return Rendition(job.photo, None, None, "damaged")
    try:
        img = open_image(data)
        if img.format == "JPEG":
            # Ask for the target size with the photo's own aspect, so libjpeg can use 1/8 scale.
            w, h = img.size
            k = edge / max(w, h)
            img.draft("RGB", (max(1, int(w * k)), max(1, int(h * k))))
        img = flatten(decode(img))
        img.thumbnail((edge, edge), Image.Resampling.BICUBIC)
        img = upright(img, job.photo.orientation)
        if job.layer_json:
            from app.evidence import AnnotationLayer

            img = render_annotations(img, AnnotationLayer.from_json(job.layer_json), font_path=str(FONT_PATH))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=QUALITY, optimize=False)
    except (BadPhoto, *DECODE_ERRORS):
        return Rendition(job.photo, None, None, "damaged")
    try:
        atomic_write(job.target, out.getvalue())
    except OSError:
        # A read-only profile or a full disk: print from memory rather than fail.
        return Rendition(job.photo, None, img.size, data=out.getvalue())
    return Rendition(job.photo, job.target, img.size)


def _original_problem(media_dir: Path, photo: Photo) -> str:
    """"missing" or "damaged" when the photo's own file is absent or has another size, else "".

    A stat, cheap enough for every build. Other damage (other bytes of the same size) is found
    when the rendition is made, by the bytes' hash (the cache is keyed by the content hash, so a
    replaced file never reuses an old one).
    """
    try:
        size = blob_path(media_dir, photo.sha256).stat().st_size
    except (OSError, ValueError):
        return "missing"
    return "" if size == photo.size else "damaged"


def annotation_layers(profile: Profile, photos: Sequence[Photo]) -> dict[str, str]:
    """The annotation layer (JSON) of each annotated photo, by photo id: a database read."""
    layers: dict[str, str] = {}
    for photo in photos:
        if photo.has_annotations:
            layer = get_annotations(profile, photo.id)
            if not layer.is_empty:
                layers[photo.id] = layer.to_json()
    return layers


def renditions(profile: Profile, photos: Sequence[Photo], *, edge: int = SMALL,
               workers: int | None = None) -> list[Rendition]:
    """``render_photos`` of the profile's photos, their annotations read first."""
    return render_photos(profile.root, profile.media_dir, photos, annotation_layers(profile, photos),
                         edge=edge, workers=workers)


def _stand_in(root: Path, photo: Photo) -> Rendition:
    """An original kept on the server only (removed here to free space): its cached thumbnail,
    marked so the document warns; "missing" when there is none either."""
    thumb = thumb_path(root, photo.sha256)
    try:
        return Rendition(photo, thumb, _size_of(thumb), "on_server")
    except (*DECODE_ERRORS, FileNotFoundError):
        return Rendition(photo, None, None, "missing")


def render_photos(root: Path, media_dir: Path, photos: Sequence[Photo], layers: Mapping[str, str], *,
                  edge: int = SMALL, workers: int | None = None,
                  on_server: frozenset[str] = frozenset()) -> list[Rendition]:
    """PDF-ready files of ``photos`` in order; misses are rendered in parallel threads.

    ``layers`` maps a photo id to its annotation layer's JSON. No database here: decoding and
    encoding run in the pool, where Pillow releases the GIL. ``on_server`` names the photos whose
    original this laptop removed because the server holds it: their thumbnails stand in.
    """
    jobs = [_Job(photo, _cache_path(root, photo, edge, layers.get(photo.id)), layers.get(photo.id))
            for photo in photos]
    results: dict[int, Rendition] = {}
    misses: list[int] = []
    for i, job in enumerate(jobs):
        problem = _original_problem(media_dir, job.photo)
        if problem == "missing" and job.photo.sha256 in on_server:
            results[i] = _stand_in(root, job.photo)
            continue
        if problem:
            # The record no longer holds the evidence: a cached rendition must not stand in
            # for it, or the paper would show a photo nobody can produce any more.
            results[i] = Rendition(job.photo, None, None, problem)
            continue
        if job.target.is_file():
            try:
                results[i] = Rendition(job.photo, job.target, _size_of(job.target))
                continue
            except DECODE_ERRORS:
                pass  # a damaged cache file is rebuilt
        misses.append(i)
    if misses:
        n = workers or min(len(misses), os.cpu_count() or 2, 8)
        if n <= 1:
            for i in misses:
                results[i] = _render(media_dir, jobs[i], edge)
        else:
            with ThreadPoolExecutor(max_workers=n, thread_name_prefix="fieldmark-pdfimg") as pool:
                for i, r in zip(misses, pool.map(lambda k: _render(media_dir, jobs[k], edge), misses),
                                strict=True):
                    results[i] = r
    return [results[i] for i in range(len(jobs))]

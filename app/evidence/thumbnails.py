"""Thumbnails: derived, cached in the profile's ``thumbs/`` folder, rebuilt whenever missing.

JPEGs are decoded in draft mode, which lets libjpeg scale by 1/2, 1/4 or 1/8 while decoding:
a 12-megapixel photo becomes a 500-pixel image at a fraction of the cost of a full decode.
The orientation is applied to the small image, after scaling, where it costs nothing.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from PIL import Image

from app.evidence.errors import BadPhoto
from app.evidence.metadata import DEFAULT_MAX_PIXELS, open_image, upright
from app.evidence.store import atomic_write, blob_path

THUMB_DIR = "thumbs"
THUMB_SIZE = 256
THUMB_QUALITY = 80

# What Pillow and its plugins raise on a damaged or truncated file while decoding.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, RuntimeError, Image.DecompressionBombError)


def thumb_path(root: Path, sha: str, size: int = THUMB_SIZE) -> Path:
    return root / THUMB_DIR / sha[:2] / f"{sha}-{size}.jpg"


def decode(img: Image.Image, long_edge: int | None = None) -> Image.Image:
    """Decode ``img``, at reduced scale when it is a JPEG and ``long_edge`` allows.

    Decoding reads every byte of the image data, so this is also where a truncated or
    damaged file is found; that is reported as BadPhoto.
    """
    try:
        if long_edge and img.format == "JPEG":
            img.draft("RGB", (long_edge, long_edge))
        img.load()
    except DECODE_ERRORS as exc:
        raise BadPhoto(f"the image is damaged or incomplete and cannot be decoded ({exc})") from exc
    return img


def flatten(img: Image.Image) -> Image.Image:
    """RGB for JPEG output: transparency goes on white, as it looks on a report page."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img if img.mode == "RGB" else img.convert("RGB")


def render_thumbnail(img: Image.Image, orientation: int, size: int = THUMB_SIZE) -> bytes:
    """JPEG bytes of an upright thumbnail no larger than ``size`` on its long edge."""
    img = decode(img, size)
    small = flatten(img)  # may be ``img`` itself: it is scaled in place, the caller owns it
    small.thumbnail((size, size), Image.Resampling.BICUBIC)
    small = upright(small, orientation)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=THUMB_QUALITY)
    return out.getvalue()


def save_thumbnail(root: Path, sha: str, data: bytes, size: int = THUMB_SIZE) -> bool:
    """Cache a thumbnail; a failure here is not fatal because thumbnails are rebuilt on demand."""
    try:
        atomic_write(thumb_path(root, sha, size), data)
    except OSError:
        return False
    return True


def ensure_thumbnail(root: Path, media_dir: Path, sha: str, orientation: int,
                     size: int = THUMB_SIZE) -> Path:
    """The cached thumbnail of a stored file, made from the file when it is missing.

    Call this off the UI thread: a cache miss decodes the photo.
    """
    path = thumb_path(root, sha, size)
    if path.is_file():
        return path
    try:
        data = blob_path(media_dir, sha).read_bytes()
    except OSError as exc:
        raise BadPhoto(f"the photo file {sha[:12]}… is missing from the media folder") from exc
    thumb = render_thumbnail(open_image(data, max_pixels=DEFAULT_MAX_PIXELS), orientation, size)
    if not save_thumbnail(root, sha, thumb, size):
        # Cannot cache (disk full, read-only profile): hand back a temporary copy instead.
        fd, name = tempfile.mkstemp(suffix=".jpg")
        with open(fd, "wb") as fh:
            fh.write(thumb)
        return Path(name)
    return path

"""What a photo says about itself: format, pixel size, orientation, capture time, GPS, camera.

Everything here reads headers only (``Image.open`` is lazy), so it costs the same for a
12-megapixel photo as for a thumbnail. Decoding, which also proves the file is whole, happens
when the thumbnail is made.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from fractions import Fraction

import pillow_heif
from PIL import Image, UnidentifiedImageError

from app.evidence.errors import BadPhoto

pillow_heif.register_heif_opener()
# The importer applies its own pixel limit with a clear message; Pillow's warning below its
# hard limit would only be noise in the log.
warnings.simplefilter("ignore", Image.DecompressionBombWarning)

# Pillow refuses anything above twice this in Image.open; our default stays at that hard limit,
# which still admits 108-megapixel phone photos.
DEFAULT_MAX_PIXELS = 2 * (Image.MAX_IMAGE_PIXELS or 89_478_485)

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
SUPPORTED = "JPEG, PNG, WebP and HEIC"
EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".webp", ".heic", ".heif", ".hif"})

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112
_MAKE, _MODEL = 0x010F, 0x0110
_DATETIME = 0x0132
_DATETIME_ORIGINAL, _OFFSET_ORIGINAL, _OFFSET_TIME = 36867, 36881, 36880
_OFFSET_RE = re.compile(r"^[+-]\d{2}:\d{2}$")
_EXIF_TIME_RE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


@dataclass(frozen=True)
class PhotoInfo:
    media_type: str
    width: int
    height: int
    orientation: int = 1
    taken_at: str | None = None
    taken_offset: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    camera: str = ""


def open_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open ``data`` lazily, refusing what Fieldmark cannot keep as evidence."""
    if not data:
        raise BadPhoto("the file is empty (0 bytes)")
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise BadPhoto(f"the image has too many pixels to open safely ({exc})") from exc
    except UnidentifiedImageError as exc:
        raise BadPhoto(_unidentified(data)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadPhoto(f"the image is damaged and cannot be read ({exc})") from exc
    if img.format not in MEDIA_TYPES:
        raise BadPhoto(f"unsupported format {img.format}; photos must be {SUPPORTED}")
    width, height = img.size
    if width <= 0 or height <= 0:
        raise BadPhoto("the image has no pixels")
    if width * height > max_pixels:
        raise BadPhoto(
            f"the image is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels), "
            f"more than the limit of {max_pixels / 1e6:.0f} megapixels; it may be a decompression bomb"
        )
    return img


_MAGIC = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"RIFF", "WebP"))


def _unidentified(data: bytes) -> str:
    """Why Pillow could not tell what ``data`` is, in the words an inspector needs."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return f"the file starts like a {kind} but is damaged and cannot be read"
    if data[4:8] == b"ftyp":
        return "the file starts like a HEIC/HEIF but is damaged or uses an unsupported codec"
    head = data[:4096]
    try:
        head.decode("utf-8")
        is_text = b"\x00" not in head
    except UnicodeDecodeError:
        is_text = False
    if is_text:
        return f"this is a text file, not a photo; photos must be {SUPPORTED}"
    return f"not an image Fieldmark can read; photos must be {SUPPORTED}"


def _exif_time(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    m = _EXIF_TIME_RE.match(text.strip())
    if not m or m.group(1) == "0000":
        return None  # cameras write "0000:00:00 00:00:00" when the clock was never set
    y, mo, d, h, mi, s = m.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}"


def _ratio(value: object) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # an old-style (numerator, denominator)
        return float(Fraction(int(value[0]), int(value[1]) or 1))
    return float(value)  # type: ignore[arg-type]


def _coordinate(parts: object, ref: object, negative: str) -> float | None:
    if not isinstance(parts, tuple | list) or len(parts) != 3:
        return None
    try:
        d, m, s = (_ratio(p) for p in parts)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if isinstance(ref, str) and ref.strip().upper().startswith(negative):
        value = -value
    return round(value, 7)


def _camera(make: object, model: object) -> str:
    make_s = make.strip("\x00 ").strip() if isinstance(make, str) else ""
    model_s = model.strip("\x00 ").strip() if isinstance(model, str) else ""
    if make_s and model_s.lower().startswith(make_s.split()[0].lower()):
        return model_s  # "Canon Canon EOS R6" reads badly
    return " ".join(p for p in (make_s, model_s) if p)


def read_info(img: Image.Image) -> PhotoInfo:
    """Read the header facts of an opened image; missing or broken EXIF fields are left empty."""
    media_type = MEDIA_TYPES[img.format or ""]
    width, height = img.size
    try:
        exif = img.getexif()
    except (OSError, SyntaxError, ValueError, TypeError):
        return PhotoInfo(media_type, width, height)  # broken EXIF must not lose the photo
    orientation = exif.get(_ORIENTATION, 1)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        gps = exif.get_ifd(_GPS_IFD)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        sub, gps = {}, {}
    taken_at = _exif_time(sub.get(_DATETIME_ORIGINAL)) or _exif_time(exif.get(_DATETIME))
    offset = sub.get(_OFFSET_ORIGINAL) or sub.get(_OFFSET_TIME)
    offset = offset.strip() if isinstance(offset, str) and _OFFSET_RE.match(offset.strip()) else None
    if taken_at and offset:
        taken_at += offset
    lat = lon = None
    if 2 in gps and 4 in gps:
        lat = _coordinate(gps[2], gps.get(1), "S")
        lon = _coordinate(gps[4], gps.get(3), "W")
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
    return PhotoInfo(
        media_type, width, height, orientation, taken_at, offset if taken_at else None,
        lat, lon, _camera(exif.get(_MAKE), exif.get(_MODEL)),
    )


# The transposition that shows an image upright, for each EXIF orientation (as exif_transpose).
_UPRIGHT = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


def upright(img: Image.Image, orientation: int) -> Image.Image:
    """The image as it should be shown, given the orientation recorded at import."""
    for step in _UPRIGHT.get(orientation, ()):
        img = img.transpose(step)
    return img


def display_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)

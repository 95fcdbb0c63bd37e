"""Real images made with Pillow for the evidence tests: JPEG with EXIF and GPS, PNG, WebP, HEIC."""

from __future__ import annotations

import io
import struct
import zlib
from fractions import Fraction
from pathlib import Path

import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()

# The inverse of the transposition each EXIF orientation asks for: storing upright pixels
# through it gives a file that shows upright once the orientation is applied.
_STORE_AS = {
    1: (), 2: (Image.Transpose.FLIP_LEFT_RIGHT,), 3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,), 5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_90,), 7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_270,),
}


def scene(size: tuple[int, int] = (80, 40), seed: int = 0) -> Image.Image:
    """A landscape picture with a red top-left quadrant, so orientation mistakes show."""
    w, h = size
    img = Image.new("RGB", size, (30, 60, 200))
    img.paste((220, 20, 20), (0, 0, w // 2, h // 2))
    # A different seed gives different bytes: a block in the bottom-right corner per seed.
    block = (seed * 37 % 200 + 30, seed * 91 % 200 + 30, seed * 53 % 100)
    img.paste(block, (w - 16, h - 16, w - 8, h - 8))
    return img


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round((value - d - m / 60) * 3600, 4)
    return Fraction(d), Fraction(m), Fraction(s).limit_denominator(10000)


def exif_bytes(*, orientation: int | None = None, taken: str | None = None, offset: str | None = None,
               gps: tuple[float, float] | None = None, make: str | None = None,
               model: str | None = None) -> bytes:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    sub = exif.get_ifd(0x8769)
    if taken:
        sub[36867] = taken
    if offset:
        sub[36881] = offset
    if gps is not None:
        lat, lon = gps
        g = exif.get_ifd(0x8825)
        g[1] = "N" if lat >= 0 else "S"
        g[2] = _dms(lat)
        g[3] = "E" if lon >= 0 else "W"
        g[4] = _dms(lon)
    return exif.tobytes()


def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def jpeg(size: tuple[int, int] = (80, 40), *, seed: int = 0, orientation: int = 1,
         quality: int = 90, **exif) -> bytes:
    """A JPEG whose pixels are stored so that applying ``orientation`` shows ``scene`` upright."""
    img = scene(size, seed)
    for step in _STORE_AS[orientation]:
        img = img.transpose(step)
    return encode(img, "JPEG", quality=quality, exif=exif_bytes(orientation=orientation, **exif))


def png(size: tuple[int, int] = (60, 30), *, alpha: bool = False, seed: int = 0) -> bytes:
    img = scene(size, seed)
    if alpha:
        img = img.convert("RGBA")
        img.putalpha(128)
    return encode(img, "PNG")


def webp(size: tuple[int, int] = (60, 30), seed: int = 0) -> bytes:
    return encode(scene(size, seed), "WEBP", quality=80)


def heic(size: tuple[int, int] = (64, 32), seed: int = 0, **exif) -> bytes:
    return encode(scene(size, seed), "HEIF", quality=70, exif=exif_bytes(**exif))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge image: the classic decompression bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path

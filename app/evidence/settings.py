"""The reduced-size option: keep a 2048-pixel JPEG instead of the original, when the profile says so.

The setting lives in the profile's ``meta`` table. The default keeps originals. A reduced copy is
upright (orientation applied, EXIF orientation reset to 1) and keeps the capture time, GPS and
camera EXIF, and the row records that it was reduced and the hash of the original.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from app.evidence.metadata import PhotoInfo, upright
from app.evidence.thumbnails import decode, flatten
from app.profile import Profile
from db.queries import meta

REDUCE_KEY = "evidence.reduce_photos"


@dataclass(frozen=True)
class EvidenceSettings:
    reduce_photos: bool = False
    long_edge: int = 2048
    quality: int = 85


def get_evidence_settings(profile: Profile) -> EvidenceSettings:
    return EvidenceSettings(reduce_photos=meta.get(profile.db, REDUCE_KEY) == "1")


def set_reduce_photos(profile: Profile, on: bool) -> None:
    """Turn the reduced-size option on or off for photos imported from now on."""
    with profile.transaction() as tx:
        meta.put(tx.db, REDUCE_KEY, "1" if on else "0")


def should_reduce(settings: EvidenceSettings, info: PhotoInfo) -> bool:
    # HEIC is converted even when small: reports and the office's browsers cannot show it.
    return settings.reduce_photos and (
        max(info.width, info.height) > settings.long_edge or info.media_type == "image/heic"
    )


def reduce_photo(img: Image.Image, info: PhotoInfo, settings: EvidenceSettings) -> tuple[bytes, Image.Image]:
    """JPEG bytes of the reduced copy, and the decoded reduced image (for its thumbnail)."""
    exif = img.getexif()
    exif[0x0112] = 1  # the pixels are turned upright below
    icc = img.info.get("icc_profile")
    small = flatten(decode(img, settings.long_edge))
    small.thumbnail((settings.long_edge, settings.long_edge), Image.Resampling.LANCZOS)
    small = upright(small, info.orientation)
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=settings.quality, exif=exif.tobytes(),
               icc_profile=icc, optimize=True)
    return out.getvalue(), small

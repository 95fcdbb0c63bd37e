"""EXIF reading on odd but real-world files: unset clocks, broken GPS, bad orientation tags."""

from __future__ import annotations

from PIL import Image

from app.evidence.metadata import display_size, open_image, read_info
from tests.app.photo_factory import encode, jpeg, scene


def info_of(data: bytes):
    return read_info(open_image(data))


def test_camera_with_an_unset_clock_has_no_capture_time():
    assert info_of(jpeg(taken="0000:00:00 00:00:00")).taken_at is None


def test_offset_without_a_time_is_dropped():
    info = info_of(jpeg(offset="+08:00"))
    assert (info.taken_at, info.taken_offset) == (None, None)


def test_bad_orientation_tag_counts_as_upright():
    exif = Image.Exif()
    exif[0x0112] = 9
    assert info_of(encode(scene(), "JPEG", exif=exif.tobytes())).orientation == 1


def test_gps_with_a_zero_denominator_is_ignored_not_fatal():
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (1.0, 2.0), "E", (3.0, 4.0, 5.0)  # latitude has 2 parts
    info = info_of(encode(scene(), "JPEG", exif=exif.tobytes()))
    assert (info.gps_lat, info.gps_lon) == (None, None)


def test_make_is_not_repeated_in_the_camera_name():
    assert info_of(jpeg(make="Apple", model="iPhone 15 Pro")).camera == "Apple iPhone 15 Pro"
    assert info_of(jpeg(make="NIKON CORPORATION", model="NIKON Z 6")).camera == "NIKON Z 6"
    assert info_of(jpeg(make="Canon", model="Canon EOS R6")).camera == "Canon EOS R6"


def test_display_size_swaps_for_quarter_turns():
    assert [display_size(40, 30, o) for o in (1, 3, 6, 8)] == [(40, 30), (40, 30), (30, 40), (30, 40)]


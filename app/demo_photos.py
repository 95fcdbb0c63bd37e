"""Photos for the demo profile: small JPEGs drawn with Pillow, with the EXIF a phone writes.

A newcomer should see evidence at once, on screen and on paper, without any photo shipped in
the repository: each picture is a simple drawing of what an inspector photographs (a fire
extinguisher wall, a bookshelf, a waste store), with the date taken, the camera and the place
in EXIF, so the import reads them as it reads a real phone's photos.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from PIL import Image, ImageDraw

SIZE = (800, 600)  # big enough to look like a photo in the viewer, small enough to import at once

# EXIF tags (Pillow has no names for the ones in sub-IFDs).
_ORIENTATION, _MAKE, _MODEL = 0x0112, 0x010F, 0x0110
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATE_TAKEN, _OFFSET_TAKEN = 36867, 36881


@dataclass(frozen=True)
class Camera:
    make: str
    model: str


PHONE = Camera("HUAWEI", "ELS-AN00")
CAMERA = Camera("Canon", "Canon EOS 200D")


def _dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    """Degrees, minutes and seconds as EXIF stores a GPS coordinate."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(100)


def exif(*, taken: datetime, camera: Camera, place: tuple[float, float], orientation: int = 1) -> bytes:
    data = Image.Exif()
    data[_ORIENTATION] = orientation
    data[_MAKE] = camera.make
    data[_MODEL] = camera.model
    sub = data.get_ifd(_EXIF_IFD)
    sub[_DATE_TAKEN] = taken.strftime("%Y:%m:%d %H:%M:%S")
    sub[_OFFSET_TAKEN] = "+08:00"  # China Standard Time, where the demo's units are
    lat, lon = place
    gps = data.get_ifd(_GPS_IFD)
    gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    return data.tobytes()


def _backdrop(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """A vertical gradient: flat colours look drawn, a gradient looks lit."""
    mask = Image.linear_gradient("L").resize(SIZE)
    return Image.composite(Image.new("RGB", SIZE, bottom), Image.new("RGB", SIZE, top), mask)


def fire_extinguishers(rnd: random.Random) -> Image.Image:
    img = _backdrop((226, 222, 210), (180, 176, 166))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 470, 800, 600), fill=(120, 112, 100))  # floor
    d.rectangle((560, 60, 760, 140), fill=(30, 140, 60))  # green exit sign
    d.rectangle((580, 80, 640, 120), fill=(240, 240, 240))
    for i in range(3):
        x = 120 + i * 150 + rnd.randint(-8, 8)
        d.rounded_rectangle((x, 250, x + 80, 470), radius=26, fill=(200, 24, 30))
        d.rectangle((x + 25, 215, x + 55, 252), fill=(40, 40, 40))  # valve
        d.line((x + 55, 225, x + 105, 300), fill=(30, 30, 30), width=8)  # hose
        d.rectangle((x + 12, 320, x + 68, 390), fill=(245, 235, 200))  # label
    return img


def bookshelf(rnd: random.Random) -> Image.Image:
    img = _backdrop((235, 228, 214), (205, 196, 180))
    d = ImageDraw.Draw(img)
    d.rectangle((80, 40, 720, 580), fill=(120, 78, 40))
    for shelf in range(4):
        y = 60 + shelf * 130
        d.rectangle((100, y, 700, y + 115), fill=(92, 58, 30))
        x = 104
        while x < 690 - 12:
            w = rnd.randint(14, 30)
            h = rnd.randint(70, 110)
            colour = rnd.choice([(180, 40, 40), (40, 90, 160), (220, 180, 60), (60, 130, 80), (230, 230, 220)])
            # Some gaps on the lower shelves: the finding says books per pupil are short.
            if shelf < 2 or rnd.random() < 0.6:
                d.rectangle((x, y + 115 - h, x + w - 2, y + 115), fill=colour)
            x += w
    return img


def lab_cabinet(rnd: random.Random) -> Image.Image:
    img = _backdrop((230, 236, 240), (196, 204, 210))
    d = ImageDraw.Draw(img)
    d.rectangle((180, 80, 620, 560), fill=(210, 214, 216), outline=(90, 90, 90), width=6)
    d.line((400, 80, 400, 560), fill=(90, 90, 90), width=6)
    d.rectangle((200, 100, 380, 300), fill=(180, 210, 230))  # glass doors
    d.rectangle((420, 100, 600, 300), fill=(180, 210, 230))
    for i in range(5):
        x = 215 + i * 75 + rnd.randint(-5, 5)
        d.rectangle((x, 200, x + 40, 295), fill=(150, 100, 50) if i % 2 else (240, 240, 240))
    d.rectangle((380, 330, 420, 360), fill=(200, 170, 40))  # one padlock only
    d.polygon([(430, 400), (520, 400), (475, 470)], fill=(245, 200, 0), outline=(0, 0, 0))
    return img


def exercise_books(rnd: random.Random) -> Image.Image:
    img = _backdrop((200, 170, 130), (150, 115, 80))
    d = ImageDraw.Draw(img)
    for i in range(12):
        x, y = 160 + rnd.randint(-30, 30), 480 - i * 26
        d.rectangle((x, y, x + 460, y + 24), fill=rnd.choice([(60, 110, 180), (220, 90, 60), (70, 150, 90)]),
                    outline=(240, 240, 240), width=2)
    return img


def sign_in_sheet(rnd: random.Random) -> Image.Image:
    img = _backdrop((110, 90, 70), (80, 64, 50))
    d = ImageDraw.Draw(img)
    d.rectangle((200, 40, 600, 580), fill=(250, 250, 245))
    for row in range(14):
        y = 90 + row * 34
        d.line((220, y, 580, y), fill=(150, 150, 150), width=2)
        d.line((240, y - 12, 240 + rnd.randint(60, 120), y - 14), fill=(20, 40, 120), width=3)
        if row < 5:  # the parent's column is signed only at the top
            d.line((460, y - 12, 460 + rnd.randint(40, 90), y - 10), fill=(20, 40, 120), width=3)
    d.line((440, 60, 440, 560), fill=(150, 150, 150), width=2)
    return img


def school_gate(rnd: random.Random) -> Image.Image:
    img = _backdrop((150, 190, 235), (225, 235, 245))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 440, 800, 600), fill=(150, 150, 140))  # road
    d.rectangle((0, 300, 800, 440), fill=(235, 230, 220))  # wall
    d.rectangle((280, 180, 520, 440), fill=(200, 60, 50))  # gate pillars and beam
    d.rectangle((320, 250, 480, 440), fill=(90, 90, 90))
    for x in range(330, 480, 20):
        d.line((x, 260, x, 440), fill=(190, 190, 190), width=4)
    d.rectangle((300, 195, 500, 235), fill=(245, 215, 120))  # name board
    d.rectangle((580, 330, 680, 440), fill=(220, 220, 210), outline=(120, 120, 120), width=3)  # gatehouse
    for x in range(40, 260, 60):
        d.ellipse((x, 210 + rnd.randint(-10, 10), x + 70, 310), fill=(60, 140, 70))  # trees
    return img


def waste_store(rnd: random.Random, *, fixed: bool = False) -> Image.Image:
    img = _backdrop((190, 196, 200), (150, 150, 146))
    d = ImageDraw.Draw(img)
    if fixed:  # after the follow-up: an epoxy-lined floor with a kerb, and no stain
        d.rectangle((0, 420, 800, 600), fill=(70, 130, 100))
        d.rectangle((0, 420, 800, 436), fill=(230, 200, 60))
    else:  # bare concrete: no lining
        d.rectangle((0, 420, 800, 600), fill=(110, 105, 95))
    for i in range(4):
        x = 120 + i * 140
        d.rectangle((x, 260, x + 100, 430), fill=(30, 80, 160) if i % 2 else (60, 60, 60))
        d.ellipse((x, 250, x + 100, 275), fill=(40, 40, 40))
        d.rectangle((x + 25, 320, x + 75, 370), fill=(245, 200, 0))  # hazard label
    if not fixed:
        d.ellipse((300, 470, 520, 540), fill=(60, 50, 30))  # a stain spreading on the floor
        d.ellipse((330 + rnd.randint(-10, 10), 490, 600, 560), fill=(70, 58, 34))
    return img


def running_track(rnd: random.Random) -> Image.Image:
    img = _backdrop((140, 185, 235), (200, 220, 240))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 260, 800, 600), fill=(60, 140, 70))
    d.ellipse((-200, 300, 1000, 760), fill=(190, 70, 50))
    d.ellipse((-80, 360, 880, 700), fill=(70, 150, 80))
    for lane in range(1, 5):
        d.arc((-200 + lane * 24, 300 + lane * 12, 1000 - lane * 24, 760 - lane * 12), 180, 360,
              fill=(240, 240, 240), width=2)
    d.rectangle((620, 200, 640 + rnd.randint(0, 10), 262), fill=(120, 120, 120))  # a goal post
    return img


def teaching_building(rnd: random.Random) -> Image.Image:
    img = _backdrop((150, 190, 235), (215, 228, 242))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 500, 800, 600), fill=(140, 140, 132))
    d.rectangle((90, 120, 710, 500), fill=(236, 226, 206))
    for floor in range(4):
        for bay in range(8):
            x, y = 115 + bay * 74, 145 + floor * 88
            d.rectangle((x, y, x + 50, y + 55), fill=(120, 160, 200), outline=(250, 250, 250), width=3)
    d.rectangle((360, 420, 440, 500), fill=(90, 70, 50))  # entrance
    d.rectangle((560, 430 + rnd.randint(-5, 5), 660, 470), fill=(40, 110, 190))  # appraisal plaque
    return img


def dust_filter(rnd: random.Random) -> Image.Image:
    img = _backdrop((170, 200, 230), (220, 228, 236))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 480, 800, 600), fill=(130, 128, 120))
    d.rectangle((520, 60, 580, 480), fill=(190, 190, 186))  # stack
    d.rectangle((520, 90, 580, 110), fill=(230, 140, 40))  # warning band, orange: red is for marks
    d.rectangle((140, 260, 420, 480), fill=(120, 130, 140))  # bag filter house
    for x in range(160, 400, 40):
        d.rectangle((x, 280, x + 24, 460), fill=(150, 160, 170))
    d.line((420, 330, 520, 330), fill=(100, 100, 100), width=18)  # duct to the stack
    d.ellipse((530 + rnd.randint(-10, 10), 20, 620, 70), fill=(235, 235, 235))  # a clean plume
    return img


def wastewater_tanks(rnd: random.Random) -> Image.Image:
    img = _backdrop((175, 205, 230), (215, 225, 232))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 380, 800, 600), fill=(150, 148, 140))
    for i in range(3):
        x = 80 + i * 230
        d.rectangle((x, 300, x + 180, 460), fill=(180, 182, 178), outline=(110, 110, 110), width=4)
        d.ellipse((x + 10, 290, x + 170, 320), fill=(70, 120 + rnd.randint(-10, 10), 110))  # water
    d.line((260, 350, 310, 350), fill=(60, 90, 140), width=10)
    d.line((490, 350, 540, 350), fill=(60, 90, 140), width=10)
    return img


def outfall_sign(rnd: random.Random) -> Image.Image:
    img = _backdrop((160, 195, 230), (205, 220, 232))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 360, 800, 600), fill=(90, 120, 90))  # bank
    d.rectangle((0, 470, 800, 600), fill=(80, 120, 140))  # river
    d.ellipse((250, 400, 330, 470), fill=(70, 70, 70))  # outfall pipe
    d.ellipse((262, 412, 318, 458), fill=(30, 30, 30))
    d.rectangle((430, 230, 450, 420), fill=(110, 110, 110))  # sign post
    d.rectangle((380, 150, 560, 250), fill=(30, 100, 180), outline=(240, 240, 240), width=4)
    d.polygon([(470, 170), (500, 230), (440, 230)], fill=(245, 200, 0))
    d.line((300, 470, 360 + rnd.randint(0, 20), 520), fill=(200, 220, 230), width=6)  # a clear outflow
    return img


SCENES: dict[str, Callable[[random.Random], Image.Image]] = {
    "fire": fire_extinguishers, "books": bookshelf, "lab": lab_cabinet, "homework": exercise_books,
    "sign-in": sign_in_sheet, "gate": school_gate, "waste": waste_store, "track": running_track,
    "waste-fixed": lambda rnd: waste_store(rnd, fixed=True),
    "building": teaching_building, "dust": dust_filter, "wastewater": wastewater_tanks,
    "outfall": outfall_sign,
}

# Pixels stored so that applying the EXIF orientation shows the scene upright (6: a phone
# held upright, whose sensor stores the picture turned a quarter to the left).
_STORE_AS = {1: None, 6: Image.Transpose.ROTATE_90}


def demo_jpeg(scene: str, rnd: random.Random, *, taken: datetime, camera: Camera,
              place: tuple[float, float], orientation: int = 1) -> bytes:
    """One demo photo as the camera would have written it."""
    img = SCENES[scene](rnd)
    step = _STORE_AS[orientation]
    if step is not None:
        img = img.transpose(step)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85,
             exif=exif(taken=taken, camera=camera, place=place, orientation=orientation))
    return out.getvalue()

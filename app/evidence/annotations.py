"""The annotation layer: arrows, rectangles, ellipses, freehand lines and text over a photo.

The layer is vector data kept as JSON beside the untouched original. Coordinates are fractions
(0..1) of the upright photo's width and height, and stroke widths and text sizes are fractions
of its long edge, so one layer draws the same on a thumbnail, in the viewer and in a PDF.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from app.evidence.errors import InvalidAnnotation

FORMAT = "fieldmark.annotations/1"
RED = "#e53935"
MAX_SHAPES = 1000
MAX_POINTS = 20_000
_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$")

Point = tuple[float, float]
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Arrow:
    start: Point
    end: Point
    color: str = RED
    width: float = 0.006


@dataclass(frozen=True)
class Rect:
    box: Box
    color: str = RED
    width: float = 0.006


@dataclass(frozen=True)
class Ellipse:
    box: Box
    color: str = RED
    width: float = 0.006


@dataclass(frozen=True)
class Freehand:
    points: tuple[Point, ...]
    color: str = RED
    width: float = 0.006


@dataclass(frozen=True)
class Text:
    at: Point
    text: str
    color: str = RED
    size: float = 0.04


Shape = Arrow | Rect | Ellipse | Freehand | Text
_KINDS: dict[str, type] = {"arrow": Arrow, "rect": Rect, "ellipse": Ellipse, "freehand": Freehand, "text": Text}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


@dataclass(frozen=True)
class AnnotationLayer:
    shapes: tuple[Shape, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.shapes

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "shapes": [_dump(s) for s in self.shapes]},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> AnnotationLayer:
        if not text:
            return cls()
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise InvalidAnnotation(f"the annotation layer is not JSON ({exc})") from exc
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise InvalidAnnotation(f"the annotation layer is not in the {FORMAT} format")
        shapes = doc.get("shapes")
        if not isinstance(shapes, list):
            raise InvalidAnnotation("the annotation layer has no list of shapes")
        return cls(tuple(_load(s, i) for i, s in enumerate(shapes))).validated()

    def validated(self) -> AnnotationLayer:
        """Self, after checking every shape; raises InvalidAnnotation naming the first bad one."""
        if len(self.shapes) > MAX_SHAPES:
            raise InvalidAnnotation(f"too many shapes ({len(self.shapes)}; at most {MAX_SHAPES})")
        for i, shape in enumerate(self.shapes):
            _check(shape, i + 1)
        return self


def _dump(shape: Shape) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": _KIND_OF[type(shape)]}
    for name in shape.__dataclass_fields__:
        value = getattr(shape, name)
        out[name] = [list(p) for p in value] if name == "points" else (list(value) if isinstance(value, tuple) else value)
    return out


def _load(raw: object, index: int) -> Shape:
    where = f"shape {index + 1}"
    if not isinstance(raw, dict) or raw.get("kind") not in _KINDS:
        raise InvalidAnnotation(f"{where}: unknown kind; one of {', '.join(_KINDS)}")
    cls = _KINDS[raw["kind"]]
    args = {k: v for k, v in raw.items() if k != "kind"}
    unknown = set(args) - {f.name for f in fields(cls)}
    if unknown:
        raise InvalidAnnotation(f"{where}: unknown field {sorted(unknown)[0]!r}")
    try:
        if "points" in args:
            args["points"] = tuple(tuple(p) for p in args["points"])
        for name in ("start", "end", "box", "at"):
            if name in args:
                args[name] = tuple(args[name])
        return cls(**args)
    except TypeError as exc:
        raise InvalidAnnotation(f"{where}: {exc}") from exc


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _check_points(points: Sequence[object], n: int | None, where: str) -> None:
    if n is not None and len(points) != n:
        raise InvalidAnnotation(f"{where}: expected {n} coordinates")
    for v in points:
        if not _number(v) or not 0.0 <= float(v) <= 1.0:  # type: ignore[arg-type]
            raise InvalidAnnotation(f"{where}: coordinates are fractions of the photo, from 0 to 1")


def _check(shape: Shape, n: int) -> None:
    where = f"shape {n} ({_KIND_OF[type(shape)]})"
    if not isinstance(shape.color, str) or not _COLOR_RE.match(shape.color):
        raise InvalidAnnotation(f"{where}: colour must look like #rrggbb")
    if isinstance(shape, Text):
        _check_points(shape.at, 2, where)
        if not isinstance(shape.text, str) or not shape.text.strip() or len(shape.text) > 500:
            raise InvalidAnnotation(f"{where}: text must be 1 to 500 characters")
        if not _number(shape.size) or not 0 < shape.size <= 0.5:
            raise InvalidAnnotation(f"{where}: text size must be above 0 and at most 0.5")
        return
    if not _number(shape.width) or not 0 < shape.width <= 0.1:
        raise InvalidAnnotation(f"{where}: line width must be above 0 and at most 0.1")
    if isinstance(shape, Arrow):
        _check_points((*shape.start, *shape.end), 4, where)
    elif isinstance(shape, Rect | Ellipse):
        _check_points(shape.box, 4, where)
    else:
        if not 2 <= len(shape.points) <= MAX_POINTS:
            raise InvalidAnnotation(f"{where}: a freehand line needs 2 to {MAX_POINTS} points")
        for p in shape.points:
            _check_points(p, 2, where)


# --- rendering --------------------------------------------------------------------------------

_FONT_CANDIDATES = (
    # A font shipped with Fieldmark wins; then common CJK system fonts, so Chinese text renders.
    str(Path(__file__).resolve().parents[2] / "resources" / "fonts" / "NotoSansSC-Regular.ttf"),
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
)


@lru_cache(maxsize=32)
def _font(px: int, font_path: str | None) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in ((font_path,) if font_path else ()) + _FONT_CANDIDATES:
        try:
            return ImageFont.truetype(candidate, px)
        except OSError:
            continue
    return ImageFont.load_default(px)


def _rgba(color: str) -> tuple[int, int, int, int]:
    h = color.lstrip("#")
    alpha = int(h[6:8], 16) if len(h) == 8 else 255
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha


def render_annotations(img: Image.Image, layer: AnnotationLayer, *, font_path: str | None = None) -> Image.Image:
    """A copy of the upright ``img`` with the layer drawn on it; ``img`` is not changed."""
    base = img.convert("RGBA")
    if layer.is_empty:
        return base.convert("RGB")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    w, h = base.size
    edge = max(w, h)

    def xy(p: Sequence[float]) -> tuple[float, float]:
        return p[0] * (w - 1), p[1] * (h - 1)

    def box(b: Box) -> tuple[float, float, float, float]:
        x0, y0 = xy((min(b[0], b[2]), min(b[1], b[3])))
        x1, y1 = xy((max(b[0], b[2]), max(b[1], b[3])))
        return x0, y0, x1, y1

    for shape in layer.shapes:
        color = _rgba(shape.color)
        if isinstance(shape, Text):
            px = max(8, round(shape.size * edge))
            draw.text(xy(shape.at), shape.text, fill=color, font=_font(px, font_path),
                      stroke_width=max(1, px // 12), stroke_fill=(255, 255, 255, color[3]))
            continue
        stroke = max(1, round(shape.width * edge))
        if isinstance(shape, Rect):
            draw.rectangle(box(shape.box), outline=color, width=stroke)
        elif isinstance(shape, Ellipse):
            draw.ellipse(box(shape.box), outline=color, width=stroke)
        elif isinstance(shape, Freehand):
            draw.line([xy(p) for p in shape.points], fill=color, width=stroke, joint="curve")
        else:
            _arrow(draw, xy(shape.start), xy(shape.end), color, stroke)
    return Image.alpha_composite(base, overlay).convert("RGB")


def _arrow(draw: ImageDraw.ImageDraw, start: Point, end: Point, color: tuple, stroke: int) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    head = max(stroke * 4, 8)
    # The shaft stops inside the head so its square end does not poke through the tip.
    shaft_end = (end[0] - math.cos(angle) * head * 0.6, end[1] - math.sin(angle) * head * 0.6)
    draw.line([start, shaft_end], fill=color, width=stroke)
    spread = math.radians(25)
    left = (end[0] - head * math.cos(angle - spread), end[1] - head * math.sin(angle - spread))
    right = (end[0] - head * math.cos(angle + spread), end[1] - head * math.sin(angle + spread))
    draw.polygon([end, left, right], fill=color)

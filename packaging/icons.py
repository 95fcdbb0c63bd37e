"""Render the application icon's PNG sizes from its SVG source: ``make icons``.

The PNGs are committed so a build or a fresh clone needs no SVG renderer; run this again after
changing resources/icons/fieldmark.svg.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SOURCE = ICONS / "fieldmark.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICONS / f"fieldmark-{size}.png"


def render(source: Path = SOURCE, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write one PNG per size beside ``source``; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"{source} is not a valid SVG file")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = source.parent / f"fieldmark-{size}.png"
        if not image.save(str(target)):
            raise SystemExit(f"cannot write {target}")
        written.append(target)
    return written


def platform_icons(folder: Path = ICONS) -> list[Path]:
    """The Windows ``.ico`` and macOS ``.icns`` made from the rendered PNGs (Pillow writes both,
    so neither needs the other platform's tools): the specs use them when they exist."""
    from PIL import Image

    largest = Image.open(folder / "fieldmark-512.png")
    ico = folder / "fieldmark.ico"
    # Windows picks the size it needs from the file: the shell's 16–48 px and the 256 px tile.
    largest.save(ico, format="ICO", sizes=[(n, n) for n in (16, 24, 32, 48, 64, 128, 256)])
    icns = folder / "fieldmark.icns"
    largest.save(icns, format="ICNS", append_images=[Image.open(folder / f"fieldmark-{n}.png")
                                                     for n in (16, 32, 64, 128, 256)])
    return [ico, icns]


if __name__ == "__main__":
    for path in [*render(), *platform_icons()]:
        print(path)

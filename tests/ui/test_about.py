"""Fieldmark's identity: one version everywhere, the icon set, the About box and the desktop entry."""

from __future__ import annotations

import configparser
import importlib.util
import platform
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__
from tests.system_tools import require_tool
from tests.ui import shell_support
from ui.app import ICON_SIZES, ICONS, app_icon

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "linux" / "fieldmark.desktop"

demo_source, demo_dir, demo = shell_support.demo_source, shell_support.demo_dir, shell_support.demo
runner, stub_checklist, window = shell_support.runner, shell_support.stub_checklist, shell_support.window


def test_the_version_is_defined_once_and_read_by_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    assert __version__.count(".") == 2


def test_every_icon_size_is_rendered_at_its_size(qapp):
    assert (ICONS / "fieldmark.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    for size in ICON_SIZES:
        image = QImage(str(ICONS / f"fieldmark-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        # The corners are transparent and the middle is painted: a rendered mark, not a blank.
        assert image.pixelColor(0, 0).alpha() == 0
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
    assert sorted(s.width() for s in app_icon().availableSizes()) == sorted(ICON_SIZES)


def icons_script():
    """packaging/icons.py by path: ``packaging`` is also the name of a library in the venv."""
    spec = importlib.util.spec_from_file_location("fieldmark_icons", ROOT / "packaging" / "icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_icons_render_again_from_the_svg(qapp, tmp_path):
    render = icons_script().render

    source = tmp_path / "fieldmark.svg"
    shutil.copy(ICONS / "fieldmark.svg", source)
    written = render(source, (48,))
    assert written == [tmp_path / "fieldmark-48.png"]
    assert QImage(str(written[0])) == QImage(str(ICONS / "fieldmark-48.png"))


def test_a_broken_svg_is_refused_with_its_name(qapp, tmp_path):
    render = icons_script().render

    source = tmp_path / "fieldmark.svg"
    source.write_text("<svg", encoding="utf-8")
    with pytest.raises(SystemExit, match="fieldmark.svg is not a valid SVG"):
        render(source, (16,))
    assert list(tmp_path.glob("*.png")) == []


def test_about_shows_the_versions_and_the_data_folder(window, demo, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    QApplication.instance().setWindowIcon(app_icon())
    window.show_about()
    text = shown[0].text()
    assert f"Fieldmark {__version__}" in text
    assert f"Python {platform.python_version()}" in text
    assert f"Qt {qVersion()}" in text and f"PySide6 {pyside_version}" in text
    assert str(demo.root) in text
    assert not shown[0].iconPixmap().isNull()


def test_about_before_the_profile_opens_says_so(qtbot, runner, monkeypatch):
    from ui.main_window import MainWindow

    win = MainWindow(None, runner)
    qtbot.addWidget(win)
    assert "Data folder: not open yet" in win.about_text()


def test_desktop_entry_names_the_icon_and_command():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    group = entry["Desktop Entry"]
    assert group["Type"] == "Application"
    assert group["Icon"] == "fieldmark"
    assert group["Exec"] == "fieldmark"
    assert group["Name[zh_CN]"]


def test_desktop_entry_is_valid():
    validator = require_tool("desktop-file-validate", package="desktop-file-utils")
    result = subprocess.run([validator, str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_the_platform_icons_hold_every_size_and_are_made_again_the_same(qapp, tmp_path):
    from PIL import Image

    assert Image.open(ICONS / "fieldmark.ico").info["sizes"] >= {(n, n) for n in (16, 32, 48, 256)}
    assert {s[0] for s in Image.open(ICONS / "fieldmark.icns").info["sizes"]} >= {16, 32, 128, 256, 512}
    for png in ICONS.glob("fieldmark-*.png"):
        shutil.copy(png, tmp_path / png.name)
    ico, icns = icons_script().platform_icons(tmp_path)
    with Image.open(ico) as made, Image.open(ICONS / "fieldmark.ico") as kept:
        assert made.info["sizes"] == kept.info["sizes"]
    with Image.open(icns) as made:
        made.size = (512, 512)
        assert made.convert("RGBA").getpixel((256, 256))[3] == 255  # the mark, not a blank

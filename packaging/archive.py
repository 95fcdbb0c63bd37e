"""Pack the frozen Linux build for inspectors: ``make package`` runs it after PyInstaller.

    python packaging/archive.py dist/fieldmark [--out dist]

writes ``fieldmark-VERSION-linux-ARCH.tar.gz`` holding one folder ``fieldmark-VERSION/`` with the
frozen application (``app/``), ``install.sh`` (per user, no administrator rights; also updates
and uninstalls) and the desktop entry and icons it installs.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ICONS = ROOT / "resources" / "icons"


def version() -> str:
    """app.__version__, read from the source (the frozen build's own copy is the same file)."""
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if found is None:
        raise SystemExit("app/__init__.py names no __version__")
    return found.group(1)


def archive(build: Path, out: Path) -> Path:
    if not (build / "fieldmark").is_file():
        raise SystemExit(f"no build in {build}: run `make package` first")
    top = f"fieldmark-{version()}"
    target = out / f"{top}-linux-{platform.machine()}.tar.gz"
    out.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with tarfile.open(partial, "w:gz") as tar:
        tar.add(build, arcname=f"{top}/app")
        tar.add(HERE / "linux" / "install.sh", arcname=f"{top}/install.sh")
        tar.add(HERE / "linux" / "fieldmark.desktop", arcname=f"{top}/share/applications/fieldmark.desktop")
        for png in sorted(ICONS.glob("fieldmark-*.png")):
            size = png.stem.rsplit("-", 1)[1]
            tar.add(png, arcname=f"{top}/share/icons/hicolor/{size}x{size}/apps/fieldmark.png")
    partial.replace(target)  # a half-written archive never carries the final name
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help="the one-folder build (dist/fieldmark)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the archive (default: beside the build)")
    args = parser.parse_args(argv)
    target = archive(args.build, args.out or args.build.parent)
    print(f"{target} ({target.stat().st_size / 1e6:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

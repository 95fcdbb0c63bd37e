"""The layering of design.md: the core packages import without Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        found.append(info.name)
    return found


def test_core_packages_import_without_pyside6():
    names = modules("app") + modules("db") + modules("server")
    code = (
        "import importlib, sys\n"
        "sys.modules['PySide6'] = None\n"  # any import of PySide6 now fails loudly
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "assert not any(m.startswith(('PySide6', 'shiboken6', 'ui')) for m in sys.modules if sys.modules[m] is not None)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

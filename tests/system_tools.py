"""System tools some tests need (LibreOffice, the desktop-entry validator): skipped with the
install hint where missing, failed instead where ``FIELDMARK_REQUIRE_TOOLS`` is set (.ci/run sets
it and installs them), so CI never passes by skipping."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRED_ENV = "FIELDMARK_REQUIRE_TOOLS"


def require_tool(*names: str, package: str) -> str:
    """The path of the first of ``names`` found on PATH; else skip (or fail under CI)."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    message = f"{names[0]} is not installed: apt-get install {package}"
    if os.environ.get(REQUIRED_ENV):
        pytest.fail(f"{message}; {REQUIRED_ENV} is set, so this is not skipped")
    pytest.skip(message)

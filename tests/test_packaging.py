"""Packaging metadata is current: it builds with the setuptools it asks for, without deprecations."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_expression():
    # The {text = ...} table is deprecated (PEP 639) and setuptools will stop building it.
    license = _pyproject()["project"]["license"]
    assert isinstance(license, str)
    identifier = r"[A-Za-z0-9.\-+]+"
    assert re.fullmatch(rf"{identifier}( (AND|OR|WITH) {identifier})*", license), license


def test_build_asks_for_a_setuptools_that_reads_spdx_licenses():
    # setuptools reads `license = "SPDX"` from version 77 on; an older one rejects the file.
    requires = _pyproject()["build-system"]["requires"]
    setuptools = next(r for r in requires if re.match(r"setuptools\b", r))
    found = re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", setuptools.replace(" ", ""))
    assert found and int(found.group(1)) >= 77, setuptools

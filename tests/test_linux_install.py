"""The Linux archive and its per-user install script (packaging/archive.py, linux/install.sh),
run for real on a stand-in build: install, update in place, uninstall, and the data kept."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from app import __version__
from tests.system_tools import require_tool

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the Linux archive and its sh script")


def _archive_module():
    spec = importlib.util.spec_from_file_location("fieldmark_archive", ROOT / "packaging" / "archive.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stand_in_build(folder: Path, marker: str) -> Path:
    """A one-folder build whose executable is a shell script answering --version."""
    (folder / "_internal").mkdir(parents=True)
    (folder / "_internal" / marker).write_text(marker, encoding="utf-8")
    exe = folder / "fieldmark"
    exe.write_text(f'#!/bin/sh\necho "fieldmark {__version__}"\n', encoding="utf-8")
    exe.chmod(0o755)
    return folder


def unpacked(tmp: Path, marker: str) -> Path:
    target = _archive_module().archive(stand_in_build(tmp / f"dist-{marker}" / "fieldmark", marker), tmp / "out")
    assert target.name.startswith(f"fieldmark-{__version__}-linux-") and target.name.endswith(".tar.gz")
    with tarfile.open(target) as tar:
        names = tar.getnames()
        assert all(n.startswith(f"fieldmark-{__version__}/") for n in names)
        tar.extractall(tmp / f"unpacked-{marker}", filter="tar")
    return tmp / f"unpacked-{marker}" / f"fieldmark-{__version__}"


def run(script: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", str(script), *args], capture_output=True, text=True,
                          env={"HOME": str(home), "PATH": "/usr/bin:/bin"}, timeout=60)


def test_install_update_and_uninstall_for_one_user(tmp_path):
    home = tmp_path / "home"
    data = home / ".local" / "share" / "Fieldmark" / "Fieldmark"
    data.mkdir(parents=True)
    (data / "profile.sqlite3").write_bytes(b"the inspector's visits")

    first = unpacked(tmp_path, "one")
    done = run(first / "install.sh", home=home)
    assert done.returncode == 0, done.stderr
    assert f"Fieldmark {__version__} installed in {home}/.local/lib/fieldmark" in done.stdout
    lib = home / ".local" / "lib" / "fieldmark"
    exe = home / ".local" / "bin" / "fieldmark"
    assert exe.resolve() == (lib / "fieldmark").resolve()
    assert subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip() == \
        f"fieldmark {__version__}"
    entry = (home / ".local" / "share" / "applications" / "fieldmark.desktop").read_text(encoding="utf-8")
    assert f"Exec={lib}/fieldmark\n" in entry and "Icon=fieldmark\n" in entry
    assert (home / ".local/share/icons/hicolor/256x256/apps/fieldmark.png").is_file()

    # An update replaces the program whole (nothing of the old build stays) and keeps the data.
    second = unpacked(tmp_path, "two")
    assert run(second / "install.sh", home=home).returncode == 0
    assert (lib / "_internal" / "two").is_file() and not (lib / "_internal" / "one").exists()
    assert not (lib.parent / "fieldmark.new").exists() and not (lib.parent / "fieldmark.old").exists()
    assert (data / "profile.sqlite3").read_bytes() == b"the inspector's visits"

    gone = run(second / "install.sh", "--uninstall", home=home)
    assert gone.returncode == 0 and "the data folder is kept" in gone.stdout
    assert not lib.exists() and not exe.exists() and not exe.is_symlink()
    assert not list((home / ".local/share/icons").rglob("fieldmark.png"))
    assert (data / "profile.sqlite3").read_bytes() == b"the inspector's visits"


def test_a_prefix_elsewhere_and_a_broken_unpack_are_told(tmp_path):
    folder = unpacked(tmp_path, "one")
    prefix = tmp_path / "opt"
    assert run(folder / "install.sh", "--prefix", str(prefix), home=tmp_path / "home").returncode == 0
    assert (prefix / "lib" / "fieldmark" / "fieldmark").is_file()
    shutil.rmtree(folder / "app")
    broken = run(folder / "install.sh", "--prefix", str(prefix), home=tmp_path / "home")
    assert broken.returncode == 1 and "unpack the whole archive" in broken.stderr
    # The installed version is untouched by the failed attempt.
    assert (prefix / "lib" / "fieldmark" / "_internal" / "one").is_file()
    odd = run(folder / "install.sh", "--frobnicate", home=tmp_path / "home")
    assert odd.returncode == 2 and "unknown option --frobnicate" in odd.stderr


def test_the_installed_menu_entry_is_valid(tmp_path):
    validator = require_tool("desktop-file-validate", package="desktop-file-utils")
    home = tmp_path / "home"
    assert run(unpacked(tmp_path, "one") / "install.sh", home=home).returncode == 0
    check = subprocess.run([validator, str(home / ".local/share/applications/fieldmark.desktop")],
                           capture_output=True, text=True)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout


def test_the_archive_needs_a_build(tmp_path):
    with pytest.raises(SystemExit, match="run `make package` first"):
        _archive_module().archive(tmp_path / "nothing", tmp_path)

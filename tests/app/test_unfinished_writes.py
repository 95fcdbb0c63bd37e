"""A photo's copy killed half-way leaves a temporary file; opening the profile for writing removes
it (and the like left by signatures, sync downloads and bundle imports), never a whole file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.evidence.store import TEMP_SUFFIX, blob_path, put_blob, sha256_hex
from app.evidence.thumbnails import THUMB_DIR, thumb_path
from app.evidence.verify import verify_media
from app.profile import RENAMED_INTO, Profile
from tests.conftest import ROOT

# Killed by its own SIGKILL half-way through writing the photo's bytes, as a crash would.
KILLED_MID_COPY = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from app.evidence import store

    def half_then_die(fh, data):
        fh.write(data[: len(data) // 2])
        fh.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    store._write_all = half_then_die
    store.put_blob(Path(sys.argv[1]), bytes(range(256)) * 4096)
""")


def hidden(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob(".*") if p.is_file())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_copy_killed_half_way_leaves_a_temp_file_the_next_open_removes(data_dir):
    kept = bytes(200)
    with Profile.open(data_dir) as profile:
        sha, _ = put_blob(profile.media_dir, kept)
    child = subprocess.run([sys.executable, "-c", KILLED_MID_COPY, str(data_dir / "media")], cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=60)
    assert child.returncode == -signal.SIGKILL
    [left] = hidden(data_dir / "media")
    assert left.name.endswith(TEMP_SUFFIX) and 0 < left.stat().st_size < 256 * 4096
    assert not blob_path(data_dir / "media", sha256_hex(bytes(range(256)) * 4096)).exists()

    with Profile.open(data_dir) as profile:
        assert hidden(data_dir / "media") == []
        assert blob_path(profile.media_dir, sha).read_bytes() == kept  # whole files stay
        assert verify_media(profile).unreferenced == (blob_path(profile.media_dir, sha),)


def test_every_writer_s_temp_names_are_removed_and_nothing_else(data_dir):
    Profile.open(data_dir).close()
    shard = data_dir / "media" / "ab"
    shard.mkdir()
    blob = shard / ("ab" + "0" * 62)
    blob.write_bytes(b"whole")
    # atomic_write's, a signature's, a sync download's (read-only already) and a bundle import's.
    leftovers = [shard / f".{blob.name[:16]}-x1y2{TEMP_SUFFIX}", shard / ".sig-k3j4", shard / ".fetch-p9q8",
                 shard / ".bundle-z7"]
    for path in leftovers:
        path.write_bytes(b"part of a")
    os.chmod(leftovers[2], 0o444)
    thumb = thumb_path(data_dir, blob.name)
    thumb.parent.mkdir(parents=True)
    thumb.write_bytes(b"jpeg")
    thumb_temp = thumb.parent / f".{thumb.name[:16]}-a1{TEMP_SUFFIX}"
    thumb_temp.write_bytes(b"jp")

    with Profile.open(data_dir, read_only=True):
        # A reader takes no lock: a writer may be at work on these files right now.
        assert hidden(data_dir / "media") + hidden(data_dir / THUMB_DIR) == sorted(leftovers) + [thumb_temp]
    with Profile.open(data_dir):
        pass
    assert not any(p.exists() for p in [*leftovers, thumb_temp])
    assert blob.read_bytes() == b"whole" and thumb.read_bytes() == b"jpeg"


def test_the_folders_cleaned_are_those_written_by_rename():
    assert RENAMED_INTO == ("media", THUMB_DIR)

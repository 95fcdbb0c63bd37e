"""Files left by uploads a crash cut short are removed when a server starts, once they are old
enough that no other process of the same data folder can still be writing them."""

from __future__ import annotations

import os
import time
from pathlib import Path

from server.config import Config
from server.leftovers import INCOMING_FOLDER, MAX_AGE_S, sweep
from server.store.blobs import open_blob_store
from server.store.blobs.files import TEMP_PREFIX


def _file(path: Path, age_s: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a photo")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def test_old_leftovers_go_and_recent_ones_and_blobs_stay(tmp_path: Path):
    store = open_blob_store(tmp_path / "blobs")
    sha = "ab" + "0" * 62
    blob = _file(tmp_path / "blobs" / "ab" / sha, MAX_AGE_S * 2)
    old = [_file(tmp_path / INCOMING_FOLDER / ".bundle-old.part", MAX_AGE_S + 60),
           _file(tmp_path / "blobs" / "ab" / f"{TEMP_PREFIX}old", MAX_AGE_S + 60)]
    recent = [_file(tmp_path / INCOMING_FOLDER / ".bundle-new.part", 60),
              _file(tmp_path / "blobs" / "cd" / f"{TEMP_PREFIX}new", 60)]
    assert sweep(tmp_path, store) == 2
    assert not any(p.exists() for p in old)
    assert all(p.exists() for p in recent) and blob.exists()
    assert sweep(tmp_path, store) == 0


def test_a_starting_server_sweeps(tmp_path: Path):
    from server.app import create_app

    old = _file(tmp_path / INCOMING_FOLDER / ".bundle-x.part", MAX_AGE_S + 60)
    create_app(Config(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'server.db'}"))
    assert not old.exists()

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.errors import ProfileError
from app.hlc import Stamp
from app.profile import Profile
from db.queries import meta


def test_second_instance_on_the_same_profile_is_refused(profile, data_dir):
    with pytest.raises(ProfileError, match="already open"):
        Profile.open(data_dir)


def test_read_only_open_works_beside_the_writer(profile, data_dir):
    with Profile.open(data_dir, read_only=True) as reader:
        assert reader.device_id == profile.device_id


def test_lock_is_released_on_close(data_dir):
    Profile.open(data_dir).close()
    Profile.open(data_dir).close()


def test_unwritable_folder_is_a_clear_error():
    # /proc refuses new folders even to root, which CI runs as.
    with pytest.raises(ProfileError, match="cannot create the data folder /proc/fieldmark"):
        Profile.open(Path("/proc/fieldmark/profile"))


def test_folder_that_is_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ProfileError, match="cannot create the data folder"):
        Profile.open(blocker / "profile")


def test_read_only_open_of_a_missing_profile(tmp_path):
    with pytest.raises(ProfileError, match="no Fieldmark profile"):
        Profile.open(tmp_path / "absent", read_only=True)


def test_a_failed_action_rolls_back_every_write(profile):
    with pytest.raises(sqlite3.IntegrityError):
        with profile.transaction() as tx:
            meta.put(tx.db, "a", "1")
            tx.db.execute("INSERT INTO units (id) VALUES ('incomplete')")  # violates NOT NULL
    assert meta.get(profile.db, "a") is None
    assert profile.db.execute("SELECT count(*) FROM units").fetchone()[0] == 0


def test_device_id_and_clock_survive_a_restart(data_dir):
    with Profile.open(data_dir) as p:
        device = p.device_id
        with p.transaction():
            pass
        persisted = Stamp.parse(meta.get(p.db, "hlc_last") or "")
    with Profile.open(data_dir) as p:
        assert p.device_id == device
        # Even with the wall clock far behind, the first stamp after a restart is later.
        p.clock._now = lambda: 0
        assert p.clock.tick() > persisted


@pytest.mark.parametrize("read_only", [False, True])
def test_data_folder_that_is_a_file_is_named_so(tmp_path, read_only):
    path = tmp_path / "profile"
    path.write_text("x")
    with pytest.raises(ProfileError, match="is a file, not a Fieldmark data folder"):
        Profile.open(path, read_only=read_only)

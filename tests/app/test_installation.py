"""A device id names one installation: a copied or restored profile takes a new one before it syncs."""

from __future__ import annotations

import json
import shutil

import app.installation
from app.hlc import Stamp
from app.profile import INSTALLATION_KEY, PREVIOUS_DEVICES_KEY, Profile
from db.queries import meta


def write_something(profile: Profile) -> str:
    with profile.transaction() as tx:
        meta.put(tx.db, "setting.test", "x")
        return tx.meta.rev


def test_a_copied_profile_takes_a_new_device_id_and_keeps_the_old_revisions(tmp_path):
    original = tmp_path / "laptop-a"
    with Profile.open(original) as p:
        first_device = p.device_id
        first_rev = write_something(p)
        assert Stamp.parse(first_rev).node == first_device
    copy = tmp_path / "laptop-b"
    shutil.copytree(original, copy)
    with Profile.open(copy) as p:
        assert p.device_id != first_device
        assert json.loads(meta.get(p.db, PREVIOUS_DEVICES_KEY)) == [first_device]
        rev = write_something(p)
        # New edits are stamped by the new device, after the copied ones; the copied row keeps its node.
        assert Stamp.parse(rev).node == p.device_id
        assert rev.split("-", 2)[:2] >= first_rev.split("-", 2)[:2]
        assert p.db.execute("SELECT device_id FROM inspectors").fetchall() in ([], [(first_device,)])
    with Profile.open(original) as p:
        assert p.device_id == first_device


def test_reopening_in_place_keeps_the_device_id(tmp_path):
    with Profile.open(tmp_path / "p") as p:
        device = p.device_id
    with Profile.open(tmp_path / "p") as p:
        assert p.device_id == device
        assert meta.get(p.db, PREVIOUS_DEVICES_KEY) is None


def test_a_backup_restored_on_another_machine_at_the_same_path_takes_a_new_id(tmp_path, monkeypatch):
    with Profile.open(tmp_path / "p") as p:
        device = p.device_id
    monkeypatch.setattr(app.installation, "machine_id", lambda: "another-laptop")
    with Profile.open(tmp_path / "p") as p:
        assert p.device_id != device
        assert p.clock.node == p.device_id


def test_a_profile_from_before_installations_were_recorded_keeps_its_id(tmp_path):
    with Profile.open(tmp_path / "p") as p:
        device = p.device_id
        with p.db.atomic():
            p.db.execute("DELETE FROM meta WHERE key = ?", (INSTALLATION_KEY,))
    with Profile.open(tmp_path / "p") as p:
        assert p.device_id == device
        assert meta.get(p.db, INSTALLATION_KEY) == app.installation.fingerprint(tmp_path / "p")


def test_a_read_only_open_of_a_copy_changes_nothing(tmp_path):
    with Profile.open(tmp_path / "a") as p:
        device = p.device_id
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    with Profile.open(tmp_path / "b", read_only=True) as p:
        assert p.device_id == device
        assert meta.get(p.db, PREVIOUS_DEVICES_KEY) is None
    with Profile.open(tmp_path / "b") as p:
        assert p.device_id != device


def test_the_machine_id_is_stable():
    assert app.installation.machine_id() == app.installation.machine_id()
    assert app.installation.machine_id()

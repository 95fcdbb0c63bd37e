"""Kill the app mid-visit with SIGKILL: every answer the page acknowledged is on disk, and the
session position points at the last item (or the one the app had just moved to)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.profile import Profile
from app.rubric_store import get_rubric
from app.session import last_position
from app.visits import list_responses
from tests.ui.checklist_support import make_checklist

ROOT = Path(__file__).resolve().parents[2]
ACKS_BEFORE_KILL = 8


# Windows has no SIGKILL; CI and this machine are Linux, where the test always runs.
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_every_acknowledged_answer_survives_a_kill(seeded, data_dir):
    c = make_checklist(seeded)
    c.profile.close()  # the child takes the profile's lock
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "tests.ui.crash_child", str(data_dir), c.school_visit],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    acked: list[tuple[str, float]] = []
    try:
        for line in child.stdout:
            if line.startswith("ACK"):
                _, code, value = line.split()
                acked.append((code, float(value)))
                if len(acked) == ACKS_BEFORE_KILL:
                    os.kill(child.pid, signal.SIGKILL)
                    break
    finally:
        child.kill()
        child.wait(timeout=10)
    assert len(acked) == ACKS_BEFORE_KILL, "the child stopped before answering"
    assert child.returncode == -signal.SIGKILL

    with Profile.open(data_dir) as profile:
        stored = {r.item_code: r.value for r in list_responses(profile, c.school_visit)}
        for code, value in acked:
            assert stored[code] == value
        points = [code for code, item in get_rubric(profile, c.school).items.items() if item.kind == "points"]
        position = last_position(profile)
    assert [code for code, _ in acked] == points[:ACKS_BEFORE_KILL]
    assert (position.visit_id, position.rubric_hash) == (c.school_visit, c.school)
    # The position is saved on arriving at an item, before its answer: it is the last
    # acknowledged item, or the next one when the kill came just after moving on.
    assert position.item_code in points[ACKS_BEFORE_KILL - 1:ACKS_BEFORE_KILL + 1]

"""Kill the core edit operations with SIGKILL at random points: nothing acknowledged is lost.

A child process (``crash_child``) edits a demo profile through the app's own services (answers,
clears, findings and their statuses, good practices, photo imports, captions, deletes,
signatures, finalize, amendments of answers and photos, new visits), announcing each operation
before the call and acknowledging it after. The test kills it at a random moment (seeded): at
a random time, or a few milliseconds into an operation of a chosen kind, so kills land inside
transactions and inside a photo's copy. Then it opens the profile as the app does and checks:

- ``PRAGMA integrity_check`` and ``foreign_key_check`` pass;
- the rows equal the state before the round plus every acknowledged operation, plus all or
  nothing of the operation the kill interrupted; no other row changed;
- every row's media file is there and hashes to its name; no half file is left: a temporary file
  of an interrupted copy, found right after the kill, is gone once the profile is opened
  (``Profile.open`` removes them), and every other file is a whole photo named by its hash
  (a photo stored whose row never committed stays as a whole, unreferenced file);
- a finalized visit touched by the round still hashes to the content hash it records.

The next round continues on the same profile. CI runs ``FIELDMARK_CRASH_KILLS`` kills (25 by
default); ``make soak N=1000`` runs 1,000. ``FIELDMARK_CRASH_SEED`` changes the seed (0);
``FIELDMARK_CRASH_REPORT=FILE`` writes the figures as JSON. A failure names the seed, the round
and the child's last lines.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from app.canonical import content_hash
from app.demo import build_demo
from app.evidence.store import blob_path
from app.paths import MEDIA_DIR
from app.profile import Profile
from app.visits import visit_record
from tests.resilience.crash_disk import MediaCheck, database_problems, unfinished
from tests.resilience.crash_model import apply, differences, discover, snapshot

ROOT = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("FIELDMARK_CRASH_KILLS", "25"))
SEED = int(os.environ.get("FIELDMARK_CRASH_SEED", "0"))
# Share of the kills aimed a few milliseconds into an operation of a chosen kind; the rest land
# at a random time.
AIMED = 0.5
AIM_AT = ("photo", "amend_photo", "finalize", "amend", "sign", "answer", "finding", "create_visit")
# Of the other kills, this share lands in the child's start-up (imports, opening the profile);
# the rest within RUN_S seconds of its first operation (an operation takes a few milliseconds).
START_UP = 0.1
RUN_S = 0.15
# A child that has not done what the round waits for within this time is killed anyway.
ROUND_LIMIT_S = 4.0


class Round:
    """One child process, killed by the test; its output lines as they come."""

    def __init__(self, root: Path, seed: str, first_op: int, log: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with log.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.resilience.crash_child", str(root), seed, str(first_op)],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        self.lines: queue.Queue[dict | None] = queue.Queue()
        self.seen: list[dict] = []
        self.ended = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(json.loads(line))
        self.lines.put(None)

    def next(self, until: float) -> dict | None:
        """The next line, or None when the time is up or the child has stopped."""
        try:
            line = self.lines.get(timeout=max(0.0, until - time.monotonic()))
        except queue.Empty:
            return None
        if line is None:
            self.ended = True
        else:
            self.seen.append(line)
        return line

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        code = self.process.wait(timeout=30)
        while not self.ended:  # what was flushed before the kill
            self.next(time.monotonic() + 30)
        return code


class Figures:
    def __init__(self) -> None:
        self.kills = 0
        self.acknowledged: Counter[str] = Counter()
        self.refused = 0
        self.kill_points: Counter[str] = Counter()
        self.interrupted_committed: Counter[str] = Counter()
        self.temp_files_after_kill = 0
        self.photo_kills: Counter[str] = Counter()  # where in a photo's import its kill landed
        self.lost = 0

    def as_dict(self, **extra: object) -> dict:
        return {"kills": self.kills, "operations_acknowledged": sum(self.acknowledged.values()),
                "acknowledged_by_kind": dict(sorted(self.acknowledged.items())), "refused": self.refused,
                "kill_points": dict(sorted(self.kill_points.items())),
                "interrupted_and_committed": dict(sorted(self.interrupted_committed.items())),
                "temp_files_found_after_kill": self.temp_files_after_kill,
                "photo_import_kills": dict(sorted(self.photo_kills.items())), "data_lost": self.lost, **extra}


def run_round(rng: random.Random, root: Path, number: int, first_op: int, log: Path) -> tuple[list[dict], str]:
    """Start a child, kill it at the moment the seed chooses; returns its lines and what it was at."""
    child = Round(root, f"{SEED}-{number}", first_op, log)
    started = time.monotonic()
    aim = rng.choice(AIM_AT) if rng.random() < AIMED else None
    if aim is None and rng.random() < START_UP:
        deadline = started + rng.uniform(0.0, 0.6)  # start-up takes about half a second here
        while child.next(deadline) is not None:
            pass
    elif aim is None:
        deadline = started + ROUND_LIMIT_S
        while (line := child.next(deadline)) is not None and line["t"] != "ready":
            pass
        deadline = time.monotonic() + rng.uniform(0.0, RUN_S)
        while child.next(deadline) is not None:
            pass
    else:
        deadline = started + ROUND_LIMIT_S
        while (line := child.next(deadline)) is not None:
            if line["t"] == "do" and line["op"] == aim:
                time.sleep(rng.uniform(0.0, 0.03))
                break
    code = child.kill()
    if code != -signal.SIGKILL:
        pytest.fail(f"round {number}: the child ended by itself (exit {code}) before the kill:\n"
                    f"{log.read_text(errors='replace')[-3000:]}")
    lines = child.seen
    last = lines[-1] if lines else None
    if last is None:
        point = "start-up (before the profile was open)"
    elif last["t"] == "do":
        point = last["op"]
    else:
        point = "between operations"
    return lines, point


def photo_phase(root: Path, sha: str, left: list[Path], stored: bool, model: dict) -> str:
    """Where a kill inside a photo's import landed, from what it left behind."""
    mine = [p for p in left if p.name.startswith(f".{sha[:16]}-")]
    if any(p.parent.parent.name == MEDIA_DIR for p in mine):
        return "inside the photo's copy (its temporary file was left)"
    if mine:
        return "inside the thumbnail's write (its temporary file was left)"
    if not stored:
        return "before the photo's copy"
    if any(k[0] == "photo" and v[0] == sha for k, v in model.items()):
        return "after its row was committed"
    return "after the photo's copy, before its row was committed (a whole file, no row)"


def check_round(profile: Profile, model: dict, lines: list[dict], figures: Figures,
                media: MediaCheck, where: str) -> dict:
    """The profile after a kill against the model; returns the new model (the profile's rows)."""
    problems = database_problems(profile.db)
    ops: dict[int, dict] = {}
    touched: set[str] = set()
    for line in lines:
        if line["t"] == "do":
            ops[line["n"]] = line
            touched.update(v for k, v in line.items() if k == "visit")
        elif line["t"] == "ack":
            op = ops.pop(line["n"])
            model = apply(model, op, line)
            figures.acknowledged[op["op"]] += 1
        elif line["t"] == "refused":
            ops.pop(line["n"])
            figures.refused += 1
    actual = snapshot(profile.db)
    if ops:
        [interrupted] = ops.values()
        ids = discover(interrupted, actual, model)
        done = apply(model, interrupted, ids) if ids is not None else None
        if done is not None and actual == done:
            figures.interrupted_committed[interrupted["op"]] += 1
            model = done
    if actual != model:
        figures.lost += 1
        problems.append("the rows are not the acknowledged state:\n  " + "\n  ".join(differences(model, actual)))
    problems += media.problems(profile.root, profile.db)
    for visit_id in sorted(touched):
        row = profile.db.execute("SELECT status, content_hash FROM visits WHERE id = ?", (visit_id,)).fetchone()
        if row and row[0] in ("finalized", "amended") and content_hash(visit_record(profile, visit_id)) != row[1]:
            problems.append(f"visit {visit_id} no longer hashes to the content hash it records")
    if problems:
        tail = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines[-6:])
        pytest.fail(f"{where}:\n" + "\n".join(problems) + f"\n--- the child's last lines ---\n{tail}")
    return actual


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_nothing_acknowledged_is_lost_when_the_app_is_killed(tmp_path):
    root = tmp_path / "profile"
    with Profile.open(root) as profile:
        build_demo(profile, today=date.today())
        model = snapshot(profile.db)
    rng = random.Random(f"crash-{SEED}")
    figures = Figures()
    media = MediaCheck()
    first_op = 0
    began = time.monotonic()
    for number in range(KILLS):
        where = f"seed {SEED}, round {number} (replay: FIELDMARK_CRASH_SEED={SEED} FIELDMARK_CRASH_KILLS={number + 1})"
        lines, point = run_round(rng, root, number, first_op, tmp_path / "child.log")
        figures.kills += 1
        figures.kill_points[point] += 1
        first_op = max((line["n"] for line in lines), default=first_op - 1) + 1
        left = unfinished(root)
        figures.temp_files_after_kill += len(left)
        photo = lines[-1] if point in ("photo", "amend_photo") else None
        stored = photo is not None and blob_path(root / MEDIA_DIR, photo["sha"]).is_file()
        with Profile.open(root) as profile:  # as the app opens it: recovery, then the clean-up
            if left_open := unfinished(root):
                pytest.fail(f"{where}: unfinished writes still there after opening the profile: {left_open}")
            model = check_round(profile, model, lines, figures, media, where)
        if photo is not None:
            figures.photo_kills[photo_phase(root, photo["sha"], left, stored, model)] += 1
    with Profile.open(root) as profile:
        locked = [r[0] for r in profile.db.execute(
            "SELECT id FROM visits WHERE status IN ('finalized', 'amended') AND deleted = 0")]
        broken = [v for v in locked if content_hash(visit_record(profile, v)) !=
                  profile.db.execute("SELECT content_hash FROM visits WHERE id = ?", (v,)).fetchone()[0]]
        assert not broken, f"finalized visits that no longer hash to their content hash: {broken}"
        report = figures.as_dict(seed=SEED, seconds=round(time.monotonic() - began, 1),
                                 photos=len([k for k in model if k[0] == "photo"]),
                                 orphan_whole_files=len(media.orphans), finalized_visits=len(locked))
    print("\ncrash consistency:", json.dumps(report, ensure_ascii=False))
    if out := os.environ.get("FIELDMARK_CRASH_REPORT"):
        Path(out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    assert figures.kills == KILLS and figures.lost == 0
    assert sum(figures.acknowledged.values()) > KILLS, "the children hardly did anything before their kill"

"""Sync (issue 12): the laptop's sync engine against a server over loopback.

The server runs in a process of its own (``python -m server.cli serve``, SQLite, file blob store,
as ``bench/server.py`` starts it); the laptop's engine (``app.sync.engine.sync``) runs in this
process on a demo profile whose office tree the server holds. Photos are distinct incompressible
blobs of about 3 MB (random bytes under JPEG names, written through the media store's API, with
their evidence rows), so neither side can shrink them.

- **First sync of a day's work**: 5 new visits with their answers and 300 photos, after the
  profile's earlier work was synced. Throughput in photo bytes per second of the whole sync
  (blobs, push, pull), against a raw upload of the same files to the same server measured in the
  same run (``PUT /blobs/{sha}`` of each with httpx on one keep-alive connection; the server's
  copies are then removed so that the sync uploads them again). Target: at least 80 %.
- **Re-sync with nothing changed**: at most 0.3 s, and no photo bytes.
- **Resume after a cut**: a connection cut once half the photo bytes of a sync went out (an httpx
  transport wrapper that stops passing requests); the next sync completes. Bytes sent over both
  runs beyond the photos' total: at most one photo's worth.
- **Team merge**: two laptops of one team answer the two halves of a 300-item visit; the time from
  both pushed to both holding the whole visit (the second laptop's pull after its push, then the
  first laptop's sync), at most 1 s.

    python bench/sync.py            # 300 photos, 100 for the cut
    python bench/sync.py --quick    # 60 photos, 20 for the cut
    python bench/sync.py --profile /tmp/sync.prof   # cProfile of the first sync (laptop side)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import keyring  # noqa: E402

from bench.common import Figure, print_table  # noqa: E402
from bench.server import ServerProcess  # noqa: E402
from tests.server.sync_support import MemoryKeyring  # noqa: E402

PHOTO_BYTES = 3 * 1024 * 1024
DAY_VISITS = 5
PHOTOS = 300
CUT_PHOTOS = 100
TEAM_ITEMS = 300
TARGET_RATIO = 0.80
TARGET_RESYNC_S = 0.3
TARGET_MERGE_S = 1.0
PASSWORD = "bench-password-123"
HEADERS = {"Fieldmark-Protocol": "1"}


# --- the server -----------------------------------------------------------------------------------

def prepare_server(data_dir: Path, profile: Any) -> None:
    """A store holding the laptop's office tree (areas and units under the same ids, as if the
    office had imported what the laptop holds) and one inspector account scoped to its root."""
    from sqlalchemy import insert

    from db.rows import fetch_all
    from server import accounts
    from server.config import load_config, save_config
    from server.store.database import migrate, open_engine
    from server.store.schema import admin_areas, units
    from server.sync.sequence import stamp

    config = load_config(data_dir, database=None, blobs=str(data_dir / "blobs"))
    save_config(config)
    engine = open_engine(config.database_url)
    migrate(engine)
    areas = fetch_all(profile.db, "SELECT id, parent_id, level, code, name FROM admin_areas")
    held = fetch_all(profile.db, "SELECT id, area_id, code, name, unit_type, head_name, phone, address, profile "
                                 "FROM units")
    by_id = {a["id"]: a for a in areas}

    def path(area: dict[str, Any]) -> str:
        parent = by_id.get(area["parent_id"])
        return (path(parent) if parent else "/") + area["code"] + "/"

    root = next(a for a in areas if a["parent_id"] is None)
    with engine.begin() as conn:
        for area in sorted(areas, key=lambda a: len(path(a))):
            conn.execute(insert(admin_areas).values(**area, path=path(area), updated_at=0.0, server_seq=stamp(conn)))
        for unit in held:
            conn.execute(insert(units).values(**unit, updated_at=0.0, server_seq=stamp(conn)))
        accounts.add_account(conn, login="inspector", password=PASSWORD, role="inspector", scope_code=root["code"])
    engine.dispose()


# --- the laptop's work ------------------------------------------------------------------------------

def team_rubric() -> dict[str, Any]:
    """A 300-item checklist in two sections of pass/fail items."""
    half = TEAM_ITEMS // 2
    return {
        "format": "fieldmark.rubric/1", "id": "bench-team", "version": "2026.1",
        "name": {"zh": "团队检查表", "en": "Team checklist"},
        "sections": [
            {"code": s, "name": {"zh": f"第{s}部分", "en": f"Part {s}"}, "items": [
                {"code": f"{s}{n}", "kind": "passfail", "text": {"zh": f"检查项{s}{n}", "en": f"Item {s}{n}"},
                 "max": 1} for n in range(1, half + 1)]}
            for s in ("A", "B")],
    }


def new_visits(profile: Any, count: int, day: str) -> list[str]:
    """``count`` routine visits at distinct units with the demo's standard rubric, partly answered."""
    from app.demo import sample_value
    from app.rubric_store import get_rubric
    from app.visits import NewVisit, answer_item, create_visit

    rubric_hash = profile.db.execute("SELECT rubric_hash FROM visit_rubrics ORDER BY visit_id LIMIT 1").fetchone()[0]
    team = profile.db.execute("SELECT id FROM teams ORDER BY id LIMIT 1").fetchone()[0]
    used = {r[0] for r in profile.db.execute("SELECT unit_id FROM visits WHERE starts_on = ?", (day,))}
    free = [r[0] for r in profile.db.execute("SELECT id FROM units ORDER BY code") if r[0] not in used]
    rubric = get_rubric(profile, rubric_hash)
    rnd = random.Random(12)
    made = []
    for unit in free[:count]:
        visit = create_visit(profile, NewVisit(unit_id=unit, visit_type="routine", starts_on=day,
                                               rubric_hashes=[rubric_hash], team_id=team)).id
        for item in list(rubric.items.values())[:20]:
            answer_item(profile, visit, rubric_hash=rubric_hash, item_code=item.code,
                        value=sample_value(item, rnd, 0.8), evidence_methods=list(item.evidence) or ["site"],
                        note="", reason="现场查看发现不足。")
        made.append(visit)
    return made


def add_photos(profile: Any, visits: list[str], count: int) -> list[tuple[str, int]]:
    """``count`` distinct incompressible blobs of about 3 MB in the media store, each with its
    evidence row, spread over ``visits``; returns (sha256, size) of each."""
    from app.evidence.store import put_blob
    from app.ids import new_id
    from db import rows

    made = []
    with profile.transaction() as tx:
        for n in range(count):
            data = os.urandom(PHOTO_BYTES - 4096 + random.randrange(8192))
            sha, _ = put_blob(profile.media_dir, data)
            rows.insert(tx.db, "evidence", {
                "id": new_id(), "sha256": sha, "visit_id": visits[n % len(visits)], "size": len(data),
                "original_name": f"IMG_{n:04d}.JPG", "media_type": "image/jpeg", "imported_at": tx.now}, tx.meta)
            made.append((sha, len(data)))
    return made


# --- transports ------------------------------------------------------------------------------------

@dataclass
class Wire(httpx.BaseTransport):
    """The real transport, counting the blob bytes that go out. With ``cut_after`` set, the
    connection is cut once that many blob bytes went out: the request under way stops mid-body
    and every later one fails, as a network that went away."""

    cut_after: int | None = None
    sent: int = 0
    cut: bool = False
    # The blobs the server answered for: sent whole.
    whole: list[str] = field(default_factory=list)
    real: httpx.HTTPTransport = field(default_factory=httpx.HTTPTransport)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.cut:
            raise httpx.ConnectError("the network is gone", request=request)
        if request.method != "PUT" or "/blobs/" not in request.url.path:
            return self.real.handle_request(request)
        size = int(request.headers.get("content-length", 0))
        if self.cut_after is not None and self.sent + size > self.cut_after:
            budget = self.cut_after - self.sent
            for chunk in request.stream:  # type: ignore[union-attr]
                taken = min(len(chunk), budget)
                self.sent += taken
                budget -= taken
                if budget <= 0:
                    break
            self.cut = True
            raise httpx.WriteError("the connection dropped while sending", request=request)
        answer = self.real.handle_request(request)
        self.sent += size
        self.whole.append(request.url.path.rsplit("/", 1)[1])
        return answer

    def close(self) -> None:
        self.real.close()


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            yield block


def raw_upload(url: str, token: str, media: Path, photos: list[tuple[str, int]]) -> float:
    """Seconds to PUT every photo's file to the server on one keep-alive connection."""
    from app.evidence.store import blob_path

    headers = HEADERS | {"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"}
    with httpx.Client(base_url=url + "/api/v1", headers=headers, timeout=120) as client:
        started = time.perf_counter()
        for sha, size in photos:
            answer = client.put(f"/blobs/{sha}", content=_chunks(blob_path(media, sha)),
                                headers={"Content-Length": str(size)})
            if answer.status_code not in (200, 201):
                raise RuntimeError(f"raw upload refused: {answer.status_code} {answer.text[:200]}")
        return time.perf_counter() - started


# --- the run -------------------------------------------------------------------------------------

def synced(profile: Any, session: Any, progress: Any = None, **kwargs: Any) -> Any:
    from app.sync.engine import sync

    result = sync(profile, session, progress, **kwargs)
    if not result.complete:
        raise RuntimeError(f"sync did not complete: {result.reason}: {result.message}")
    return result


def run(quick: bool = False, profile_out: Path | None = None) -> list[Figure]:
    from app.demo import build_demo
    from app.profile import Profile
    from app.rubric_store import import_document
    from app.sync.client import Retry
    from app.sync.device import login
    from app.visits import NewVisit, answer_item, create_visit

    photos_n, cut_n = (60, 20) if quick else (PHOTOS, CUT_PHOTOS)
    retry = Retry(attempts=2, first_wait=0.0, longest_wait=0.0, timeout=60.0)
    before = keyring.get_keyring()
    # The token and device key for this run only: the user's keychain is left alone.
    keyring.set_keyring(MemoryKeyring())
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="fm-bench-sync-") as tmp:
        root = Path(tmp)
        laptop = Profile.open(root / "laptop")
        build_demo(laptop, today=date(2026, 11, 24))
        team_hash = import_document(laptop, team_rubric())[0].hash
        prepare_server(root / "server", laptop)
        server = ServerProcess(root / "server", 0)
        try:
            session = login(laptop, server.url, "inspector", PASSWORD, retry=retry)
            print("the demo's earlier work: first sync (not timed)", file=sys.stderr, flush=True)
            synced(laptop, session, retry=retry)

            # The day's work: 5 visits and their photos.
            visits = new_visits(laptop, DAY_VISITS, "2026-11-25")
            photos = add_photos(laptop, visits, photos_n)
            total = sum(size for _, size in photos)
            print(f"raw upload of {photos_n} photos ({total / 1e6:.0f} MB)", file=sys.stderr, flush=True)
            raw_s = raw_upload(server.url, session.token, laptop.media_dir, photos)
            # The server's copies go, so the sync has them all to send again.
            for sha, _ in photos:
                (root / "server" / "blobs" / sha[:2] / sha).unlink()
            print("first sync of the day's work", file=sys.stderr, flush=True)
            profiler = None
            if profile_out is not None:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started = time.perf_counter()
            first = synced(laptop, session, retry=retry)
            sync_s = time.perf_counter() - started
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(str(profile_out))
                print(f"cProfile of the first sync in {profile_out}", file=sys.stderr)
            if first.bytes_uploaded != total:
                raise RuntimeError(f"the sync sent {first.bytes_uploaded} photo bytes of {total}")
            raw_rate, sync_rate = total / raw_s / 1e6, total / sync_s / 1e6
            figures += [
                Figure(f"raw upload: {photos_n} photos x 3 MB, one connection", raw_rate, "MB/s", 0.0, sense="min"),
                Figure(f"first sync: {DAY_VISITS} visits, {photos_n} photos", sync_rate, "MB/s", 0.0, sense="min"),
                Figure("first sync throughput / raw upload", sync_rate / raw_rate, "ratio", TARGET_RATIO, sense="min"),
            ]

            # Nothing changed.
            started = time.perf_counter()
            again = synced(laptop, session, retry=retry)
            resync_s = time.perf_counter() - started
            figures += [Figure("re-sync, nothing changed", resync_s, "s", TARGET_RESYNC_S),
                        Figure("re-sync, nothing changed: photo bytes sent", again.bytes_uploaded, "B", 0.0)]

            # A cut at half the photo bytes, then the next sync.
            cut_visit = new_visits(laptop, 1, "2026-11-26")
            cut_photos = add_photos(laptop, cut_visit, cut_n)
            cut_total = sum(size for _, size in cut_photos)
            wire = Wire(cut_after=cut_total // 2)
            from app.sync.engine import sync

            stopped = sync(laptop, session, transport=wire, retry=retry)
            if stopped.complete:
                raise RuntimeError("the cut did not stop the sync")
            rest = Wire()
            synced(laptop, session, transport=rest, retry=retry)
            resent = wire.sent + rest.sent - cut_total
            largest = max(size for _, size in cut_photos)
            # The bytes sent again are those of the photo under way when the cut came (it goes
            # again whole); no photo the server answered for before the cut is sent again.
            figures += [Figure(f"resume after a cut at 50% of {cut_n} photos: bytes sent again", resent / 1e6, "MB",
                               largest / 1e6),
                        Figure("resume after a cut: photos stored before the cut sent again",
                               len(set(wire.whole) & set(rest.whole)), "photos", 0.0)]

            # Team merge: a copy of the synced laptop is the team-mate (a new device id).
            team_visit = create_visit(laptop, NewVisit(
                unit_id=laptop.db.execute("SELECT unit_id FROM visits ORDER BY id LIMIT 1").fetchone()[0],
                visit_type="routine", starts_on="2026-11-27", rubric_hashes=[team_hash])).id
            synced(laptop, session, retry=retry)
            laptop.close()
            shutil.copytree(root / "laptop", root / "mate")
            laptop = Profile.open(root / "laptop")
            mate = Profile.open(root / "mate")
            try:
                mate_session = login(mate, server.url, "inspector", PASSWORD, retry=retry)
                for who, section in ((laptop, "A"), (mate, "B")):
                    for n in range(1, TEAM_ITEMS // 2 + 1):
                        answer_item(who, team_visit, rubric_hash=team_hash, item_code=f"{section}{n}",
                                    value=n % 3 != 0, evidence_methods=["site"], note="", reason="现场查看发现不足。")
                synced(laptop, session, retry=retry)
                pushed_at: list[float] = []

                def heard(progress: Any) -> None:
                    if progress.phase == "push" and progress.items_total and progress.items_done == progress.items_total:
                        pushed_at.append(time.perf_counter())

                synced(mate, mate_session, heard, retry=retry)
                synced(laptop, session, retry=retry)
                merge_s = time.perf_counter() - pushed_at[-1]
                for who in (laptop, mate):
                    held = who.db.execute("SELECT count(*) FROM responses WHERE visit_id = ? AND deleted = 0",
                                          (team_visit,)).fetchone()[0]
                    if held != TEAM_ITEMS:
                        raise RuntimeError(f"a laptop holds {held} of the {TEAM_ITEMS} answers after the merge")
                figures.append(Figure(f"team merge: {TEAM_ITEMS}-item visit, both pushed -> both whole", merge_s,
                                      "s", TARGET_MERGE_S))
            finally:
                mate.close()
        finally:
            server.stop()
            laptop.close()
            keyring.set_keyring(before)
    load = os.getloadavg()
    print(f"load average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores",
          file=sys.stderr)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 photos (20 for the cut) instead of 300 (100)")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile of the first sync here")
    args = parser.parse_args(argv)
    print_table(run(args.quick, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

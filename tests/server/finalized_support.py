"""A real laptop profile pushing to the test server: its rows as RowChanges, its rubric templates,
its finalized versions with the stated score, from a registered device."""

from __future__ import annotations

import json
import random
import shutil
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, update

from app.demo import build_demo, sample_value
from app.demo_photos import PHONE, demo_jpeg
from app.evidence import import_bytes
from app.findings import add_finding, add_good_practice
from app.profile import Profile
from app.rubric_store import get_rubric
from app.scores import visit_summaries
from app.sync.keys import generate_device_key, public_key_text
from app.sync.local import apply_receipt, row_change
from app.sync.protocol import Receipt
from app.visits import VisitFilter, answer_item, get_visit, list_visits
from db.rows import fetch_all, fetch_one
from server.store.schema import (
    admin_areas,
    finalized_versions,
    rubric_templates,
    sync_changesets,
    sync_conflicts,
    sync_counter,
    sync_rows,
    units,
)
from tests.server.conftest import TOWNSHIP
from tests.server.test_push import send

API = "/api/v1"
TODAY = date(2026, 11, 24)
STORED = (sync_rows, sync_conflicts, sync_changesets, sync_counter, finalized_versions, rubric_templates)
# Every synced table with a visit_id column.
VISIT_ROW_TABLES = ("visit_rubrics", "visit_members", "visit_sections", "responses", "findings", "finding_events",
                    "good_practices", "evidence", "evidence_captions", "evidence_annotations", "evidence_links",
                    "evidence_positions", "signatures", "audit_log")


def build_demo_profile(root: Path) -> Path:
    profile = Profile.open(root)
    try:
        build_demo(profile, today=TODAY)
    finally:
        profile.close()
    return root


def copy_profile(template: Path, root: Path) -> Profile:
    shutil.copytree(template, root)
    return Profile.open(root)


def snapshot(server: Any) -> dict[str, list[tuple[Any, ...]]]:
    with server.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t)).all()) for t in STORED}


def push_twice(server: Any, token: str, body: Any) -> httpx.Response:
    """Send ``body`` twice: the same answer, and the second changes nothing (finalized versions
    and templates included)."""
    first = send(server, token, body)
    before = snapshot(server)
    second = send(server, token, body)
    assert second.status_code == first.status_code, second.text
    strip = ("request_id",)
    assert {k: v for k, v in second.json().items() if k not in strip} == \
        {k: v for k, v in first.json().items() if k not in strip}
    assert snapshot(server) == before
    return first


def register_device(server: Any, token: str, device_id: str) -> None:
    body = {"device_id": device_id, "public_key": public_key_text(generate_device_key()), "label": "test laptop"}
    with server.client(token) as c:
        answer = c.put(f"{API}/devices/{device_id}", json=body)
    assert answer.status_code in (200, 201), answer.text


def adopt_unit(server: Any, profile: Profile, unit_id: str) -> None:
    """Make the server hold the laptop's unit (same id, code, type and profile numbers), in the
    township of the test tree, as if the laptop had pulled it."""
    row = fetch_one(profile.db, "SELECT * FROM units WHERE id = ?", (unit_id,))
    assert row is not None
    columns = {c: row[c] for c in ("id", "code", "name", "unit_type", "head_name", "phone", "address", "profile")}
    with server.engine.begin() as conn:
        area = conn.execute(select(admin_areas.c.id).where(admin_areas.c.code == TOWNSHIP)).scalar_one()
        held = conn.execute(select(units.c.id).where(units.c.code == row["code"])).scalar_one_or_none()
        if held is None:
            conn.execute(insert(units).values(area_id=area, updated_at=0.0, **columns))
        else:
            conn.execute(update(units).where(units.c.id == held).values(area_id=area, **columns))


@dataclass
class Laptop:
    """A demo profile with a device registered to one account."""

    profile: Profile
    token: str
    seq: int = 0

    @property
    def device_id(self) -> str:
        return self.profile.device_id

    def rows(self, visit_id: str) -> list[dict[str, Any]]:
        """The visit's rows not yet acknowledged, as the laptop's sync turns them into RowChanges."""
        db = self.profile.db
        found = [row_change("visits", r) for r in fetch_all(db, "SELECT * FROM visits WHERE id = ? AND dirty = 1",
                                                             (visit_id,))]
        for table in VISIT_ROW_TABLES:
            found += [row_change(table, r)
                      for r in fetch_all(db, f"SELECT * FROM {table} WHERE visit_id = ? AND dirty = 1", (visit_id,))]
        return [change.model_dump(mode="json") for change in found]

    def blobs(self, rows: list[dict[str, Any]]) -> list[str]:
        return sorted({r["values"]["sha256"] for r in rows if r["table"] in ("evidence", "signatures")})

    def upload(self, server: Any, shas: list[str]) -> None:
        with server.client(self.token) as c:
            for sha in shas:
                data = (self.profile.media_dir / sha[:2] / sha).read_bytes()
                assert c.put(f"{API}/blobs/{sha}", content=data).status_code in (200, 201)

    def templates(self, hashes: list[str]) -> list[dict[str, Any]]:
        out = []
        for h in hashes:
            r = fetch_one(self.profile.db, "SELECT * FROM rubric_templates WHERE hash = ?", (h,))
            assert r is not None
            out.append({"hash": r["hash"], "rubric_id": r["rubric_id"], "version": r["version"],
                        "name_zh": r["name_zh"], "name_en": r["name_en"], "document": json.loads(r["document"])})
        return out

    def rubric_hashes(self, visit_id: str) -> list[str]:
        rows = self.profile.db.execute("SELECT rubric_hash FROM visit_rubrics WHERE visit_id = ? ORDER BY position",
                                       [visit_id]).fetchall()
        return [r[0] for r in rows]

    def stated_score(self, visit_id: str) -> dict[str, Any]:
        """What the laptop states: its summary of the visit (the first rubric's total and band)."""
        summary = visit_summaries(self.profile, [visit_id])[visit_id]
        return {"total": summary.awarded, "maximum": summary.maximum,
                "band": None if summary.band is None else summary.band.zh}

    def version(self, visit_id: str, replaces: str | None = None) -> dict[str, Any]:
        v = fetch_one(self.profile.db, "SELECT * FROM visits WHERE id = ?", (visit_id,))
        assert v is not None
        return {"visit_id": visit_id, "amendment_no": v["amendment_no"], "content_hash": v["content_hash"],
                "replaces": replaces, "finalized_at": v["amended_at"] or v["finalized_at"],
                "score": self.stated_score(visit_id)}

    def changeset(self, rows: list[dict[str, Any]], **parts: Any) -> dict[str, Any]:
        self.seq += 1
        return {"changeset_id": str(uuid.uuid4()), "device_id": self.device_id, "device_seq": self.seq,
                "created_at": "2026-11-24T17:45:12.004+08:00", "rows": rows, "blobs": self.blobs(rows), **parts}

    def acknowledge(self, receipt: dict[str, Any]) -> None:
        apply_receipt(self.profile, Receipt.model_validate(receipt))


def in_progress_visit(profile: Profile, n: int = 0) -> str:
    return list_visits(profile, VisitFilter(status="in_progress"), limit=100)[n].id


def answer_visit(profile: Profile, visit_id: str) -> None:
    """Work through the visit as an inspector would: answer every item (some below the top, with a
    reason), a photo on the first item, a finding and a good practice."""
    rnd = random.Random(7)
    visit = get_visit(profile, visit_id)
    for rubric_hash in visit.rubric_hashes:
        rubric = get_rubric(profile, rubric_hash)
        for item in rubric.items.values():
            answer_item(profile, visit_id, rubric_hash=rubric_hash, item_code=item.code,
                        value=sample_value(item, rnd, 0.7), evidence_methods=list(item.evidence) or ["site"],
                        reason="现场查看发现不足。")
    first = get_rubric(profile, visit.rubric_hashes[0])
    item_code = next(iter(first.items))
    photo = demo_jpeg("gate", rnd, taken=datetime(2026, 11, 24, 9, 30), camera=PHONE, place=(32.54, 111.51))
    import_bytes(profile, photo, "IMG_0001.jpg", visit_id=visit_id, item_code=item_code,
                 rubric_hash=first.content_hash)
    add_finding(profile, visit_id, description="消防通道堆放杂物", requirement="一周内清理", deadline="2026-12-01",
                rubric_hash=first.content_hash, item_code=item_code)
    add_good_practice(profile, visit_id, "校门安全值守规范", item_code=item_code)

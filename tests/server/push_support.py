"""Helpers for the tests that push (and import bundles): rows, changesets, registered devices,
sending a push (twice), and a snapshot of what the store holds."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.sync import keys
from app.sync.ids import response_key
from server.store.schema import sync_changesets, sync_conflicts, sync_counter, sync_rows, units

API = "/api/v1"
RUBRIC = "9f2c4e1a7b3d5e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"
SYNC_TABLES = (sync_rows, sync_conflicts, sync_changesets, sync_counter)


def rev(ms: int, device: str, counter: int = 0) -> str:
    return f"{ms:015d}-{counter:06d}-{device}"


def unit_id(server: Any, code: str) -> str:
    with server.engine.connect() as conn:
        return str(conn.execute(select(units.c.id).where(units.c.code == code)).scalar_one())


def register_device(server: Any, token: str, device_id: str, key: Ed25519PrivateKey | None = None) -> Ed25519PrivateKey:
    """``PUT /devices/{id}`` as the token's account, as a laptop does right after login; its key."""
    key = key or keys.generate_device_key()
    with server.client(token) as c:
        answer = c.put(f"{API}/devices/{device_id}", json={
            "device_id": device_id, "algorithm": "ed25519", "public_key": keys.public_key_text(key),
            "label": "TEST-LAPTOP"})
    assert answer.status_code in (200, 201), answer.text
    return key


def new_device(server: Any, token: str) -> str:
    """A new device id, registered to the token's account."""
    device = str(uuid.uuid4())
    register_device(server, token, device)
    return device


def visit_row(visit: str, unit: str, r: str, base: str | None = None, **values: Any) -> dict[str, Any]:
    return {"table": "visits", "key": visit, "rev": r, "base_rev": base,
            "values": {"unit_id": unit, "starts_on": "2026-11-24", **values}}


def response_row(visit: str, item: str, value: str, r: str, base: str | None = None,
                 **extra: Any) -> dict[str, Any]:
    return {"table": "responses", "key": response_key(visit, RUBRIC, item), "rev": r, "base_rev": base,
            "values": {"visit_id": visit, "rubric_hash": RUBRIC, "item_code": item, "value": value}, **extra}


def evidence_row(visit: str, sha: str, r: str, size: int = 5) -> dict[str, Any]:
    return {"table": "evidence", "key": str(uuid.uuid4()), "rev": r, "base_rev": None,
            "values": {"visit_id": visit, "sha256": sha, "size": size, "media_type": "image/jpeg"}}


def changeset(device: str, seq: int, rows: list[dict[str, Any]], blobs: list[str] | None = None,
              changeset_id: str | None = None) -> dict[str, Any]:
    return {"changeset_id": changeset_id or str(uuid.uuid4()), "device_id": device, "device_seq": seq,
            "created_at": "2026-11-24T17:45:12.004+08:00", "rows": rows, "blobs": blobs or []}


def snapshot(server: Any) -> dict[str, list[tuple[Any, ...]]]:
    with server.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(select(t)).all()) for t in SYNC_TABLES}


def send(server: Any, token: str, body: Any) -> httpx.Response:
    with server.client(token) as c:
        if isinstance(body, (bytes, str)):
            return c.post(API + "/changesets", content=body, headers={"content-type": "application/json"})
        return c.post(API + "/changesets", json=body)


def push_twice(server: Any, token: str, body: Any) -> httpx.Response:
    """Send ``body`` twice; the second answer equals the first and changes nothing."""
    first = send(server, token, body)
    before = snapshot(server)
    second = send(server, token, body)
    assert second.status_code == first.status_code, second.text
    if first.status_code == 200:
        assert second.json() == first.json()
    else:
        assert {k: v for k, v in second.json().items() if k != "request_id"} == \
            {k: v for k, v in first.json().items() if k != "request_id"}
    assert snapshot(server) == before
    return first


def statuses(answer: httpx.Response) -> dict[str, str]:
    return {r["key"]: r["status"] for r in answer.json()["rows"]}


def upload(server: Any, token: str, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    with server.client(token) as c:
        assert c.put(f"{API}/blobs/{sha}", content=data).status_code in (200, 201)
    return sha


def metric(server: Any, line_start: str) -> float:
    """The value of the one /metrics sample whose line starts with ``line_start`` (0 when absent)."""
    text = httpx.get(server.url + "/metrics").text
    found = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(line_start + " ")]
    return float(found[0]) if found else 0.0

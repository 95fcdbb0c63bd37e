"""What the server holds of one visit, for `fieldmark-server visit show`.

The content hash is recomputed from the rows now (members ordered as the latest version lists
them, see ``server.sync.held_visit``), so an edit pushed after finalizing shows as a hash that no
longer matches the latest finalized version.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from app.canonical import content_hash
from server.errors import NotFound
from server.store.schema import finalized_versions, sync_conflicts
from server.sync.held_visit import (
    UnusableRows,
    build_record,
    held_rubric,
    load_visit,
    member_orders,
    record_matching,
    rescore,
)


def _version(r: Any) -> dict[str, Any]:
    return {"amendment_no": r.amendment_no, "content_hash": r.content_hash, "replaces": r.replaces,
            "finalized_at": r.finalized_at, "code": r.code, "score_matches": bool(r.score_matches),
            "stated": {"total": r.stated_total, "maximum": r.stated_maximum, "band": r.stated_band},
            "server": {"total": r.server_total, "maximum": r.server_maximum, "band": r.server_band,
                       "vetoes": json.loads(r.server_vetoes)}}


def _conflict(r: Any) -> dict[str, Any]:
    return {"conflict_id": r.id, "table": r.table_name, "key": r.key, "base_rev": r.base_rev,
            "current_rev": json.loads(r.current)["rev"], "incoming_rev": json.loads(r.incoming)["rev"],
            "changeset_id": r.changeset_id}


def describe_visit(conn: Connection, visit_id: str) -> dict[str, Any]:
    """The visit's status, recomputed hash, re-score, finalized versions and open conflicts."""
    held = load_visit(conn, visit_id)
    if held is None:
        raise NotFound(f"the server holds no visit {visit_id}")
    versions = conn.execute(select(finalized_versions).where(finalized_versions.c.visit_id == visit_id)
                            .order_by(finalized_versions.c.amendment_no)).all()
    latest = versions[-1] if versions else None
    conflicts = conn.execute(select(sync_conflicts).where(sync_conflicts.c.visit_id == visit_id,
                                                          sync_conflicts.c.status == "open")
                             .order_by(sync_conflicts.c.detected_at, sync_conflicts.c.id)).all()
    view: dict[str, Any] = {
        "visit_id": visit_id, "unit_id": held.unit_id,
        "status": "draft" if latest is None else ("finalized" if latest.amendment_no == 0 else "amended"),
        "content_hash": None, "matches_latest": None, "score": None, "problem": None,
        "versions": [_version(v) for v in versions], "open_conflicts": [_conflict(c) for c in conflicts],
    }
    try:
        record = build_record(held)
        hint = json.loads(latest.record)["members"] if latest is not None else None
        matched = record_matching(record, latest.content_hash, hint) if latest is not None else None
        now = matched or next(member_orders(record, hint))
        view["content_hash"] = content_hash(now)
        view["matches_latest"] = None if latest is None else matched is not None
        rubrics = {h: held_rubric(conn, h) for h in now["rubrics"]}
        lacking = [h for h, r in rubrics.items() if r is None]
        if lacking:
            view["problem"] = f"the server lacks the rubric template(s) {', '.join(lacking)}"
        else:
            held_rubrics = {h: r for h, r in rubrics.items() if r is not None}
            view["score"] = [s.json() for s in rescore(held, held_rubrics, now["rubrics"])]
    except UnusableRows as exc:
        view["problem"] = str(exc)
    return view

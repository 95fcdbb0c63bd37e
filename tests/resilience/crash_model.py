"""What a profile must hold after a kill: the state before the round plus every acknowledged
operation, plus, for the one operation the kill interrupted, either all of it or none of it.

The state is a snapshot of the rows the child's operations write, as a dict from a key
(``("response", visit, rubric, item)``, ``("photo", evidence_id)``, ...) to the values that
matter. The model starts as the snapshot taken after the previous round's check, so a row no
operation touched must not change either. Each operation's effect on it is ``apply``: with the ids
from its acknowledgement, or, for the interrupted one, with the ids of the new rows found in the
profile (an operation that made a row is recognised by its unique values).
"""

from __future__ import annotations

import json
from typing import Any

from db.queries import evidence as eq
from db.queries import findings as fq
from db.rows import fetch_all

Key = tuple[str, ...]
State = dict[Key, Any]


def snapshot(db: Any) -> State:
    state: State = {}
    for r in fetch_all(db, "SELECT visit_id, rubric_hash, item_code, deleted, value, na, note FROM responses"):
        key = ("response", r["visit_id"], r["rubric_hash"], r["item_code"])
        state[key] = (True,) if r["deleted"] else \
            (False, None if r["value"] is None else json.loads(r["value"]), bool(r["na"]), r["note"])
    for r in fetch_all(db, f"{fq.FINDING} WHERE f.deleted = 0"):
        state[("finding", r["id"])] = (r["visit_id"], r["description"], r["status"])
    for r in fetch_all(db, "SELECT id, visit_id, text FROM good_practices WHERE deleted = 0"):
        state[("practice", r["id"])] = (r["visit_id"], r["text"])
    for r in fetch_all(db, eq.PHOTO):
        state[("photo", r["id"])] = (r["sha256"], r["visit_id"], r["item_code"], r["rubric_hash"],
                                     r["finding_id"], r["caption"], bool(r["deleted"]))
    for r in fetch_all(db, "SELECT id, visit_id, role, sha256 FROM signatures"):
        state[("signature", r["id"])] = (r["visit_id"], r["role"], r["sha256"])
    for r in fetch_all(db, "SELECT v.id, v.status, f.content_hash FROM visits v LEFT JOIN finalized_versions f "
                           "ON f.visit_id = v.id AND f.amendment_no = 0 WHERE v.deleted = 0"):
        state[("visit", r["id"])] = (r["status"] in ("finalized", "amended"), r["content_hash"])
    for r in fetch_all(db, "SELECT DISTINCT reason, visit_id FROM audit_log WHERE deleted = 0"):
        state[("audit", r["reason"], r["visit_id"])] = True
    return state


def _new(state: State, model: State, family: str, match: Any) -> str | None:
    """The id of a row of ``family`` in ``state`` that ``model`` lacks and ``match`` accepts."""
    found = [k[1] for k, v in state.items() if k[0] == family and k not in model and match(v)]
    return found[0] if len(found) == 1 else None


def discover(op: dict, state: State, model: State) -> dict | None:
    """The ids an interrupted operation would have acknowledged, found in ``state``; None when
    the operation made a row and no such row is there (so it did not commit)."""
    kind = op["op"]
    if kind == "finding":
        found = _new(state, model, "finding", lambda v: v[1] == op["description"])
    elif kind == "practice":
        found = _new(state, model, "practice", lambda v: v[1] == op["text"])
    elif kind in ("photo", "amend_photo"):
        found = _new(state, model, "photo", lambda v: v[0] == op["sha"])
    elif kind == "sign":
        found = _new(state, model, "signature", lambda v: v[2] == op["sha"])
    elif kind == "create_visit":
        found = _new(state, model, "visit", lambda v: True)
    elif kind == "finalize":
        visit = state.get(("visit", op["visit"]))
        return {"hash": visit[1]} if visit and visit[0] else None
    else:
        return {}
    return None if found is None else {"id": found}


def apply(model: State, op: dict, ids: dict) -> State:
    """``model`` with the operation ``op`` (its ``do`` line) done, ``ids`` from its acknowledgement."""
    out = dict(model)
    kind = op["op"]
    if kind in ("answer", "amend"):
        out[("response", op["visit"], op["rubric"], op["item"])] = \
            (False, None if op["na"] else op["value"], op["na"], op["note"])
    if kind == "amend" or (kind == "amend_photo"):
        out[("audit", op["reason"], op["visit"])] = True
    if kind == "clear":
        out[("response", op["visit"], op["rubric"], op["item"])] = (True,)
    elif kind == "finding":
        out[("finding", ids["id"])] = (op["visit"], op["description"], op["status"])
    elif kind == "finding_status":
        visit, description, _ = out[("finding", op["finding"])]
        out[("finding", op["finding"])] = (visit, description, op["status"])
    elif kind == "practice":
        out[("practice", ids["id"])] = (op["visit"], op["text"])
    elif kind in ("photo", "amend_photo"):
        out[("photo", ids["id"])] = (op["sha"], op["visit"], op["item"], op["rubric"], op["finding"], "", False)
    elif kind == "caption":
        out[("photo", op["photo"])] = (*out[("photo", op["photo"])][:5], op["caption"], out[("photo", op["photo"])][6])
    elif kind == "photo_delete":
        out[("photo", op["photo"])] = (*out[("photo", op["photo"])][:6], op["deleted"])
    elif kind == "sign":
        out[("signature", ids["id"])] = (op["visit"], op["role"], op["sha"])
    elif kind == "finalize":
        out[("visit", op["visit"])] = (True, ids["hash"])
    elif kind == "create_visit":
        out[("visit", ids["id"])] = (False, None)
    return out


def differences(expected: State, actual: State, limit: int = 20) -> list[str]:
    lines = []
    for key in sorted(set(expected) | set(actual), key=repr):
        if expected.get(key) != actual.get(key):
            lines.append(f"{key}: expected {expected.get(key, '(absent)')!r}, found {actual.get(key, '(absent)')!r}")
    return lines[:limit]

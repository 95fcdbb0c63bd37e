"""Child process of the crash-consistency test: edits a profile through the core operations, one
after another, until the test kills it with SIGKILL.

    python -m tests.resilience.crash_child DATA_DIR SEED FIRST_OP

It opens the profile as the app does (``Profile.open``: the lock, the migrations check, the
clean-up of unfinished media writes) and reads what it may edit from the database, so each
round continues on whatever the rounds before left. Every operation writes one line of JSON on
stdout, flushed at once:

- ``{"t": "do", ...}`` before the call: the operation's number, kind and everything it will
  write, so the test knows what a kill inside it may or may not have left behind;
- ``{"t": "ack", "n": ..., ...}`` once the call has returned, with the ids it made: from then on
  the edit is acknowledged, as the UI shows it saved, and must survive any crash;
- ``{"t": "refused", ...}`` when the app refused it (nothing was written).

Values are unique per operation (notes, captions and descriptions carry its number, every photo
and signature has bytes of its own), so the test can tell which of two writes a row holds.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PIL import Image

from app.demo import sample_value
from app.errors import FieldmarkError
from app.evidence import import_bytes
from app.evidence.photos import delete_photo, restore_photo, set_caption
from app.finalize import amend_response, finalize_visit
from app.findings import TRANSITIONS, add_finding, add_good_practice, set_finding_status
from app.profile import Profile
from app.rubric_store import get_rubric
from app.signatures import ROLES, add_signature
from app.visits import NewVisit, answer_item, clear_item, create_visit, get_visit
from db.queries import findings as fq
from db.rows import fetch_all

# How often each operation is drawn; an operation with nothing to act on falls back to an answer.
WEIGHTS = {
    "answer": 30, "clear": 4, "finding": 7, "finding_status": 5, "practice": 2, "photo": 16,
    "caption": 5, "photo_delete": 3, "sign": 3, "finalize": 4, "amend": 8, "amend_photo": 4,
    "create_visit": 2,
}
# Fewer visits under way than this and the child starts a new one (finalizing uses them up).
OPEN_VISITS = 3


def _photo_base(rng: random.Random) -> bytes:
    """A JPEG of noise (~170 KB: noise does not compress), so a photo's copy takes a while."""
    img = Image.frombytes("RGB", (520, 390), rng.randbytes(520 * 390 * 3))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=92)
    return out.getvalue()


def unique_jpeg(base: bytes, tag: str) -> bytes:
    """The base photo with a comment segment naming the operation: other bytes, same picture."""
    text = tag.encode()
    segment = b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text
    return base[:2] + segment + base[2:]


def unique_png(rng: random.Random) -> bytes:
    img = Image.frombytes("L", (120, 40), rng.randbytes(120 * 40))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@dataclass
class State:
    """What the child may edit, read from the profile at start and kept up to date."""

    open_visits: list[str] = field(default_factory=list)
    locked_visits: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    rubrics: list[str] = field(default_factory=list)
    team: str | None = None

    @classmethod
    def read(cls, profile: Profile) -> State:
        db = profile.db
        visits = fetch_all(db, "SELECT id, status FROM visits WHERE deleted = 0 ORDER BY id")
        team = db.execute("SELECT id FROM teams WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()
        return cls(
            open_visits=[v["id"] for v in visits if v["status"] == "in_progress"],
            locked_visits=[v["id"] for v in visits if v["status"] in ("finalized", "amended")],
            units=[r[0] for r in db.execute("SELECT id FROM units WHERE deleted = 0 ORDER BY id")],
            rubrics=[r[0] for r in db.execute("SELECT DISTINCT rubric_hash FROM visit_rubrics ORDER BY 1")],
            team=team[0] if team else None)


class Child:
    def __init__(self, profile: Profile, rng: random.Random, first_op: int) -> None:
        self.profile = profile
        self.rng = rng
        self.n = first_op
        self.state = State.read(profile)
        self.photo = _photo_base(rng)

    def say(self, kind: str, **fields: Any) -> None:
        print(json.dumps({"t": kind, "n": self.n, **fields}, ensure_ascii=False), flush=True)

    # --- choosing what to edit ---------------------------------------------------------------

    def item(self, visit_id: str) -> tuple[str, Any]:
        rubric_hash = self.rng.choice(get_visit(self.profile, visit_id).rubric_hashes)
        rubric = get_rubric(self.profile, rubric_hash)
        return rubric_hash, rubric.items[self.rng.choice(sorted(rubric.items))]

    def answer_fields(self, visit_id: str, note: str) -> dict[str, Any]:
        rubric_hash, item = self.item(visit_id)
        na = item.na_allowed and self.rng.random() < 0.1
        return {"visit": visit_id, "rubric": rubric_hash, "item": item.code, "na": na, "note": note,
                "value": None if na else sample_value(item, self.rng, 0.6),
                "methods": list(item.evidence)[:1] or ["site"]}

    def rows(self, sql: str, visits: list[str]) -> list[dict]:
        if not visits:
            return []
        marks = ", ".join("?" for _ in visits)
        return fetch_all(self.profile.db, sql.format(visits=marks), tuple(visits))

    # --- the operations: each returns the acknowledgement's fields, or None if it had nothing to act on

    def op_answer(self) -> dict | None:
        fields = self.answer_fields(self.rng.choice(self.state.open_visits), f"op {self.n}")
        self.say("do", op="answer", **fields)
        answer_item(self.profile, fields["visit"], rubric_hash=fields["rubric"], item_code=fields["item"],
                    value=fields["value"], na=fields["na"], evidence_methods=fields["methods"],
                    note=fields["note"], reason="现场查看")
        return {}

    def op_clear(self) -> dict | None:
        answered = self.rows("SELECT visit_id, rubric_hash, item_code FROM responses WHERE deleted = 0 "
                             "AND visit_id IN ({visits}) ORDER BY id", self.state.open_visits)
        if not answered:
            return None
        row = self.rng.choice(answered)
        self.say("do", op="clear", visit=row["visit_id"], rubric=row["rubric_hash"], item=row["item_code"])
        clear_item(self.profile, row["visit_id"], rubric_hash=row["rubric_hash"], item_code=row["item_code"])
        return {}

    def op_finding(self) -> dict | None:
        visit_id = self.rng.choice(self.state.open_visits)
        on_site = self.rng.random() < 0.15
        description = f"消防通道堆放杂物 op {self.n}"
        self.say("do", op="finding", visit=visit_id, description=description,
                 status="fixed_on_site" if on_site else "open")
        made = add_finding(self.profile, visit_id, description=description, requirement="一周内清理",
                           deadline="2026-12-31", severity=self.rng.choice(("general", "major")),
                           fixed_on_site=on_site)
        return {"id": made.id}

    def op_finding_status(self) -> dict | None:
        findings = fetch_all(self.profile.db, "SELECT id FROM findings WHERE deleted = 0 ORDER BY id")
        if not findings:
            return None
        finding_id = self.rng.choice(findings)["id"]
        current = fq.get_finding(self.profile.db, finding_id)
        status = self.rng.choice(sorted(TRANSITIONS[current["status"]]))
        self.say("do", op="finding_status", finding=finding_id, status=status, note=f"op {self.n}")
        set_finding_status(self.profile, finding_id, status, note=f"op {self.n}")
        return {}

    def op_practice(self) -> dict | None:
        visit_id = self.rng.choice(self.state.open_visits)
        text = f"好的做法 op {self.n}"
        self.say("do", op="practice", visit=visit_id, text=text)
        return {"id": add_good_practice(self.profile, visit_id, text).id}

    def _import(self, op: str, visit_id: str, amendment: str = "") -> dict | None:
        data = unique_jpeg(self.photo, f"op {self.n}")
        target: dict[str, Any] = {"item": None, "rubric": None, "finding": None}
        draw = self.rng.random()
        if draw < 0.4:
            rubric_hash, item = self.item(visit_id)
            target.update(item=item.code, rubric=rubric_hash)
        elif draw < 0.6 and not amendment:
            findings = fetch_all(self.profile.db, "SELECT id FROM findings WHERE visit_id = ? AND deleted = 0 "
                                 "ORDER BY id", (visit_id,))
            if findings:
                target["finding"] = self.rng.choice(findings)["id"]
        self.say("do", op=op, visit=visit_id, sha=hashlib.sha256(data).hexdigest(), size=len(data),
                 reason=amendment, **target)
        summary = import_bytes(self.profile, data, f"IMG_{self.n:06d}.jpg", visit_id=visit_id,
                               item_code=target["item"], rubric_hash=target["rubric"],
                               finding_id=target["finding"], amendment=amendment)
        if len(summary.imported) != 1:
            raise SystemExit(f"op {self.n}: the import did not import: {summary.results}")
        return {"id": summary.imported[0].evidence_id}

    def op_photo(self) -> dict | None:
        return self._import("photo", self.rng.choice(self.state.open_visits))

    def op_amend_photo(self) -> dict | None:
        if not self.state.locked_visits:
            return None
        return self._import("amend_photo", self.rng.choice(self.state.locked_visits), f"补充照片 op {self.n}")

    def _open_photo(self) -> dict | None:
        photos = self.rows("SELECT id, deleted FROM evidence WHERE visit_id IN ({visits}) ORDER BY id",
                           self.state.open_visits)
        return self.rng.choice(photos) if photos else None

    def op_caption(self) -> dict | None:
        photo = self._open_photo()
        if photo is None:
            return None
        caption = f"说明 op {self.n}"
        self.say("do", op="caption", photo=photo["id"], caption=caption)
        set_caption(self.profile, photo["id"], caption)
        return {}

    def op_photo_delete(self) -> dict | None:
        photo = self._open_photo()
        if photo is None:
            return None
        self.say("do", op="photo_delete", photo=photo["id"], deleted=not photo["deleted"])
        (restore_photo if photo["deleted"] else delete_photo)(self.profile, photo["id"])
        return {}

    def op_sign(self) -> dict | None:
        visit_id = self.rng.choice(self.state.open_visits)
        png = unique_png(self.rng)
        role = self.rng.choice(ROLES)
        self.say("do", op="sign", visit=visit_id, role=role, sha=hashlib.sha256(png).hexdigest())
        return {"id": add_signature(self.profile, visit_id, role=role, signer_name="张建华", png=png).id}

    def op_finalize(self) -> dict | None:
        visit_id = self.rng.choice(self.state.open_visits)
        self.say("do", op="finalize", visit=visit_id)
        digest = finalize_visit(self.profile, visit_id, accept_gaps=True).id
        self.state.open_visits.remove(visit_id)
        self.state.locked_visits.append(visit_id)
        return {"hash": digest}

    def op_amend(self) -> dict | None:
        if not self.state.locked_visits:
            return None
        fields = self.answer_fields(self.rng.choice(self.state.locked_visits), f"amend op {self.n}")
        reason = f"复核 op {self.n}"
        self.say("do", op="amend", reason=reason, **fields)
        amend_response(self.profile, fields["visit"], rubric_hash=fields["rubric"], item_code=fields["item"],
                       reason_for_change=reason, value=fields["value"], na=fields["na"], note=fields["note"],
                       reason="复核", evidence_methods=fields["methods"])
        return {}

    def op_create_visit(self) -> dict | None:
        unit = self.rng.choice(self.state.units)
        rubric_hash = self.rng.choice(self.state.rubrics)
        self.say("do", op="create_visit", unit=unit, rubric=rubric_hash)
        made = create_visit(self.profile, NewVisit(unit_id=unit, visit_type="routine", rubric_hashes=[rubric_hash],
                                                   starts_on=date.today().isoformat(), team_id=self.state.team))
        self.state.open_visits.append(made.id)
        return {"id": made.id}

    # --- the loop ------------------------------------------------------------------------------

    def step(self) -> None:
        kinds = list(WEIGHTS)
        kind = "create_visit" if len(self.state.open_visits) < OPEN_VISITS else \
            self.rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        try:
            acked = getattr(self, f"op_{kind}")()
            if acked is None:
                acked = self.op_answer()
        except FieldmarkError as exc:
            self.say("refused", reason=str(exc))
        else:
            self.say("ack", **(acked or {}))
        self.n += 1


def main(data_dir: str, seed: str, first_op: str) -> None:
    profile = Profile.open(data_dir)
    child = Child(profile, random.Random(seed), int(first_op))
    print(json.dumps({"t": "ready", "n": child.n}), flush=True)
    while True:
        child.step()


if __name__ == "__main__":
    main(*sys.argv[1:4])

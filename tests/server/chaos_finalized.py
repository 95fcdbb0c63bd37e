"""Finalizing and amending in the sync chaos run (tests/server/test_sync_chaos.py).

Each laptop may finalize its own visit at a round the seed picks (gaps accepted, signed by the
team leader first), then amend it in later rounds: an answer changed with a reason, or a photo
added by amendment, signing again when the amendment moved the visit to a new version. Team-mates
who have not heard of the finalization yet keep answering that visit: their edits reach the server
after it and wait there as conflicts, which the owner settles at the end, keeping the finalized
answer or accepting the team-mate's as an amendment, as the seed says.

At the end every version the laptops made must be on the server once, numbered 0..n, with the
hash the laptop recorded and the same figures the laptop stated.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from random import Random
from typing import Any

from PIL import Image
from sqlalchemy import select

from app.canonical import content_hash
from app.demo import sample_value
from app.demo_photos import PHONE, demo_jpeg
from app.evidence import import_bytes
from app.finalize import amend_response, finalize_visit
from app.profile import Profile
from app.rubric_store import get_rubric
from app.signatures import add_signature
from app.sync.resolve import conflict_views, resolve_conflict
from app.visits import answer_item, get_visit, visit_record
from db.queries import signatures as signatures_q
from db.queries import sync as sq
from server.store.schema import finalized_versions

AnswerKey = tuple[str, str, str]  # (visit, rubric hash, item code)


@dataclass
class Finals:
    """The seed's plan for finalizing and amending, and what came of it."""

    # laptop -> the round it finalizes its own visit in, when it does.
    finalize_round: dict[str, int] = field(default_factory=dict)
    # laptop -> the visit it finalizes and amends: its own, which no team-mate answers day to day,
    # or one the demo finalized already, which it then only amends.
    target: dict[str, str] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)  # finalized visit -> the laptop that finalized it
    counts: Counter[str] = field(default_factory=Counter)
    # Team-mates' edits of a visit finalized on its owner's laptop: answer -> the team-mate's note.
    late: dict[AnswerKey, str] = field(default_factory=dict)


def plan(seed: int, names: tuple[str, ...], rounds: int) -> Finals:
    """Drawn apart from the rest of the run, so the seeds keep their other draws."""
    rnd = Random(f"finalize-{seed}")
    finals = Finals()
    for name in names:
        if rnd.random() < 0.8:
            finals.finalize_round[name] = rnd.randrange(rounds - 1)
    return finals


def signature_png(name: str) -> bytes:
    out = io.BytesIO()
    Image.new("L", (48, 16), 255 - 40 * (ord(name[0]) % 5)).save(out, format="PNG")
    return out.getvalue()


def sign_if_needed(profile: Profile, visit_id: str, name: str, finals: Finals) -> None:
    """The team leader signs the version that stands, when it has no signature of that version."""
    visit = get_visit(profile, visit_id)
    if visit.locked and visit.version == 0:
        return  # signed before finalizing, or never: what was finalized stays as signed
    if signatures_q.current(profile.db, visit_id, "team_leader", version=visit.version):
        return
    add_signature(profile, visit_id, role="team_leader", signer_name=f"组长{name}", png=signature_png(name))
    finals.counts["signatures"] += 1


def items(profile: Profile, visit_id: str, parity: int) -> list[str]:
    """The owner amends the even items of the first rubric, team-mates answer the odd ones: an
    amendment and a team-mate's edit never meet on one answer."""
    rubric = get_rubric(profile, get_visit(profile, visit_id).rubric_hashes[0])
    return [code for k, code in enumerate(rubric.items) if k % 2 == parity]


def owner_step(profile: Profile, name: str, rnd: Random, round_no: int, finals: Finals,
               answers: dict[AnswerKey, str | None], photos: dict[str, str], events: list[str]) -> None:
    """Finalize the laptop's own visit in its round; amend it in a later one (a coin each round)."""
    due = finals.finalize_round.get(name)
    if due is None or round_no < due:
        return
    own = finals.target[name]
    finals.owner[own] = name
    visit = get_visit(profile, own)
    if not visit.locked:
        if round_no != due:
            return
        sign_if_needed(profile, own, name, finals)
        digest = finalize_visit(profile, own, accept_gaps=True).id
        finals.counts["finalizations"] += 1
        events.append(f"{name}: finalized {own[:8]} ({digest[:12]})")
        return
    if rnd.random() < 0.25:
        return
    number = visit.amendment_no + 1
    if rnd.random() < 0.6:
        rubric_hash = visit.rubric_hashes[0]
        code = rnd.choice(items(profile, own, 0))
        item = get_rubric(profile, rubric_hash).items[code]
        note = f"{name} amendment {number}: {code}"
        amend_response(profile, own, rubric_hash=rubric_hash, item_code=code, reason_for_change="复核更正",
                       value=sample_value(item, rnd, 0.6), note=note, reason="现场查看发现不足。",
                       evidence_methods=list(item.evidence) or ["site"])
        answers[(own, rubric_hash, code)] = note
        what = f"answer {code} changed"
    else:
        data = demo_jpeg("fire", Random(f"{name}-{own}-{number}"), taken=datetime(2026, 11, 24, 10, number),
                         camera=PHONE, place=(32.54, 111.51))
        summary = import_bytes(profile, data, f"IMG_A{number:03d}.jpg", visit_id=own, amendment="补拍现场照片")
        for imported in summary.imported:
            sha = profile.db.execute("SELECT sha256 FROM evidence WHERE id = ?", (imported.evidence_id,)).fetchone()[0]
            photos[sha] = own
        what = f"{len(summary.imported)} photo(s) added"
    finals.counts["amendments"] += 1
    events.append(f"{name}: amended {own[:8]} (amendment {get_visit(profile, own).amendment_no}): {what}")
    sign_if_needed(profile, own, name, finals)


def team_mate_step(profile: Profile, name: str, rnd: Random, round_no: int, finals: Finals,
                   answers: dict[AnswerKey, str | None], events: list[str]) -> None:
    """Now and then answer a visit a team-mate has finalized, on a laptop that has not heard so."""
    open_here = [v for v, owner in sorted(finals.owner.items()) if owner != name and not get_visit(profile, v).locked]
    if not open_here or rnd.random() < 0.5:
        return
    visit_id = rnd.choice(open_here)
    rubric_hash = get_visit(profile, visit_id).rubric_hashes[0]
    code = rnd.choice(items(profile, visit_id, 1))
    item = get_rubric(profile, rubric_hash).items[code]
    note = f"{name} round {round_no}: late answer to {code}"
    answer_item(profile, visit_id, rubric_hash=rubric_hash, item_code=code, value=sample_value(item, rnd, 0.6),
                evidence_methods=list(item.evidence) or ["site"], note=note, reason="现场查看发现不足。")
    answers[(visit_id, rubric_hash, code)] = finals.late[(visit_id, rubric_hash, code)] = note
    finals.counts["late_edits"] += 1
    events.append(f"{name}: answered {code} of {visit_id[:8]}, finalized on {finals.owner[visit_id]}'s laptop")


def settle(profiles: dict[str, Profile], seed: int, finals: Finals, answers: dict[AnswerKey, str | None],
           events: list[str], only: str | None = None) -> int:
    """Each owner (``only`` that one) settles the open conflicts of its finalized visit: the seed
    keeps the finalized answer or accepts the team-mate's as an amendment. Returns how many."""
    settled = 0
    for visit_id, owner in sorted(finals.owner.items()):
        if only is not None and owner != only:
            continue
        profile = profiles[owner]
        # One choice settles every open conflict of its row: look again after each.
        while views := conflict_views(profile, visit_id=visit_id):
            view = views[0]
            accept = Random(f"settle-{seed}-{view.key}").random() < 0.5
            choice = "theirs" if accept else "mine"
            amending = view.is_amendment(choice)
            resolve_conflict(profile, view.id, choice, reason="组员补充的现场记录" if amending else None)
            kept = view.theirs if accept else view.mine
            if view.table == "responses":
                key = (kept.values["visit_id"], kept.values["rubric_hash"], kept.values["item_code"])
                answers[key] = None if kept.deleted else kept.values.get("note")
            finals.counts["settled"] += 1
            finals.counts["amendments"] += amending
            settled += 1
            events.append(f"{owner}: conflict on {view.table} {view.key[:8]} of {visit_id[:8]} ({side(view.mine)} here, "
                          f"{side(view.theirs)} there, the server at {view.server_rev[-12:]}): kept {choice}"
                          + (" (an amendment)" if amending else ""))
    return settled


def side(version: Any) -> str:
    """One side of a conflict, for the log: its revision's end and its note or deletion."""
    return f"{version.rev[-12:]} " + ("deleted" if version.deleted else repr(version.values.get("note")))


def check(conn: Any, profiles: dict[str, Profile], finals: Finals) -> list[str]:
    """Every version once on the server, numbered without gaps, with the laptops' hashes and
    figures; each visit's latest version alike on every laptop and on the server."""
    problems: list[str] = []
    held = conn.execute(select(finalized_versions)).all()
    counted = Counter((v.visit_id, v.amendment_no) for v in held)
    if twice := [k for k, n in counted.items() if n > 1]:
        problems.append(f"server: finalized versions held twice: {twice[:3]}")
    by_visit: dict[str, dict[int, Any]] = {}
    for v in held:
        by_visit.setdefault(v.visit_id, {})[v.amendment_no] = v
    for visit_id in sorted(set(by_visit) | set(finals.owner)):
        numbers = sorted(by_visit.get(visit_id, {}))
        # The laptop that made the versions (the demo's own finalized visits: every laptop did).
        owner = finals.owner.get(visit_id) or next(iter(profiles))
        mine = {int(v["amendment_no"]): v for v in sq.versions_of(profiles[owner].db, visit_id)}
        superseded = {n for n, v in mine.items() if v["status"] == "superseded"}
        finals.counts["superseded"] += len(superseded) if visit_id in finals.owner else 0
        # A version amended before any sync carried it is superseded, and the server never holds it.
        if numbers != sorted(set(range(max(numbers, default=-1) + 1)) - superseded):
            problems.append(f"server: versions of {visit_id[:8]} are numbered {numbers} "
                            f"(superseded on the laptop: {sorted(superseded)})")
        if owner and set(numbers) != set(mine) - superseded:
            problems.append(f"server: versions of {visit_id[:8]} are {numbers}, {owner}'s laptop made {sorted(mine)} "
                            f"(superseded {sorted(superseded)})")
        for number, version in sorted(by_visit.get(visit_id, {}).items()):
            if content_hash(json.loads(version.record)) != version.content_hash:
                problems.append(f"server: version {number} of {visit_id[:8]} holds a record of another hash")
            made = mine.get(number)
            if made is not None:
                if made["content_hash"] != version.content_hash:
                    problems.append(f"version {number} of {visit_id[:8]}: the server holds {version.content_hash[:12]}, "
                                    f"{owner}'s laptop recorded {made['content_hash'][:12]}")
                if made["status"] != "recorded":
                    problems.append(f"{owner}: version {number} of {visit_id[:8]} is {made['status']} "
                                    f"({made['reason']}), the server holds it")
                stated = (made["score_total"], made["score_maximum"], made["score_band"])
                if stated[0] is not None and not same_score(stated, (version.server_total, version.server_maximum,
                                                                     version.server_band)):
                    problems.append(f"version {number} of {visit_id[:8]}: {owner}'s laptop scored {stated}, the "
                                    f"server {(version.server_total, version.server_maximum, version.server_band)}")
            if not version.score_matches:
                problems.append(f"server: version {number} of {visit_id[:8]} does not score as stated")
        latest = by_visit.get(visit_id, {}).get(max(numbers, default=-1))
        for name, profile in profiles.items():
            visit = get_visit(profile, visit_id)
            if latest is None:
                problems.append(f"server: no finalized version of {visit_id[:8]}, finalized on {owner}'s laptop")
                break
            if (visit.amendment_no, visit.content_hash) != (latest.amendment_no, latest.content_hash):
                problems.append(f"{name}: {visit_id[:8]} stands at amendment {visit.amendment_no} "
                                f"({(visit.content_hash or '')[:12]}), the server's latest is {latest.amendment_no} "
                                f"({latest.content_hash[:12]})")
            if content_hash(visit_record(profile, visit_id)) != visit.content_hash:
                problems.append(f"{name}: {visit_id[:8]}'s rows no longer hash as its finalized version")
    return problems


def same_score(a: tuple[Any, Any, Any], b: tuple[Any, Any, Any]) -> bool:
    """Totals compare as numbers (86.50 is 86.5), the band as text."""
    return float(a[0]) == float(b[0]) and float(a[1]) == float(b[1]) and a[2] == b[2]

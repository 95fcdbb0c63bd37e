"""What the office's visit page shows of one visit: its scores by section and totals, vetoes,
findings with their status, good practices, members, photos, signatures, and whether the
server's re-score and the record's hash agree with what the laptop stated.

The figures come from their one query (``server.dashboard.figures``: ``visit_scores`` for the
sections, ``unit_history`` for the visit's totals and bands, the server's re-score of its latest
finalized version); the rest is read from the rows the laptops pushed (``server.sync.held_visit``)
and labelled with the rubric the visit pins. A visit whose unit lies outside the account's scope
is not found, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, select

from app.evidence import Photo
from app.reports.verify import short_code
from app.rubric import Rubric
from app.rubric.model import Label, Section
from server.dashboard.figures import OVERDUE_STATUSES, unit_history, visit_scores
from server.dashboard.places import unit_places
from server.errors import NotFound
from server.store.schema import sync_rows
from server.sync.held_visit import HeldVisit, held_rubric, load_visit
from server.sync.visit_view import describe_visit

# A photo's parts, each a row of its own, and the columns each gives the photo (db.queries.evidence).
PHOTO_PARTS: dict[str, dict[str, Any]] = {"evidence_captions": {"caption": ""}, "evidence_annotations": {"annotations": None},
               "evidence_links": {"rubric_hash": None, "item_code": None, "finding_id": None},
               "evidence_positions": {"position": 0}}
SIGNATURE_ROLES = ("team_leader", "unit_head")


@dataclass(frozen=True)
class Place:
    unit_id: str
    unit_code: str
    unit_name: str
    unit_type: str
    county_name: str | None


@dataclass(frozen=True)
class SectionScore:
    code: str
    name: Label
    depth: int  # 0 for a top section, 1 for one inside it…
    awarded: str
    maximum: str


@dataclass(frozen=True)
class VetoHit:
    code: str
    label: Label
    item: str


@dataclass(frozen=True)
class RubricScores:
    rubric_hash: str
    name: Label
    version: str
    sections: list[SectionScore]
    # The server's re-score of the latest finalized version; None for a visit never finalized.
    total: str | None
    maximum: str | None
    percentage: float | None
    band: Label | None
    vetoes: list[VetoHit]


@dataclass(frozen=True)
class FindingLine:
    finding_id: str
    number: int
    item_code: str | None
    description: str
    requirement: str
    deadline: str | None
    responsible: str
    severity: str
    status: str
    overdue: bool


@dataclass(frozen=True)
class Member:
    name: str
    role: str  # "leader" or "member"


@dataclass(frozen=True)
class SignatureLine:
    signature_id: str
    role: str
    signer_name: str
    sha256: str
    signed_at: str
    # Given for an earlier version of the visit, which an amendment has since changed.
    earlier: bool


@dataclass(frozen=True)
class Score:
    """A visit's summary score (its first rubric's), as a laptop states it or the server finds it."""

    total: str
    maximum: str
    # The band's label; a band the rubric does not name shows as stated in both languages.
    band: Label | None

    def text(self, lang: str) -> str:
        """"812.5 / 1000 基本达标", "812.5 / 1000 Basically meets"."""
        return f"{self.total} / {self.maximum}" + (f" {self.band.text(lang)}" if self.band else "")


@dataclass(frozen=True)
class Version:
    amendment_no: int
    finalized_at: str
    content_hash: str
    code: str  # the short code printed on its paper
    score_matches: bool
    stated: Score
    server: Score


@dataclass(frozen=True)
class Check:
    """The hash verification and re-score, as ``describe_visit`` finds them now."""

    status: str  # draft, finalized, amended
    content_hash: str | None
    # Whether the rows held now hash to the latest finalized version's hash; None for a draft.
    matches_latest: bool | None
    # Whether the laptop's stated score of the latest version equals the server's re-score.
    score_matches: bool | None
    problem: str | None
    versions: list[Version]
    # (table, key) of each conflict waiting for a person's choice.
    conflicts: list[tuple[str, str]]


@dataclass(frozen=True)
class VisitReport:
    visit_id: str
    place: Place
    visit_type: str
    status: str
    starts_on: str
    ends_on: str | None
    amendment_no: int
    members: list[Member]
    rubrics: list[RubricScores]
    findings: list[FindingLine]
    practices: list[str]
    photos: list[Photo]
    signatures: list[SignatureLine]
    check: Check

    def finding_number(self, finding_id: str | None) -> int | None:
        return next((f.number for f in self.findings if f.finding_id == finding_id), None)


def plain(number: str | None) -> str | None:
    """A decimal score as the sheet prints it: "959.5", "1000" (never "1000.0" or "1E+3")."""
    if number is None:
        return None
    try:
        return format(Decimal(number).normalize(), "f")
    except InvalidOperation:
        return number


def visit_place(conn: Connection, scope: str, visit_id: str) -> Place:
    """The unit of a visit in the scope; NotFound for a visit outside it or never pushed."""
    places = unit_places(scope)
    row = conn.execute(select(places).join(sync_rows, sync_rows.c.unit_id == places.c.unit_id)
                       .where(sync_rows.c.table_name == "visits", sync_rows.c.key == visit_id,
                              sync_rows.c.deleted.is_(False))).first()
    if row is None:
        raise NotFound("no such visit")
    return Place(row.unit_id, row.code, row.name, row.unit_type, row.county_name)


def _live(held: HeldVisit, table: str) -> list[dict[str, Any]]:
    return [r for r in held.rows.get(table, []) if not r["deleted"]]


def _walk(sections: Iterable[Section], depth: int = 0) -> Iterable[tuple[Section, int]]:
    for section in sections:
        yield section, depth
        yield from _walk(section.sections, depth + 1)


def _rubric_scores(conn: Connection, scope: str, held: HeldVisit, place: Place) -> list[RubricScores]:
    hashes = [r["rubric_hash"] for r in sorted(_live(held, "visit_rubrics"), key=lambda r: r.get("position", 0))]
    try:
        lines, _items = visit_scores(conn, scope, held.visit_id)
    except NotFound:
        lines = []  # never finalized: no results yet
    by_section = {(s.rubric_hash, s.code): s for s in lines}
    totals = {v.rubric_hash: v for v in unit_history(conn, scope, place.unit_id).visits
              if v.visit_id == held.visit_id}
    out = []
    for rubric_hash in hashes:
        rubric: Rubric | None = held_rubric(conn, rubric_hash)
        total = totals.get(rubric_hash)
        if rubric is None:
            out.append(RubricScores(rubric_hash, Label(rubric_hash[:12], rubric_hash[:12]), "", [], None, None, None,
                                    None, []))
            continue
        sections = [SectionScore(s.code, s.name, depth, plain(line.awarded) or "", plain(line.maximum) or "")
                    for s, depth in _walk(rubric.sections)
                    if (line := by_section.get((rubric_hash, s.code))) is not None]
        vetoes = {v.code: v for v in rubric.vetoes}
        hits = [VetoHit(code, vetoes[code].label if code in vetoes else Label(code, code),
                        vetoes[code].item if code in vetoes else "") for code in (total.vetoes if total else [])]
        band = None if total is None or total.band_zh is None else Label(total.band_zh, total.band_en or total.band_zh)
        out.append(RubricScores(rubric_hash, rubric.name, rubric.version, sections,
                                plain(total.total) if total else None, plain(total.maximum) if total else None,
                                total.percentage if total else None, band, hits))
    return out


def finding_status(events: list[dict[str, Any]]) -> str:
    """A finding's status: its latest live event (by ``at``, then revision), else ``open`` (the
    laptop's rule, db.queries.findings.STATUS, which figures.open_findings follows too)."""
    live = sorted((str(e.get("at") or ""), str(e.get("rev") or ""), str(e.get("status"))) for e in events
                  if not e["deleted"])
    return live[-1][2] if live else "open"


def _revisions(conn: Connection, held: HeldVisit, table: str) -> dict[str, str]:
    """The revision stamp of each of the visit's rows of ``table``, by key: sync bookkeeping,
    kept beside the values."""
    return dict(conn.execute(select(sync_rows.c.key, sync_rows.c.rev).where(
        sync_rows.c.table_name == table, sync_rows.c.visit_id == held.visit_id)).all())


def _findings(conn: Connection, held: HeldVisit, today: date) -> list[FindingLine]:
    # The server places every event on a finding with the finding's visit (the office's, and
    # later visits'), so the visit's rows hold them all.
    revs = _revisions(conn, held, "finding_events")
    live = _live(held, "findings")
    events: dict[str, list[dict[str, Any]]] = {f["id"]: [] for f in live}
    for e in held.rows.get("finding_events", []):
        events.setdefault(str(e.get("finding_id")), []).append({**e, "rev": revs.get(e["id"], "")})
    # Creation order as the laptops saw it, as the laptop lists them (db.queries.findings.CREATED):
    # the smaller of the finding's revision and its first event's, which the laptop wrote in one
    # transaction with one stamp. ``created_at`` is a wall clock, wrong after a clock is set back.
    own = _revisions(conn, held, "findings")

    def created(f: dict[str, Any]) -> tuple[str, str]:
        stamps = [s for s in [own.get(f["id"], ""), *(e["rev"] for e in events[f["id"]])] if s]
        return min(stamps, default=""), f["id"]

    rows = sorted(live, key=created)
    out = []
    for n, f in enumerate(rows, 1):
        status = finding_status(events[f["id"]])
        deadline = f.get("deadline")
        overdue = status in OVERDUE_STATUSES and deadline is not None and deadline < today.isoformat()
        out.append(FindingLine(f["id"], n, f.get("item_code"), f.get("description") or "", f.get("requirement") or "",
                               deadline, f.get("responsible") or "", f.get("severity") or "general", status, overdue))
    return out


def _practices(conn: Connection, held: HeldVisit) -> list[str]:
    """The good practices' texts in creation order: by revision stamp, which no laptop changes
    but to settle a conflict (db.queries.findings.list_practices)."""
    revs = _revisions(conn, held, "good_practices")
    return [str(p.get("text") or "") for p in sorted(_live(held, "good_practices"),
                                                     key=lambda p: (revs.get(p["id"], ""), p["id"]))]


# The columns a laptop's evidence row has (db.queries.evidence.PHOTO), which Photo.from_row reads.
_EVIDENCE_COLUMNS: dict[str, Any] = dict.fromkeys((
    "sha256", "rubric_hash", "item_code", "finding_id", "size", "original_name", "media_type", "width",
    "height", "orientation", "taken_at", "taken_offset", "gps_lat", "gps_lon", "camera", "imported_at",
    "reduced", "original_sha256", "original_size", "deleted", "deleted_at", "on_sheet"))


def _photo_rows(held: HeldVisit) -> list[dict[str, Any]]:
    """The visit's live photos as the laptop reads them (db.queries.evidence.PHOTO): each evidence
    row with its caption, annotation layer, links and position from their own rows, in display
    order (position, import time, id)."""
    parts: dict[str, dict[str, Any]] = {}
    for table, defaults in PHOTO_PARTS.items():
        for row in _live(held, table):
            parts.setdefault(str(row.get("evidence_id")), {}).update({c: row.get(c) for c in defaults})
    found = []
    for e in _live(held, "evidence"):
        merged = {c: v for defaults in PHOTO_PARTS.values() for c, v in defaults.items()}
        merged.update({k: v for k, v in parts.get(e["id"], {}).items() if v is not None})
        # The writing device is sync bookkeeping, not among a row's values as held. A column
        # the pushed row left out reads as empty: the push accepts any values, and one photo
        # without its metadata must not make the visit's page a server error.
        found.append({**_EVIDENCE_COLUMNS, "device_id": "", **e, **merged})
    found.sort(key=lambda r: (r["position"] or 0, str(r.get("imported_at") or ""), r["id"]))
    return found


def held_photos(held: HeldVisit) -> list[Photo]:
    return [Photo.from_row(r) for r in _photo_rows(held)]


def _members(held: HeldVisit) -> list[Member]:
    found = [Member(held.names.get(str(m.get("inspector_id")), ""), str(m.get("role") or "member"))
             for m in _live(held, "visit_members")]
    return sorted(found, key=lambda m: (m.role != "leader", m.name))


def _signatures(held: HeldVisit) -> list[SignatureLine]:
    version = int(held.values.get("version") or 0)
    rows = sorted(_live(held, "signatures"), key=lambda s: (
        SIGNATURE_ROLES.index(s["role"]) if s.get("role") in SIGNATURE_ROLES else len(SIGNATURE_ROLES),
        -int(s.get("signed_version") or 0), str(s.get("signed_at") or "")))
    return [SignatureLine(s["id"], str(s.get("role")), str(s.get("signer_name") or ""), str(s.get("sha256") or ""),
                          str(s.get("signed_at") or ""),
                          int(s.get("signed_version") or 0) < version) for s in rows]


def _score(given: dict[str, Any], bands: dict[str, Label]) -> Score:
    band = given.get("band")
    return Score(plain(given["total"]) or "", plain(given["maximum"]) or "",
                 None if not band else bands.get(band, Label(band, band)))


def _check(conn: Connection, visit_id: str, bands: dict[str, Label]) -> Check:
    view = describe_visit(conn, visit_id)
    versions = [Version(v["amendment_no"], v["finalized_at"], v["content_hash"],
                        short_code(visit_id, v["content_hash"]), v["score_matches"],
                        _score(v["stated"], bands), _score(v["server"], bands))
                for v in view["versions"]]
    return Check(view["status"], view["content_hash"], view["matches_latest"],
                 versions[-1].score_matches if versions else None, view["problem"], versions,
                 [(c["table"], c["key"]) for c in view["open_conflicts"]])


def _bands(conn: Connection, held: HeldVisit) -> dict[str, Label]:
    """The bands of the visit's first rubric by their Chinese label: the summary a laptop states
    names its band so (app.scores.summarise)."""
    first = min(_live(held, "visit_rubrics"), key=lambda r: r.get("position", 0), default=None)
    rubric = held_rubric(conn, str(first["rubric_hash"])) if first else None
    return {} if rubric is None else {b.label.zh: b.label for b in rubric.bands}


def visit_report(conn: Connection, scope: str, visit_id: str, *, today: date) -> VisitReport:
    """Everything the visit page shows; NotFound for a visit outside ``scope`` or not held."""
    place = visit_place(conn, scope, visit_id)
    held = load_visit(conn, visit_id)
    if held is None:
        raise NotFound("no such visit")
    values = held.values
    return VisitReport(
        visit_id=visit_id, place=place, visit_type=str(values.get("visit_type") or ""),
        status=str(values.get("status") or ""), starts_on=str(values.get("starts_on") or ""),
        ends_on=values.get("ends_on"), amendment_no=int(values.get("amendment_no") or 0),
        members=_members(held), rubrics=_rubric_scores(conn, scope, held, place),
        findings=_findings(conn, held, today),
        practices=_practices(conn, held),
        photos=held_photos(held), signatures=_signatures(held), check=_check(conn, visit_id, _bands(conn, held)))


def visit_photo(conn: Connection, scope: str, visit_id: str, evidence_id: str) -> tuple[Photo, str | None]:
    """One live photo of a visit in the scope, and its annotation layer (JSON, None without
    one); NotFound otherwise."""
    visit_place(conn, scope, visit_id)
    held = load_visit(conn, visit_id)
    row = next((r for r in _photo_rows(held) if r["id"] == evidence_id), None) if held else None
    if row is None:
        raise NotFound("no such photo")
    return Photo.from_row(row), row["annotations"] or None


def visit_signature(conn: Connection, scope: str, visit_id: str, signature_id: str) -> str:
    """The blob hash of one live signature of a visit in the scope; NotFound otherwise."""
    visit_place(conn, scope, visit_id)
    row = conn.execute(select(sync_rows.c.blob_sha256).where(
        sync_rows.c.table_name == "signatures", sync_rows.c.key == signature_id,
        sync_rows.c.visit_id == visit_id, sync_rows.c.deleted.is_(False))).first()
    if row is None or row.blob_sha256 is None:
        raise NotFound("no such signature")
    return str(row.blob_sha256)

"""Everything a document prints, read from the profile once, before any layout work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.conflicts import open_conflicts
from app.evidence import Photo, list_photos
from app.findings import list_findings, list_good_practices
from app.labels import SEVERITY_LABELS, label_of
from app.models import Finding, GoodPractice, Response, Unit, Visit
from app.profile import Profile
from app.reports.layout import Layout, campaign_of, load_layout
from app.reports.renditions import annotation_layers
from app.reports.wording import methods_text, visit_type_text  # noqa: F401 - used by the documents
from app.rubric import Rubric, ScoreResult
from app.rubric_store import get_rubric
from app.scores import score_visit
from app.settings import get_setting
from app.signatures import Signature, earlier_signatures, list_signatures
from app.sync.offload import recall_quietly
from app.units import get_unit
from app.visits import get_visit, list_responses
from db.queries import campaigns


@dataclass(frozen=True)
class RubricPart:
    rubric: Rubric
    result: ScoreResult
    responses: dict[str, Response]


@dataclass(frozen=True)
class ReportData:
    visit: Visit
    unit: Unit | None
    parts: tuple[RubricPart, ...]
    findings: tuple[Finding, ...]
    practices: tuple[GoodPractice, ...]
    photos: tuple[Photo, ...]
    signatures: tuple[Signature, ...]
    # Signatures of a version an amendment has since changed: shown as such, not as current.
    earlier_signatures: tuple[Signature, ...]
    office: str
    logo: str
    layout: Layout
    # Where the photos' files are and their annotation layers (JSON by photo id): what the
    # renditions need, read here so that rendering the document never reads the database.
    root: Path
    media_dir: Path
    annotations: Mapping[str, str]
    # The office's server (the server_url setting): once known, the QR code opens its verify page.
    server_url: str = ""
    # Sync conflicts on the visit waiting for a person's choice: the paper says one is open.
    open_conflicts: int = 0
    # Photos whose original is kept on the server only (removed to free space, not reachable now).
    on_server: frozenset[str] = frozenset()

    @property
    def draft(self) -> bool:
        return not self.visit.locked

    @property
    def leader(self) -> str:
        return next((m.name for m in self.visit.members if m.role == "leader"), "")

    @property
    def members(self) -> list[str]:
        return [m.name for m in self.visit.members if m.role != "leader"]

    @property
    def amended(self) -> bool:
        return self.visit.amendment_no > 0

    def dates(self) -> str:
        v = self.visit
        return v.starts_on if v.ends_on in (None, v.starts_on) else f"{v.starts_on} – {v.ends_on}"


def load_report_data(profile: Profile, visit_id: str) -> ReportData:
    """Every database read a document needs, at once: the rest of the build touches files only."""
    visit = get_visit(profile, visit_id)
    responses = list_responses(profile, visit_id)
    photos = tuple(list_photos(profile, visit_id))
    # Originals removed to free space come back from the server now, when it can be reached;
    # the ones that cannot are printed from their thumbnails.
    on_server = frozenset(recall_quietly(profile, [p.sha256 for p in photos]))
    parts = []
    for rubric_hash in visit.rubric_hashes:
        parts.append(RubricPart(
            get_rubric(profile, rubric_hash), score_visit(profile, visit_id, rubric_hash),
            {r.item_code: r for r in responses if r.rubric_hash == rubric_hash}))
    return ReportData(
        visit=visit, unit=get_unit(profile, visit.unit_id), parts=tuple(parts),
        findings=tuple(list_findings(profile, visit_id)),
        practices=tuple(list_good_practices(profile, visit_id)),
        photos=photos,
        signatures=tuple(list_signatures(profile, visit_id)),
        earlier_signatures=tuple(earlier_signatures(profile, visit_id)),
        office=issuing_office(profile, visit),
        logo=str(get_setting(profile, "office_logo") or ""),
        layout=load_layout(profile, campaign_of(profile, visit.assignment_id)),
        root=profile.root, media_dir=profile.media_dir, annotations=annotation_layers(profile, photos),
        server_url=str(get_setting(profile, "server_url") or "").strip(),
        open_conflicts=len(open_conflicts(profile, visit_id)),
        on_server=on_server,
    )


def issuing_office(profile: Profile, visit: Visit) -> str:
    """Who issues the paper (落款): the office_name setting, else the office of the visit's
    campaign (synced from the office that planned it), else "" (the paper then names none)."""
    name = str(get_setting(profile, "office_name") or "").strip()
    campaign_id = campaign_of(profile, visit.assignment_id)
    if name or campaign_id is None:
        return name
    row = next((c for c in campaigns.list_campaigns(profile.db) if c["id"] == campaign_id), None)
    return str(row["office"] or "").strip() if row else ""


def severity_text(code: str, lang: str) -> str:
    return label_of(SEVERITY_LABELS, code).text(lang)

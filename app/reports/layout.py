"""The office-adjustable layout of the documents, one small JSON object per campaign.

Stored in the profile's ``meta`` table under ``report_layout.<campaign id>`` (and
``report_layout.default`` for visits outside a campaign or campaigns without their own), so
an office changes which blocks print, the header line and the signature labels without a code
change. Missing keys take the defaults; see docs/reports.md for the format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from app.errors import InvalidAnswer
from app.profile import Profile
from db.queries import campaigns, meta

FORMAT = "fieldmark.report_layout/1"
KINDS = ("feedback", "rectification", "full")
BLOCKS: dict[str, tuple[str, ...]] = {
    "feedback": ("header", "scores", "findings", "practices", "photos", "signatures", "verification"),
    "rectification": ("header", "findings", "reply", "signatures", "verification"),
    "full": ("basic", "practices", "scores", "findings", "requirements", "items", "photos",
             "signatures", "verification"),
}
DEFAULT_KEY = "report_layout.default"
MAX_PHOTOS = 60


@dataclass(frozen=True)
class SignatureLabel:
    role: str  # "team_leader" | "unit_head" | any other line the office wants signed
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Layout:
    """What the office may change. ``blocks`` maps a document kind to its blocks, in order."""

    blocks: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(BLOCKS))
    # A line printed under the title, e.g. the campaign's name or a document number.
    header_zh: str = ""
    header_en: str = ""
    # Titles replacing the built-in ones, by kind: {"feedback": {"zh": ..., "en": ...}}.
    titles: dict[str, dict[str, str]] = field(default_factory=dict)
    signatures: tuple[SignatureLabel, ...] = (
        SignatureLabel("team_leader", "督导组组长（签字）", "Team leader (signature)"),
        SignatureLabel("unit_head", "受检单位负责人（签收）", "Unit head (received)"),
    )
    seal: bool = True
    # How many photos the feedback sheet carries (photos of findings first).
    feedback_photos: int = 6

    def header(self, lang: str) -> str:
        return self.header_en if lang == "en" else self.header_zh

    def title(self, kind: str, lang: str) -> str | None:
        return self.titles.get(kind, {}).get(lang) or None

    def shows(self, kind: str, block: str) -> bool:
        return block in self.blocks.get(kind, BLOCKS[kind])

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "blocks": {k: list(v) for k, v in self.blocks.items()},
            "header": {"zh": self.header_zh, "en": self.header_en},
            "titles": self.titles,
            "signatures": [{"role": s.role, "zh": s.zh, "en": s.en} for s in self.signatures],
            "seal": self.seal,
            "feedback_photos": self.feedback_photos,
        }


DEFAULT = Layout()


def parse_layout(doc: Any) -> Layout:
    """A Layout from its JSON form; unknown keys or blocks are refused with the reason."""
    if not isinstance(doc, dict):
        raise InvalidAnswer("a report layout is a JSON object")
    if doc.get("format", FORMAT) != FORMAT:
        raise InvalidAnswer(f"report layout format must be {FORMAT!r}")
    known = {"format", "blocks", "header", "titles", "signatures", "seal", "feedback_photos"}
    extra = sorted(set(doc) - known)
    if extra:
        raise InvalidAnswer(f"unknown report layout key(s): {', '.join(extra)}")
    layout = DEFAULT
    if "blocks" in doc:
        blocks = dict(BLOCKS)
        if not isinstance(doc["blocks"], dict):
            raise InvalidAnswer("layout 'blocks' maps a document kind to a list of blocks")
        for kind, names in doc["blocks"].items():
            if kind not in BLOCKS:
                raise InvalidAnswer(f"layout 'blocks': unknown document {kind!r}; one of {', '.join(KINDS)}")
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise InvalidAnswer(f"layout 'blocks.{kind}' must be a list of block names")
            bad = [n for n in names if n not in BLOCKS[kind]]
            if bad:
                raise InvalidAnswer(f"layout 'blocks.{kind}': unknown block {bad[0]!r}; "
                                    f"one of {', '.join(BLOCKS[kind])}")
            blocks[kind] = tuple(dict.fromkeys(names))
        layout = replace(layout, blocks=blocks)
    if "header" in doc:
        header = doc["header"]
        if not isinstance(header, dict) or not all(isinstance(header.get(k, ""), str) for k in ("zh", "en")):
            raise InvalidAnswer("layout 'header' is {\"zh\": text, \"en\": text}")
        layout = replace(layout, header_zh=header.get("zh", ""), header_en=header.get("en", ""))
    if "titles" in doc:
        titles = doc["titles"]
        if not isinstance(titles, dict) or any(k not in BLOCKS or not isinstance(v, dict) for k, v in titles.items()):
            raise InvalidAnswer("layout 'titles' maps a document kind to {\"zh\": text, \"en\": text}")
        layout = replace(layout, titles={k: {lang: str(v.get(lang, "")) for lang in ("zh", "en")}
                                         for k, v in titles.items()})
    if "signatures" in doc:
        sigs = doc["signatures"]
        if not isinstance(sigs, list) or not all(isinstance(s, dict) and s.get("role") for s in sigs):
            raise InvalidAnswer("layout 'signatures' is a list of {\"role\", \"zh\", \"en\"}")
        if len(sigs) > 4:
            raise InvalidAnswer("layout 'signatures' has at most 4 lines")
        layout = replace(layout, signatures=tuple(
            SignatureLabel(str(s["role"]), str(s.get("zh", s["role"])), str(s.get("en", s["role"]))) for s in sigs))
    if "seal" in doc:
        if not isinstance(doc["seal"], bool):
            raise InvalidAnswer("layout 'seal' is true or false")
        layout = replace(layout, seal=doc["seal"])
    if "feedback_photos" in doc:
        n = doc["feedback_photos"]
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_PHOTOS:
            raise InvalidAnswer(f"layout 'feedback_photos' is a whole number from 0 to {MAX_PHOTOS}")
        layout = replace(layout, feedback_photos=n)
    return layout


def _key(campaign_id: str | None) -> str:
    return f"report_layout.{campaign_id}" if campaign_id else DEFAULT_KEY


def load_layout(profile: Profile, campaign_id: str | None = None) -> Layout:
    """The campaign's layout, else the profile's default layout, else the built-in one."""
    for key in ((_key(campaign_id),) if campaign_id else ()) + (DEFAULT_KEY,):
        raw = meta.get(profile.db, key)
        if raw:
            return parse_layout(json.loads(raw))
    return DEFAULT


def save_layout(profile: Profile, layout: Layout | dict, campaign_id: str | None = None) -> Layout:
    """Store a layout for a campaign (or the default when ``campaign_id`` is None)."""
    parsed = layout if isinstance(layout, Layout) else parse_layout(layout)
    with profile.transaction() as tx:
        meta.put(tx.db, _key(campaign_id), json.dumps(parsed.to_json(), ensure_ascii=False))
    return parsed


def reset_layout(profile: Profile, campaign_id: str | None = None) -> None:
    """Forget a stored layout, so the default applies again."""
    with profile.transaction() as tx:
        meta.put(tx.db, _key(campaign_id), "")  # an empty value reads as "not set"


def campaign_of(profile: Profile, assignment_id: str | None) -> str | None:
    if not assignment_id:
        return None
    row = campaigns.get_assignment(profile.db, assignment_id)
    return row["campaign_id"] if row else None

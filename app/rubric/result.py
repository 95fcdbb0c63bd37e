"""What scoring returns: the result of one set of answers, per item, per section, and its gaps.

``ScoreResult`` keeps the engine's per-item states as they are and builds the per-item objects,
the gap list and the JSON only when someone asks for them, so a live re-score stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from app.rubric.model import (
    ANSWERED,
    INAPPLICABLE,
    NA,
    Band,
    IndicatorResult,
    Label,
    ProfileGap,
    Rubric,
    VetoHit,
    plan_of,
)

# One item's state: (award, maximum, status, gap kinds, indicator result, normalised value).
_State = tuple[Decimal, Decimal, str, tuple[str, ...], IndicatorResult | None, Any]

_GAP_TEXT = {
    "unanswered": "no answer yet",
    "no_reason": "awarded below the maximum without a reason",
    "photo_missing": "a photo is required",
}
# A prorate rule applies to the unit but a profile number it needs is missing (or the numbers
# add up to 0): the gap's item is the section, and its message names the number.
PROFILE_MISSING = "profile_missing"


@dataclass(frozen=True)
class ItemResult:
    code: str
    awarded: Decimal
    maximum: Decimal
    answered: bool
    na: bool
    gaps: tuple[str, ...] = ()
    # False when the item's ``when`` condition is not met (it then counts as N/A).
    applicable: bool = True


@dataclass(frozen=True)
class SectionResult:
    code: str
    awarded: Decimal
    maximum: Decimal
    # Items in the section and its sub-sections that need no more input (answered or N/A).
    answered_count: int
    total_count: int
    # The prorate share applied to this section, or None when it is not prorated.
    share: Decimal | None = None


@dataclass(frozen=True)
class Gap:
    kind: str  # "unanswered" | "no_reason" | "photo_missing" | "profile_missing"
    item: str  # the item's code; the section's code for "profile_missing"
    message: str


@dataclass(frozen=True)
class ScoreResult:
    """The score of one set of answers. Totals are always computed, never typed.

    ``awarded``/``maximum`` are the base (without bonus); N/A items are out of ``maximum``;
    ``nominal_maximum`` is the rubric's full base maximum. ``band_value`` is what the bands
    compared: the total with bonus (normalised when prorated) or the percentage.
    """

    rubric: Rubric = field(repr=False, compare=False)
    awarded: Decimal
    maximum: Decimal
    nominal_maximum: Decimal
    bonus: Decimal
    bonus_raw: Decimal
    total_with_bonus: Decimal
    percentage: Decimal | None
    prorated: bool
    normalised_total: Decimal | None
    band_value: Decimal | None
    band: Band | None
    vetoes: tuple[VetoHit, ...]
    failed: bool
    gap_count: int
    notes: tuple[str, ...]
    _states: tuple[_State, ...] = field(repr=False)
    _sections: tuple[tuple[Decimal, Decimal, int, Decimal | None], ...] = field(repr=False)
    _profile_gaps: tuple[ProfileGap, ...] = field(default=(), repr=False)

    @cached_property
    def items(self) -> Mapping[str, ItemResult]:
        plan = plan_of(self.rubric)
        return {
            code: ItemResult(code, s[0], s[1], s[2] == ANSWERED, s[2] in (NA, INAPPLICABLE), s[3],
                             s[2] != INAPPLICABLE)
            for code, s in zip(plan.codes, self._states, strict=True)
        }

    @cached_property
    def sections(self) -> Mapping[str, SectionResult]:
        plan = plan_of(self.rubric)
        return {
            sec.code: SectionResult(sec.code, aw, mx, done, plan.sec_total[k], share)
            for k, (sec, (aw, mx, done, share)) in enumerate(zip(plan.sections, self._sections, strict=True))
        }

    @cached_property
    def gaps(self) -> tuple[Gap, ...]:
        """Missing profile numbers first (each weighs on a whole section), then items in order."""
        plan = plan_of(self.rubric)
        return tuple(Gap(PROFILE_MISSING, g.section, g.message) for g in self._profile_gaps) + tuple(
            Gap(kind, code, f"{code}: {_GAP_TEXT[kind]}")
            for code, s in zip(plan.codes, self._states, strict=True)
            for kind in s[3]
        )

    @cached_property
    def indicators(self) -> tuple[IndicatorResult, ...]:
        return tuple(s[4] for s in self._states if s[4] is not None)

    def display(self, value: Decimal | None) -> str:
        """``value`` rounded (half up) to the rubric's places, for display only."""
        if value is None:
            return "—"
        quantum = Decimal(1).scaleb(-self.rubric.rounding_places)
        return format(value.quantize(quantum, rounding=ROUND_HALF_UP), "f")

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: Decimals as exact strings, keys in a fixed order."""
        rub = self.rubric
        return {
            "rubric": {"id": rub.id, "version": rub.version, "content_hash": rub.content_hash},
            "awarded": _s(self.awarded),
            "maximum": _s(self.maximum),
            "nominal_maximum": _s(self.nominal_maximum),
            "percentage": _s(self.percentage),
            "bonus": _s(self.bonus),
            "bonus_raw": _s(self.bonus_raw),
            "total_with_bonus": _s(self.total_with_bonus),
            "prorated": self.prorated,
            "normalised_total": _s(self.normalised_total),
            "band_value": _s(self.band_value),
            "band": None if self.band is None else {"code": self.band.code, "label": _label(self.band.label)},
            "failed": self.failed,
            "vetoes": [
                {"code": v.code, "label": _label(v.label), "item": v.item, "effect": v.effect,
                 "cap_band": v.cap_band}
                for v in self.vetoes
            ],
            "sections": [
                {"code": s.code, "awarded": _s(s.awarded), "maximum": _s(s.maximum),
                 "answered_count": s.answered_count, "total_count": s.total_count,
                 "share": _s(s.share)}
                for s in self.sections.values()
            ],
            "items": [
                {"code": i.code, "awarded": _s(i.awarded), "maximum": _s(i.maximum),
                 "answered": i.answered, "na": i.na, "applicable": i.applicable, "gaps": list(i.gaps)}
                for i in self.items.values()
            ],
            "indicators": [
                {"code": r.code, "value": _s(r.value), "met": r.met, "reported": _s(r.reported),
                 "mismatch": r.mismatch, "note": r.note}
                for r in self.indicators
            ],
            "gaps": [{"kind": g.kind, "item": g.item, "message": g.message} for g in self.gaps],
            "gap_count": self.gap_count,
            "notes": list(self.notes),
        }


def _s(value: Decimal | None) -> str | None:
    # Normalised so equal numbers print alike ("30", not "30.0" from 0.3 * 100): the server
    # compares re-scored JSON with the laptop's.
    return None if value is None else format(value.normalize(), "f")


def _label(label: Label) -> dict[str, str]:
    return {"zh": label.zh, "en": label.en}

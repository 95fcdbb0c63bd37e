"""Combining several checks or raters into one score (e.g. a yearly mean of 8 monthly checks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from app.rubric.model import COMBINE_METHODS, Band, Rubric
from app.rubric.result import _label, _s
from app.rubric.scoring import _CTX, ScoreResult, VetoHit, band_for


def combine(values: Sequence[Decimal], method: str) -> Decimal:
    """Combine exact values by ``mean``, ``min``, ``max`` or ``median``."""
    if method not in COMBINE_METHODS:
        raise ValueError(f"unknown combine method {method!r} (one of {', '.join(COMBINE_METHODS)})")
    if not values:
        raise ValueError("nothing to combine: no values")
    with localcontext(_CTX):
        if method == "min":
            return min(values)
        if method == "max":
            return max(values)
        if method == "mean":
            return sum(values, Decimal(0)) / len(values)
        ordered = sorted(values)
        mid = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[mid]
        return (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(frozen=True)
class CombinedResult:
    """Several results of one rubric combined by the rubric's ``combine`` rule.

    Every figure is combined on its own (a mean of totals, a mean of maxima, …). Vetoes are the
    union over all checks: a veto in any one check still counts for the period.
    """

    method: str
    expected: int | None
    checks: int
    awarded: Decimal
    maximum: Decimal
    bonus: Decimal
    total_with_bonus: Decimal
    band_value: Decimal | None
    band: Band | None
    vetoes: tuple[VetoHit, ...]
    failed: bool

    @property
    def complete(self) -> bool:
        """Whether as many checks were combined as the rubric expects."""
        return self.expected is None or self.checks == self.expected

    def to_json(self) -> dict[str, object]:
        """JSON-ready, numbers as exact normalised strings like ``ScoreResult.to_json``."""
        return {
            "method": self.method,
            "expected": self.expected,
            "checks": self.checks,
            "complete": self.complete,
            "awarded": _s(self.awarded),
            "maximum": _s(self.maximum),
            "bonus": _s(self.bonus),
            "total_with_bonus": _s(self.total_with_bonus),
            "band_value": _s(self.band_value),
            "band": None if self.band is None else {"code": self.band.code, "label": _label(self.band.label)},
            "vetoes": [v.code for v in self.vetoes],
            "failed": self.failed,
        }


def combine_results(rubric: Rubric, results: Sequence[ScoreResult]) -> CombinedResult:
    """Combine ``results`` (all scored on ``rubric``) with its ``combine`` block (mean if absent).

    Fewer checks than ``count`` are combined as they are and reported as incomplete, because a
    missing monthly check is a planning fact to show, not a zero to invent.
    """
    if any(r.rubric != rubric for r in results):
        raise ValueError("every result must be scored on the same rubric edition")
    spec = rubric.combine
    method = spec.method if spec is not None else "mean"
    if spec is not None and spec.count is not None and len(results) > spec.count:
        raise ValueError(f"rubric {rubric.id!r} combines {spec.count} checks, got {len(results)}")
    band_values = [r.band_value for r in results if r.band_value is not None]
    band_value = combine(band_values, method) if band_values else None
    seen: dict[str, VetoHit] = {}
    for r in results:
        for v in r.vetoes:
            seen.setdefault(v.code, v)
    vetoes = tuple(seen.values())
    band, failed = band_for(rubric, band_value, vetoes)
    return CombinedResult(
        method=method,
        expected=spec.count if spec is not None else None,
        checks=len(results),
        awarded=combine([r.awarded for r in results], method),
        maximum=combine([r.maximum for r in results], method),
        bonus=combine([r.bonus for r in results], method),
        total_with_bonus=combine([r.total_with_bonus for r in results], method),
        band_value=band_value,
        band=band,
        vetoes=vetoes,
        failed=failed,
    )

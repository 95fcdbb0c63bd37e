"""What changed between two versions of a rubric: items, sections, bands and vetoes added,
removed and changed, field by field; a structured comparison of the models, not of their JSON.

Parts are matched by their codes (an item's code is what its answers are keyed by). An item
that keeps its code but moves to another section is changed (``section``), not removed and
added. Values keep their kind (a ``Label`` shows in the reader's language, a ``Decimal`` is
exact), so the office pages and the desktop can both show them in their own words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from app.rubric.model import Band, Item, Label, Rubric, Section, Veto

# A field's value: words in two languages, an exact number, a flag, a code, a list, or absent.
Value = Label | Decimal | bool | str | tuple[Any, ...] | None
T = TypeVar("T")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Value
    new: Value


@dataclass(frozen=True)
class Entry:
    """A part present in one version only, with what it is (an item: kind, maximum, section)."""

    code: str
    label: Label
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class Changed:
    code: str
    # As the new version words it.
    label: Label
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class PartDiff:
    added: tuple[Entry, ...] = ()
    removed: tuple[Entry, ...] = ()
    changed: tuple[Changed, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class RubricDiff:
    old_version: str
    new_version: str
    # Rubric-wide fields: name, maximum, bands basis, rounding, bonus cap, combining, prorating.
    rubric: tuple[FieldChange, ...]
    sections: PartDiff
    items: PartDiff
    bands: PartDiff
    vetoes: PartDiff

    @property
    def same(self) -> bool:
        return not self.rubric and all(p.empty for p in (self.sections, self.items, self.bands, self.vetoes))


def number(value: Decimal | None) -> Decimal | None:
    """An exact number without trailing zeros (5.0 and 5 are the same maximum)."""
    if value is None:
        return None
    normal = value.normalize()
    # normalize() writes 100 as 1E+2; quantizing to 1 gives the integer back.
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _labelled(code: str, label: Label, tail: str) -> Label:
    return Label(zh=f"{code} {label.zh} {tail}".strip(), en=f"{code} {label.en} {tail}".strip())


def _indicator(item: Item) -> Value:
    spec = item.indicator
    if spec is None:
        return None
    what = "%" if spec.rate else ""
    return f"{spec.comparator} {number(spec.target)}{what} (±{number(spec.tolerance)})"


def item_fields(item: Item) -> dict[str, Value]:
    """The fields of an item compared, in the order they are shown."""
    return {
        "text": item.text,
        "kind": item.kind,
        "maximum": number(item.maximum),
        "section": item.section,
        "bonus": item.bonus,
        "guidance": item.guidance,
        "required": item.required,
        "na_allowed": item.na_allowed,
        "photo_required": item.photo_required,
        "reason_below_max": item.reason_below_max,
        "evidence": item.evidence,
        "range": f"{number(item.min)}–{number(item.max) if item.max is not None else number(item.maximum)}"
                 if item.kind == "points" else None,
        "step": number(item.step) if item.kind == "points" else None,
        "levels": tuple(_labelled(lv.code, lv.label, f"= {number(lv.points)}") for lv in item.levels),
        "deductions": tuple(_labelled(d.code, d.label, f"−{number(d.points)}"
                                      + (f" ×≤{d.max_count}" if d.max_count is not None else ""))
                            for d in item.deductions),
        "indicator": _indicator(item),
        "points_each": number(item.points_each),
        "max_count": None if item.max_count is None else str(item.max_count),
        "when": None if item.when is None else f"{item.when.item} = {item.when.equals!r}",
    }


def section_fields(section: Section) -> dict[str, Value]:
    return {"name": section.name, "cap": number(section.cap), "parent": section.parent}


def band_fields(band: Band) -> dict[str, Value]:
    threshold = None if band.min is None else f"{'≥' if band.min_inclusive else '>'} {number(band.min)}"
    return {"label": band.label, "threshold": threshold}


def veto_fields(veto: Veto) -> dict[str, Value]:
    operand = "" if veto.condition == "not_met" else f" {veto.operand!r}"
    effect = veto.effect if veto.cap_band is None else f"{veto.effect} {veto.cap_band}"
    return {"label": veto.label, "item": veto.item, "condition": f"{veto.condition}{operand}", "effect": effect}


def _rubric_fields(rubric: Rubric) -> dict[str, Value]:
    combine = rubric.combine
    return {
        "name": rubric.name,
        "maximum": number(rubric.maximum),
        "bands_basis": rubric.bands_basis,
        "rounding_places": str(rubric.rounding_places),
        "bonus_cap": number(rubric.bonus_cap),
        "combine": None if combine is None else f"{combine.method}" + (f" / {combine.count}" if combine.count else ""),
        "prorate": tuple(f"{p.section}: {'+'.join(p.numerator)} / {'+'.join(p.denominator)} ({', '.join(p.unit_types)})"
                         for p in rubric.prorate),
    }


def _changes(old: Mapping[str, Value], new: Mapping[str, Value]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(k, old.get(k), new.get(k)) for k in new if old.get(k) != new.get(k))


def _present(fields: Mapping[str, Value], shown: Iterable[str]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(k, None, fields[k]) for k in shown if fields.get(k) not in (None, (), ""))


def _part(old: Iterable[T], new: Iterable[T], code: Callable[[T], str], label: Callable[[T], Label],
          fields: Callable[[T], dict[str, Value]], shown: tuple[str, ...]) -> PartDiff:
    before = {code(p): p for p in old}
    after = {code(p): p for p in new}
    added = tuple(Entry(c, label(p), _present(fields(p), shown)) for c, p in after.items() if c not in before)
    removed = tuple(Entry(c, label(p), _present(fields(p), shown)) for c, p in before.items() if c not in after)
    changed = []
    for c, p in after.items():
        if c in before:
            changes = _changes(fields(before[c]), fields(p))
            if changes:
                changed.append(Changed(c, label(p), changes))
    return PartDiff(added, removed, tuple(changed))


def _all_sections(sections: Iterable[Section]) -> list[Section]:
    found: list[Section] = []
    for s in sections:
        found.append(s)
        found.extend(_all_sections(s.sections))
    return found


def diff_rubrics(old: Rubric, new: Rubric) -> RubricDiff:
    """Every difference from ``old`` to ``new`` (usually two versions of one rubric id)."""
    return RubricDiff(
        old_version=old.version,
        new_version=new.version,
        rubric=_changes(_rubric_fields(old), _rubric_fields(new)),
        sections=_part(_all_sections(old.sections), _all_sections(new.sections), lambda s: s.code,
                       lambda s: s.name, section_fields, ("cap", "parent")),
        items=_part(old.items.values(), new.items.values(), lambda i: i.code, lambda i: i.text, item_fields,
                    ("kind", "maximum", "section")),
        bands=_part(old.bands, new.bands, lambda b: b.code, lambda b: b.label, band_fields, ("threshold",)),
        vetoes=_part(old.vetoes, new.vetoes, lambda v: v.code, lambda v: v.label, veto_fields,
                     ("item", "condition", "effect")),
    )

"""Units in their administrative tree, with each unit's visit history and score trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.models import Unit, Visit
from app.profile import Profile
from app.rubric import Label
from app.scores import score_visit
from app.visits import VisitFilter, get_visit, list_visits
from db.queries import areas


@dataclass(frozen=True)
class AreaNode:
    id: str
    level: str
    code: str
    name: str
    children: list[AreaNode] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def area_tree(profile: Profile) -> list[AreaNode]:
    """The administrative tree with each area's units; roots are the top-level areas."""
    nodes = {a["id"]: AreaNode(a["id"], a["level"], a["code"], a["name"]) for a in areas.list_areas(profile.db)}
    roots: list[AreaNode] = []
    for a in areas.list_areas(profile.db):
        parent = nodes.get(a["parent_id"]) if a["parent_id"] else None
        (parent.children if parent else roots).append(nodes[a["id"]])
    for row in areas.search_units(profile.db, "", limit=100_000):
        node = nodes.get(row["area_id"])
        if node:
            node.units.append(Unit.from_row(row))
    return roots


def search_units(profile: Profile, text: str, *, limit: int = 50) -> list[Unit]:
    return [Unit.from_row(r) for r in areas.search_units(profile.db, text.strip(), limit=limit)]


def get_unit(profile: Profile, unit_id: str) -> Unit | None:
    row = areas.get_unit(profile.db, unit_id)
    return Unit.from_row(row) if row else None


@dataclass(frozen=True)
class HistoryEntry:
    visit: Visit
    # Percentage of the first pinned rubric, None when nothing is scorable yet.
    percentage: Decimal | None
    band: Label | None


def unit_history(profile: Profile, unit_id: str, *, limit: int = 100) -> list[HistoryEntry]:
    """The unit's visits, newest first, each with its score (the trend the unit page plots)."""
    entries = []
    for visit in list_visits(profile, VisitFilter(unit_id=unit_id), limit=limit):
        hashes = get_visit(profile, visit.id).rubric_hashes
        if not hashes:
            entries.append(HistoryEntry(visit, None, None))
            continue
        result = score_visit(profile, visit.id, hashes[0])
        entries.append(HistoryEntry(visit, result.percentage, result.band.label if result.band else None))
    return entries

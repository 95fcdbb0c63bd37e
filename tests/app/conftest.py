"""Fixtures for tests/app: a visit that can take photos, and a folder standing for a camera card."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.visits import NewVisit, create_visit


@pytest.fixture
def photo_visit(seeded) -> str:
    return create_visit(seeded.profile, NewVisit(
        unit_id=seeded.unit_id, visit_type="routine", starts_on="2026-11-24",
        rubric_hashes=[seeded.rubric_hash], team_id=seeded.team_id)).id


@pytest.fixture
def card(tmp_path: Path) -> Path:
    """A folder standing for a camera card."""
    folder = tmp_path / "card" / "DCIM" / "100CANON"
    folder.mkdir(parents=True)
    return folder


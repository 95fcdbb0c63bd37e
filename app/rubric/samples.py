"""The sample rubrics shipped with the product (resources/rubrics/*.json).

Plain data access only: no Qt, no database. The documents are returned as parsed JSON; use the
rubric loader to validate and build a rubric from them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from app.canonical import loads_exact

__all__ = ["SAMPLES_DIR", "sample_paths", "sample_ids", "load_sample"]


def _find_samples_dir() -> Path:
    try:
        candidate = Path(str(files("resources") / "rubrics"))
        if candidate.is_dir():
            return candidate
    except (ModuleNotFoundError, TypeError):
        pass
    # Fallback: the source tree layout (app/rubric/samples.py -> <root>/resources/rubrics).
    return Path(__file__).resolve().parents[2] / "resources" / "rubrics"


SAMPLES_DIR: Path = _find_samples_dir()


def sample_paths() -> list[Path]:
    """Every sample rubric file, sorted by name."""
    return sorted(p for p in SAMPLES_DIR.glob("*.json") if p.is_file())


def sample_ids() -> list[str]:
    """The ids of the sample rubrics (the file stems), sorted."""
    return [p.stem for p in sample_paths()]


def load_sample(rubric_id: str) -> dict:
    """The parsed JSON document of the sample rubric ``rubric_id`` (numbers exact).

    Raises ``KeyError`` when no sample has that id.
    """
    path = SAMPLES_DIR / f"{rubric_id}.json"
    if "/" in rubric_id or "\\" in rubric_id or not path.is_file():
        raise KeyError(f"no sample rubric {rubric_id!r}; known: {', '.join(sample_ids())}")
    return loads_exact(path.read_text(encoding="utf-8"))

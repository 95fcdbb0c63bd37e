"""The dashboard pages' tests: their data (server.web.dashboard_demo: an inspector's laptop
syncing with the web tests' server process) and reading their tables.

The ``dash`` fixture seeds the data once per test module (so a module's tests only read it,
and use ``dash.site``, never the ``site`` fixture, which empties the store), with an office
account for each county; ``rows`` reads a table of a page as the person sees it.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from server.areas import area_by_code
from server.web.dashboard_demo import (
    B_CAMPAIGN,
    CAMPAIGN,
    COUNTY_A,
    COUNTY_B,
    MONTHLY,
    SCORES,
    SCRIPT_NAME,
    SCRIPT_UNIT,
    SPOT_CAMPAIGN,
    Seeded,
    seed,
)
from tests.server.conftest import reset_store
from tests.server.sync_support import MemoryKeyring, use_keyring

INSPECTOR = ("laptop-inspector", "password-123")
__all__ = ["B_CAMPAIGN", "CAMPAIGN", "COUNTY_A", "COUNTY_B", "MONTHLY", "SCORES", "SCRIPT_NAME", "SCRIPT_UNIT", "SPOT_CAMPAIGN"]


def seed_dashboard(site: Any, root: Path) -> Seeded:
    """The demo data through a real laptop's sync with ``site``'s server (``<script>`` name too)."""
    inspector, password = site.make_account("inspector", "42", login=INSPECTOR[0], password=INSPECTOR[1],
                                            name="刘督学")
    with contextmanager(use_keyring)(MemoryKeyring()):
        return seed(site.url, site.engine, root / "laptop", inspector, password, script_name=True)


@dataclass(frozen=True)
class Dash:
    site: Any
    seeded: Seeded
    # (login, password) of an office account of each county.
    county_a: tuple[str, str]
    county_b: tuple[str, str]

    def county(self, code: str) -> str:
        """An area's id (the value of the pages' county filter)."""
        with self.site.engine.connect() as conn:
            return area_by_code(conn, code).id


@pytest.fixture(scope="module")
def dash(site_process: Any, tmp_path_factory: pytest.TempPathFactory) -> Dash:
    reset_store(site_process.engine)
    seeded = seed_dashboard(site_process, tmp_path_factory.mktemp("dashboard-laptop"))
    a = site_process.make_account("office_staff", COUNTY_A, login="office-a", name="丹江口督导室")
    b = site_process.make_account("office_staff", COUNTY_B, login="office-b", name="郧西督导室")
    return Dash(site_process, seeded, a, b)


_ROWS = """rows => rows.map(r => {
  const found = {...r.dataset};
  for (const cell of r.querySelectorAll('[data-figure]')) found[cell.dataset.figure] = cell.textContent.trim();
  return found;
})"""


def rows(page: Page, selector: str) -> list[dict[str, str]]:
    """Each row of the table body at ``selector``: its data attributes (data-unit, data-county…)
    and the text of each cell that names its figure (data-figure)."""
    found: list[dict[str, str]] = page.eval_on_selector_all(f"{selector} tbody tr", _ROWS)
    return found


def figure_text(value: float | None, digits: int) -> str:
    """A number as the pages write it (grouped thousands, ``digits`` after the point)."""
    return "–" if value is None else f"{value:,.{digits}f}"

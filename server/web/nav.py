"""The sections of the office pages, in the order the header lists them: the one place a new
page is added to the navigation. A section is shown only to the roles that may open it."""

from __future__ import annotations

from dataclasses import dataclass

from server.accounts import OFFICE_ROLES


@dataclass(frozen=True)
class Section:
    path: str
    # Catalogue keys (server/web/i18n.py): the link's words, and the line the home page shows.
    label: str
    summary: str | None = None
    roles: tuple[str, ...] = OFFICE_ROLES


SECTIONS: tuple[Section, ...] = (
    Section("/", "nav.home"),
    Section("/campaigns", "nav.campaigns", "home.campaigns"),
    Section("/ranking", "nav.ranking", "home.ranking"),
    Section("/rectifications", "nav.rectifications", "home.rectifications"),
    Section("/planner", "nav.planner", "home.planner"),
    Section("/rubrics", "nav.rubrics", "home.rubrics"),
    Section("/exports", "nav.exports", "home.exports"),
    Section("/users", "nav.users", "home.users", roles=("admin",)),
    # Office staff see it read-only (server/web/pages/settings.py says why).
    Section("/settings", "nav.settings", "home.settings"),
)


def sections_for(role: str) -> list[Section]:
    return [s for s in SECTIONS if role in s.roles]


def current_section(path: str) -> Section | None:
    """The section a page belongs to: the longest section path that starts the page's path
    (the home page holds only itself)."""
    matches = [s for s in SECTIONS if path == s.path or (s.path != "/" and path.startswith(s.path + "/"))]
    return max(matches, key=lambda s: len(s.path), default=None)

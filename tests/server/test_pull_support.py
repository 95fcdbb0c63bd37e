"""Helpers for the pull tests: one page, every page, and an item's identity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.sync.pull import PullItem, PullPage

API = "/api/v1"


@dataclass
class Pulled:
    pages: list[PullPage]

    @property
    def items(self) -> list[Any]:
        return [item for page in self.pages for item in page.items]


def pull(server: Any, token: str, body: dict[str, Any]) -> PullPage:
    with server.client(token) as c:
        answer = c.post(f"{API}/pull", json=body)
    assert answer.status_code == 200, answer.text
    return PullPage.model_validate(answer.json())


def pull_all(server: Any, token: str, *, limit: int, cursor: str | None = None) -> Pulled:
    """Every page from ``cursor`` on, as a client applies them (until ``more`` is false)."""
    pages = []
    while True:
        page = pull(server, token, {"cursor": cursor, "limit": limit})
        pages.append(page)
        cursor = page.next_cursor
        if not page.more:
            return Pulled(pages)
        assert len(pages) < 10_000


def everything(server: Any, token: str) -> list[Any]:
    return pull_all(server, token, limit=1000).items


def identity(item: PullItem) -> tuple[Any, ...]:
    """What an item is about, and which version of it."""
    if item.kind == "rubric_template":
        return item.seq, item.kind, item.template.hash
    if item.kind == "row":
        return item.seq, item.kind, item.table, item.key, item.row.rev
    if item.kind == "conflict":
        return item.seq, item.kind, item.conflict.conflict_id, item.conflict.status
    if item.kind == "office_settings":
        return item.seq, item.kind, item.settings.updated_at
    return item.seq, item.kind

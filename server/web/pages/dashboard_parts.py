"""What the dashboard's pages (campaigns, ranking, unit) share: the domain's labels in the page's
language, and addresses with a query string."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from app.labels import (
    FINDING_STATUS_LABELS,
    PROFILE_NUMBER_LABELS,
    SEVERITY_LABELS,
    UNIT_TYPE_LABELS,
    VISIT_TYPE_LABELS,
    label_of,
)
from server.dashboard.choices import RubricName
from server.web.errors import PageNotFound


class Labels:
    """The domain's words (unit and visit types, severities, statuses, profile numbers, rubric
    and band names) in one language; a code without a label shows as itself."""

    def __init__(self, lang: str, rubrics: Mapping[str, RubricName] | None = None) -> None:
        self.lang = lang
        self.rubrics = rubrics or {}

    def unit_type(self, code: str | None) -> str:
        return label_of(UNIT_TYPE_LABELS, code).text(self.lang)

    def visit_type(self, code: str | None) -> str:
        return label_of(VISIT_TYPE_LABELS, code).text(self.lang)

    def severity(self, code: str | None) -> str:
        return label_of(SEVERITY_LABELS, code).text(self.lang)

    def finding_status(self, code: str | None) -> str:
        return label_of(FINDING_STATUS_LABELS, code).text(self.lang)

    def profile_number(self, key: str) -> str:
        return label_of(PROFILE_NUMBER_LABELS, key).text(self.lang)

    def rubric(self, rubric_id: str) -> str:
        name = self.rubrics.get(rubric_id)
        if name is None:
            return rubric_id
        return name.name_zh if self.lang == "zh" else (name.name_en or name.name_zh)

    def band(self, zh: str | None, en: str | None) -> str:
        return (zh or "") if self.lang == "zh" else (en or zh or "")


def url(path: str, **query: object) -> str:
    """``path`` with the query's non-empty values, in the order given."""
    kept = {k: str(v) for k, v in query.items() if v not in (None, "", False)}
    return path + ("?" + urlencode(kept) if kept else "")


def not_found() -> PageNotFound:
    """What a page raises for anything outside the viewer's scope: the same answer as for
    something that does not exist."""
    return PageNotFound()

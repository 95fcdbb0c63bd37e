"""Rubric templates carried by a push (a rubric imported on a laptop and used in its visits).

Every template is checked before anything of the changeset is applied: the document, read with
``loads_exact``, must hash to the template's ``hash``, name the same id, version and names, and pass
the laptop's validator. One failing template refuses the whole changeset (422 ``invalid`` with
``problems``), so nothing is stored. A template the server holds already is fine; a new one is
stored as ``rubric publish`` stores it, numbered with the push (so a pull delivers it before the
rows that name it).

Any role may push a template: a visit that pins one cannot be verified or re-scored without it,
and a template changes nothing by being held (visits name templates by hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from app.canonical import canonical_json, content_hash, loads_exact
from app.errors import RubricError
from app.rubric import Rubric, load_rubric
from app.sync.protocol import RubricTemplate
from server.errors import BadInput, Conflict
from server.rubrics import publish_rubric


@dataclass(frozen=True)
class Checked:
    document: dict[str, Any]
    rubric: Rubric


def _problems(n: int, template: RubricTemplate) -> tuple[Checked | None, list[dict[str, Any]]]:
    where: list[Any] = ["rubric_templates", n]
    # The exact reading the laptop hashed: numbers with a fraction as Decimals.
    document = loads_exact(canonical_json(template.document))
    if content_hash(document) != template.hash:
        return None, [{"location": [*where, "hash"], "message": f"the document hashes to {content_hash(document)}, "
                                                                f"not {template.hash}"}]
    try:
        rubric = load_rubric(document)
    except RubricError as exc:
        return None, [{"location": [*where, "document"], "message": p} for p in exc.problems or [str(exc)]]
    stated = {"rubric_id": rubric.id, "version": rubric.version, "name_zh": rubric.name.zh, "name_en": rubric.name.en}
    wrong = [{"location": [*where, field], "message": f"the document says {value!r}"}
             for field, value in stated.items() if getattr(template, field) != value]
    return (None, wrong) if wrong else (Checked(document, rubric), [])


def check_templates(templates: list[RubricTemplate]) -> list[Checked]:
    """The changeset's templates, checked; BadInput listing every problem otherwise."""
    checked, problems = [], []
    for n, template in enumerate(templates):
        ok, found = _problems(n, template)
        problems += found
        if ok is not None:
            checked.append(ok)
    if problems:
        raise BadInput("a rubric template in the changeset is not valid or does not match its hash; nothing was "
                       "applied", problems=problems)
    return checked


def store_templates(conn: Connection, checked: list[Checked], seq: int) -> None:
    """Store the new ones under the push's number (in its transaction, lock held)."""
    for n, template in enumerate(checked):
        try:
            publish_rubric(conn, template.document, template.rubric, seq=seq)
        except Conflict as exc:
            raise BadInput(exc.message, problems=[{"location": ["rubric_templates", n, "version"],
                                                   "message": exc.message}]) from None

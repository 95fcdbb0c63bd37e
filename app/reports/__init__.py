"""Printed documents of a visit: the feedback sheet, the rectification notice, the full report.

Core code, no Qt: the UI builds a PDF through the task runner and shows its pages; the CLI
writes it to a file. Every document is built from one ``ReportData`` read up front.

    built = build_report(profile, visit_id, kind="feedback", lang="zh", paper="a4")
    Path("sheet.pdf").write_bytes(built.pdf)

Building is two steps, so the desktop can keep the database thread free while pages are laid
out: ``prepare_report`` does every database read (short, on the database thread) and
``render_report`` lays out and renders from files and memory only (long, on any thread).

    doc = prepare_report(profile, visit_id, kind="full")   # database thread
    built = render_report(doc)                              # a file worker
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.platypus import Flowable

from app.errors import InvalidAnswer
from app.profile import Profile
from app.reports.common import PAPERS, Built, DocContext, build_pdf
from app.reports.data import load_report_data
from app.reports.feedback import feedback_story
from app.reports.full_report import full_story
from app.reports.layout import KINDS, Layout, load_layout, parse_layout, reset_layout, save_layout
from app.reports.output import OutputError, check_output, save_file
from app.reports.rectification import rectification_story
from app.reports.texts import LANGS
from app.reports.verify import VerifyResult, codes_for, qr_payload, short_code, verify_code

_STORIES: dict[str, Callable[[DocContext], list[Flowable]]] = {
    "feedback": feedback_story,
    "rectification": rectification_story,
    "full": full_story,
}


def build_report(profile: Profile, visit_id: str, *, kind: str = "feedback", lang: str = "zh",
                 paper: str | None = None) -> Built:
    """The PDF of one document of a visit. ``paper`` defaults to the ``paper_size`` setting.

    Photos that cannot be printed become a visible "missing evidence" box and a line in
    ``Built.warnings``; they never stop the document.
    """
    return render_report(prepare_report(profile, visit_id, kind=kind, lang=lang, paper=paper))


def prepare_report(profile: Profile, visit_id: str, *, kind: str = "feedback", lang: str = "zh",
                   paper: str | None = None) -> DocContext:
    """Check the options and read everything the document needs from the profile."""
    if kind not in KINDS:
        raise InvalidAnswer(f"unknown document {kind!r}; one of {', '.join(KINDS)}")
    if lang not in LANGS:
        raise InvalidAnswer(f"unknown document language {lang!r}; one of {', '.join(LANGS)}")
    if paper is None:
        from app.settings import get_setting

        paper = str(get_setting(profile, "paper_size") or "a4")
    paper = paper.lower()
    if paper not in PAPERS:
        raise InvalidAnswer(f"unknown paper size {paper!r}; one of {', '.join(PAPERS)}")
    return DocContext(load_report_data(profile, visit_id), lang, paper, kind)


def render_report(doc: DocContext) -> Built:
    """Lay out and render a prepared document. Reads files (photos, logo), never the database."""
    return build_pdf(doc, _STORIES[doc.kind](doc))


def write_report(profile: Profile, visit_id: str, out: Path, **options: str) -> Built:
    """``build_report`` written to ``out``: whole or not at all, with the user's normal file
    permissions. A folder that does not exist, or a path under a file, is refused (OutputError)
    before the document is built."""
    check_output(Path(out))
    built = build_report(profile, visit_id, **options)
    save_file(Path(out), built.pdf)
    return built


__all__ = [
    "KINDS", "LANGS", "PAPERS", "Built", "DocContext", "Layout", "OutputError", "VerifyResult", "build_report",
    "codes_for", "load_layout", "parse_layout", "prepare_report", "qr_payload", "render_report",
    "reset_layout", "save_file", "save_layout", "short_code", "verify_code", "write_report",
]

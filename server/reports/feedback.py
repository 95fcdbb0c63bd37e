"""The feedback sheet (现场反馈意见书) of a visit the server holds, printed by the laptop's code.

``app.reports.build_report`` runs on the visit laid out as a laptop profile
(``server.reports.held_profile``), so the paper the office downloads is the one a team-mate's
laptop prints after pulling the visit. What differs from the inspector's own laptop, and why:

- the 落款 names the office as the server's settings give it (in English on an English sheet,
  when the office has an English name), where a laptop prints its own office_name setting;
- the QR code opens this server's verify page (a laptop that never logged in prints the bare
  code);
- the layout is the default one: a layout customized on a laptop stays on that laptop.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from app.reports import Built, build_report
from server.reports.held_profile import held_profile
from server.store.blobs import BlobStore


def feedback_pdf(engine: Engine, blobs: BlobStore, visit_id: str, *, lang: str = "zh", server_url: str = "",
                 folder: Path | None = None) -> Built:
    """The sheet's PDF; its ``warnings`` name what could not be printed (a photo the server does
    not hold yet prints as a "missing evidence" box). NotFound when there is no such visit."""
    with held_profile(engine, blobs, visit_id, lang=lang, server_url=server_url, folder=folder) as held:
        return build_report(held.profile, visit_id, kind="feedback", lang=lang, paper="a4")

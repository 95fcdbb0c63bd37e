"""The foot of a document: the issuing office (落款), the signature lines and seal, the code.

These make the paper a formal document: who issues it and when, who signed for whom, and a
code anyone can check against the synced record.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer, Table

from app.reports.common import DocContext, p
from app.reports.fonts import FONT
from app.reports.linebreak import keep
from app.reports.styles import MUTED, RULE, grid_style
from app.reports.verify import codes_for

_SIGN_SPACE = 16 * mm


def foot_block(ctx: DocContext, space: float = 6) -> list[Flowable]:
    """The end of a document, kept on one page: the 落款, the signature lines and the code.

    The seal goes over the 落款 and the signatures answer it, so they never part; the code
    follows them rather than standing alone on a page of its own.
    """
    parts: list[Flowable] = []
    if ctx.shows("signatures"):
        parts += issuer_block(ctx) + signature_block(ctx)
    if ctx.shows("verification"):
        parts += verification_block(ctx)
    # Nested KeepTogethers claim a huge height (to force their own split), which would push
    # the whole foot to the next page: keep their content, not them.
    flat = [g for f in parts for g in (f._content if isinstance(f, KeepTogether) else [f])]
    return [Spacer(1, space), KeepTogether(flat)] if flat else []


def issue_date(ctx: DocContext) -> str:
    """The date of issue in the official style (2026年11月27日 / 27 November 2026).

    A finalized paper is issued on the day of its last amendment, else of finalizing; a draft
    is not issued yet, so its date stays blank for the hand.
    """
    v = ctx.data.visit
    when = (v.amended_at if ctx.data.amended else None) or v.finalized_at
    if ctx.data.draft or not when:
        return ctx.t("issuer.date_blank")
    return ctx.official_day(when)


def issuer_block(ctx: DocContext) -> list[Flowable]:
    """落款: the issuing office and the date of issue, at the right, where the seal goes on.

    The logo is in every page's header (the office_logo setting). Without an office name the
    date still prints, so the paper never claims an issuer it does not have.
    """
    s = ctx.styles
    right = ParagraphStyle(f"{s.body.name}-issuer", parent=s.body, alignment=TA_CENTER, spaceAfter=0)
    lines: list[Flowable] = []
    if ctx.data.office:
        lines.append(p(ctx.data.office, right))
    lines.append(p(issue_date(ctx), right))
    width = min(ctx.width * 0.5, 80 * mm)
    tbl = Table([[lines]], colWidths=[width], hAlign="RIGHT")
    # No rules: a 落款 stands free. The font is named, else the table's default (Helvetica,
    # never embedded) enters the page.
    tbl.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                  ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return [Spacer(1, 8), KeepTogether([tbl])]


class _Rule(Flowable):
    """The line a person signs on."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width, self.height = width, 2

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return min(self.width, aw), self.height

    def draw(self) -> None:
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.6)
        self.canv.line(0, 1, self.width, 1)


def signature_block(ctx: DocContext) -> list[Flowable]:
    """One cell per signature line: the captured image (or room to sign), a rule, the name
    and the date, each with its label, so a unit head signing on paper has a place for all.
    """
    d, s = ctx.data, ctx.styles
    by_role = {sig.role: sig for sig in d.signatures}
    labels = d.layout.signatures
    seal = d.layout.seal
    columns = len(labels) + (1 if seal else 0)
    if columns == 0:
        return []
    col_w = ctx.width / columns
    colon = "：" if ctx.lang == "zh" else ": "
    cells = []
    for label in labels:
        sig = by_role.get(label.role)
        content: list[Flowable] = [p(label.text(ctx.lang), s.cell)]
        if sig is not None and sig.path.is_file():
            try:
                reader = ImageReader(str(sig.path))
                iw, ih = reader.getSize()
                scale = min((col_w - 12) / iw, _SIGN_SPACE / ih)
                content.append(Image(str(sig.path), width=iw * scale, height=ih * scale))
            except OSError:
                ctx.warn(ctx.t("warn.signature", role=label.text(ctx.lang)))
                content.append(Spacer(1, _SIGN_SPACE))
        else:
            if sig is not None:
                ctx.warn(ctx.t("warn.signature", role=label.text(ctx.lang)))
            earlier = next((e for e in d.earlier_signatures if e.role == label.role), None)
            if sig is None and earlier is not None:
                # The place stays free for the new signature; the old one is named, not shown.
                content.append(p(ctx.t("sig.earlier", name=keep(earlier.signer_name),
                                       date=ctx.official_day(earlier.signed_at)), s.small))
            content.append(Spacer(1, _SIGN_SPACE))
        content.append(_Rule(col_w - 14))
        name = keep(sig.signer_name) if sig else ""
        when = ctx.official_day(sig.signed_at) if sig else ctx.t("issuer.date_blank")
        content.append(p(f"{ctx.t('sig.name')}{colon}{name}", s.cell))
        content.append(p(f"{ctx.t('sig.date')}{colon}{when}", s.cell))
        cells.append(content)
    extra: list[tuple] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if seal:
        cells.append([Spacer(1, 14 * mm), p(ctx.t("seal"), s.caption)])
        extra += [("BOX", (-1, 0), (-1, 0), 0.6, MUTED), ("VALIGN", (-1, 0), (-1, 0), "MIDDLE")]
    tbl = Table([cells], colWidths=[col_w] * columns, hAlign="LEFT")
    tbl.setStyle(grid_style(header_rows=0, extra=[("GRID", (0, 0), (-1, -1), 0, colors.white)] + extra))
    return [KeepTogether([p(ctx.t("signatures"), s.h2), tbl])]


def verification_block(ctx: DocContext) -> list[Flowable]:
    """The QR code and the short code, or, for a draft, a line saying there is none yet."""
    s = ctx.styles
    server_url = ctx.data.server_url
    codes = codes_for(ctx.data.visit, server_url)
    if codes is None:
        return [Spacer(1, 4), p(f"{ctx.t('verify')}：{ctx.t('verify.draft')}" if ctx.lang == "zh"
                                else f"{ctx.t('verify')}: {ctx.t('verify.draft')}", s.small)]
    payload, short = codes
    size = 24 * mm
    widget = QrCodeWidget(payload, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.initialFontName = FONT  # else the drawing names Helvetica, which is never embedded
    drawing.add(widget)
    # The server as a reader knows it: the host (and port) of the page the code opens.
    how = ctx.t("verify.online", server=urlsplit(payload).netloc) if server_url else ctx.t("verify.how")
    text = [p(ctx.t("verify"), s.h2), p(short, ctx.styles.h1), p(payload, s.small), p(how, s.small)]
    tbl = Table([[drawing, text]], colWidths=[size + 6, ctx.width - size - 6], hAlign="LEFT")
    tbl.setStyle(grid_style(header_rows=0, extra=[("GRID", (0, 0), (-1, -1), 0, colors.white),
                                                  ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [Spacer(1, 4), KeepTogether([tbl])]

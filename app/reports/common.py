"""The page template every document shares, and the blocks more than one document prints.

Pages are numbered "第 x 页 共 y 页" with a two-pass canvas: each page's drawing is kept until
the document is complete, then the header, footer and total are drawn on every page. A visit
that is not finalized gets a 草稿 / DRAFT watermark on every page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from app.reports.data import ReportData
from app.reports.fonts import FONT, register_fonts
from app.reports.renditions import Rendition
from app.reports.styles import ALERT, MUTED, RULE, Styles, grid_style, style_for_text, styles_for
from app.reports.texts import t, tn
from app.reports.verify import codes_for

PAPERS = {"a4": A4, "letter": LETTER}
# Images go into the PDF as binary JPEG streams. ASCII85 (reportlab's default) makes them 25%
# larger and, without reportlab's C accelerator, costs ~70 ms per photo in pure Python.
rl_config.useA85 = 0
MARGIN_X = 18 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 18 * mm


@dataclass
class DocContext:
    """One document being built: its data, language, paper and the warnings met on the way."""

    data: ReportData
    lang: str
    paper: str
    kind: str
    warnings: list[str] = field(default_factory=list)

    @property
    def styles(self) -> Styles:
        return styles_for(self.lang)

    @property
    def pagesize(self) -> tuple[float, float]:
        return PAPERS[self.paper]

    @property
    def width(self) -> float:
        """The width of the text frame."""
        return self.pagesize[0] - 2 * MARGIN_X

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def tn(self, key: str, n: int, **values: object) -> str:
        """A text with a count: the English singular for exactly one."""
        return tn(key, self.lang, n, **values)

    def title(self) -> str:
        title = self.data.layout.title(self.kind, self.lang) or self.t(f"title.{self.kind}")
        return title + self.t("amended.title") if self.data.amended else title

    def day(self, iso: str | None) -> str:
        """A date as the document's language writes it: 2026年11月27日, or 2026-11-27."""
        if not iso:
            return ""
        y, m, d = iso[:10].split("-")
        return f"{int(y)}年{int(m)}月{int(d)}日" if self.lang == "zh" else iso[:10]

    def shows(self, block: str) -> bool:
        return self.data.layout.shows(self.kind, block)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


def p(text: object, style: object) -> Paragraph:
    """A Paragraph of plain text: markup characters escaped, line breaks kept."""
    raw = str(text)
    return Paragraph(escape(raw).replace("\n", "<br/>"), style_for_text(style, raw))  # type: ignore[arg-type]


def table(rows: Sequence[Sequence[object]], widths: Sequence[float], *, header_rows: int = 1,
          extra: list[tuple] | None = None) -> Table:
    """A ruled table that splits across pages by row, repeating its header rows."""
    tbl = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=header_rows,
                splitByRow=True, hAlign="LEFT")
    tbl.setStyle(grid_style(header_rows=header_rows, extra=extra))
    return tbl


class MissingBox(Flowable):
    """The place of a photo that cannot be printed: a red dashed box saying so."""

    def __init__(self, width: float, height: float, text: str, style: object) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._para = p(text, style)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(ALERT)
        c.setDash(3, 2)
        c.setLineWidth(1)
        c.rect(0, 0, self.width, self.height)
        c.restoreState()
        w, h = self._para.wrap(self.width - 8, self.height)
        self._para.drawOn(c, 4, (self.height - h) / 2)


def photo_flowable(ctx: DocContext, r: Rendition, width: float, height: float) -> Flowable:
    """The photo fitted into width x height, or a visible "missing evidence" box and a warning."""
    if not r.ok or r.size is None:
        key = "photo.missing" if r.problem == "missing" else "photo.damaged"
        ctx.warn(ctx.t("warn.photo", name=r.photo.original_name or r.photo.id, reason=ctx.t(f"warn.{key}")))
        return MissingBox(width, height, ctx.t(key), ctx.styles.alert)
    pw, ph = r.size
    scale = min(width / pw, height / ph)
    return Image(r.source(), width=pw * scale, height=ph * scale)


def photo_grid(ctx: DocContext, items: Sequence[Rendition], columns: int, *,
               caption: Callable[[Rendition], str]) -> Table | None:
    """Photos in rows of ``columns``, each with its caption below."""
    if not items:
        return None
    cell_w = ctx.width / columns
    img_w, img_h = cell_w - 6, (cell_w - 6) * 0.75
    rows = []
    for start in range(0, len(items), columns):
        chunk = list(items[start:start + columns])
        cells: list[object] = [[photo_flowable(ctx, r, img_w, img_h), Spacer(1, 2),
                                p(caption(r), ctx.styles.caption)] for r in chunk]
        cells += [""] * (columns - len(chunk))
        rows.append(cells)
    tbl = Table(rows, colWidths=[cell_w] * columns, hAlign="LEFT")
    tbl.setStyle(grid_style(header_rows=0, extra=[
        ("GRID", (0, 0), (-1, -1), 0, colors.white), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return tbl


def photo_caption(ctx: DocContext, r: Rendition) -> str:
    ph = r.photo
    where = ph.item_code or ""
    text = ph.caption or ph.original_name
    return f"{where} {text}".strip()


def header_block(ctx: DocContext) -> list[Flowable]:
    """Title, the office's header line, and the visit's particulars in a two-column grid."""
    d, s = ctx.data, ctx.styles
    out: list[Flowable] = [p(ctx.title(), s.title)]
    line = d.layout.header(ctx.lang)
    if line:
        out.append(p(line, s.subtitle))
    from app.reports.data import visit_type_text

    unit_name = d.unit.name if d.unit else d.visit.unit_name
    rubrics = "；".join(
        f"{part.rubric.name.text(ctx.lang)}（{ctx.t('version')} {part.rubric.version}）" if ctx.lang == "zh"
        else f"{part.rubric.name.text(ctx.lang)} ({ctx.t('version')} {part.rubric.version})"
        for part in d.parts)
    members = ctx.t("and").join(d.members) or "—"
    pairs = [
        (ctx.t("unit"), unit_name, ctx.t("unit_code"), d.visit.unit_code),
        (ctx.t("visit_type"), visit_type_text(d.visit.visit_type, ctx.lang), ctx.t("date"), d.dates()),
        (ctx.t("leader"), d.leader or "—", ctx.t("members"), members),
    ]
    rows = [[p(a, s.cell), p(b, s.cell), p(c, s.cell), p(e, s.cell)] for a, b, c, e in pairs]
    rows.append([p(ctx.t("rubric"), s.cell), p(rubrics or "—", s.cell), "", ""])
    w = ctx.width
    out.append(table(rows, [w * 0.14, w * 0.36, w * 0.14, w * 0.36], header_rows=0, extra=[
        ("SPAN", (1, 3), (3, 3)), ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f4")),
        ("BACKGROUND", (2, 0), (2, 2), colors.HexColor("#f1f3f4"))]))
    if d.draft:
        out += [Spacer(1, 3), p(ctx.t("draft.note"), s.alert)]
    if d.amended:
        out += [Spacer(1, 3), p(ctx.t("amended.note", n=d.visit.amendment_no, date=ctx.day(d.visit.amended_at),
                                      finalized=ctx.day(d.visit.finalized_at)), s.body)]
    out.append(Spacer(1, 4))
    return out


def signature_block(ctx: DocContext) -> list[Flowable]:
    """One cell per signature line: the captured image when there is one, the name, a date."""
    d, s = ctx.data, ctx.styles
    by_role = {sig.role: sig for sig in d.signatures}
    labels = d.layout.signatures
    seal = d.layout.seal
    columns = len(labels) + (1 if seal else 0)
    if columns == 0:
        return []
    col_w = ctx.width / columns
    cells = []
    for label in labels:
        sig = by_role.get(label.role)
        content: list[Flowable] = [p(label.text(ctx.lang), s.cell)]
        if sig is not None and sig.path.is_file():
            try:
                reader = ImageReader(str(sig.path))
                iw, ih = reader.getSize()
                scale = min((col_w - 12) / iw, 16 * mm / ih)
                content.append(Image(str(sig.path), width=iw * scale, height=ih * scale))
            except OSError:
                ctx.warn(ctx.t("warn.signature", role=label.text(ctx.lang)))
                content.append(Spacer(1, 16 * mm))
        else:
            if sig is not None:
                ctx.warn(ctx.t("warn.signature", role=label.text(ctx.lang)))
            earlier = next((e for e in d.earlier_signatures if e.role == label.role), None)
            if sig is None and earlier is not None:
                # The place stays free for the new signature; the old one is named, not shown.
                content.append(p(ctx.t("sig.earlier", name=earlier.signer_name, date=ctx.day(earlier.signed_at)),
                                 s.small))
            content.append(Spacer(1, 16 * mm))
        name = sig.signer_name if sig else ""
        when = sig.signed_at[:10] if sig else ""
        content.append(p(f"{name}", s.cell))
        content.append(p(f"{ctx.t('sig.date')}：{when}" if ctx.lang == "zh" else f"{ctx.t('sig.date')}: {when}",
                         s.small))
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
    codes = codes_for(ctx.data.visit)
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
    text = [p(ctx.t("verify"), s.h2), p(short, ctx.styles.h1), p(payload, s.small), p(ctx.t("verify.how"), s.small)]
    tbl = Table([[drawing, text]], colWidths=[size + 6, ctx.width - size - 6], hAlign="LEFT")
    tbl.setStyle(grid_style(header_rows=0, extra=[("GRID", (0, 0), (-1, -1), 0, colors.white),
                                                  ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return [Spacer(1, 4), KeepTogether([tbl])]


def _canvas_class(ctx: DocContext, logo: ImageReader | None) -> type[pdfcanvas.Canvas]:
    codes = codes_for(ctx.data.visit)
    office = ctx.data.office
    title = ctx.title()
    draft = ctx.data.draft
    width, height = ctx.pagesize

    class NumberedCanvas(pdfcanvas.Canvas):
        """Keeps every page until the end, then draws the furniture with the page total."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            # Without this every page's preamble names Helvetica, a font that is never embedded.
            kwargs["initialFontName"] = FONT
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            ctx_pages[0] = total
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            self.saveState()
            top = height - 12 * mm
            x = MARGIN_X
            if logo is not None:
                lw, lh = logo.getSize()
                h = 9 * mm
                w = lw * h / lh
                self.drawImage(logo, x, top - 2.5 * mm, width=w, height=h, mask="auto")
                x += w + 3 * mm
            self.setFont(FONT, 9)
            self.setFillColor(MUTED)
            if office:
                self.drawString(x, top, office)
            self.drawRightString(width - MARGIN_X, top, title)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, top - 3.5 * mm, width - MARGIN_X, top - 3.5 * mm)
            self.setFont(FONT, 8)
            self.drawCentredString(width / 2, 9 * mm, t("page", ctx.lang, page=self._pageNumber, pages=total))
            if codes is not None:
                self.drawString(MARGIN_X, 9 * mm, codes[1])
            if draft:
                self.setFillColor(ALERT)
                self.setFillAlpha(0.13)
                self.setFont(FONT, 96)
                self.translate(width / 2, height / 2)
                self.rotate(35)
                self.drawCentredString(0, -30, f"{t('draft', 'zh')} {t('draft', 'en')}")
            self.restoreState()

    ctx_pages = [0]
    NumberedCanvas.pages = ctx_pages  # type: ignore[attr-defined]
    return NumberedCanvas


@dataclass(frozen=True)
class Built:
    pdf: bytes
    pages: int
    warnings: tuple[str, ...]


def build_pdf(ctx: DocContext, story: list[Flowable]) -> Built:
    """Lay out ``story`` on the shared page template and return the PDF's bytes."""
    register_fonts()
    logo = None
    if ctx.data.logo:
        try:
            logo = ImageReader(ctx.data.logo)
            logo.getSize()
        except OSError:
            ctx.warn(ctx.t("warn.logo", path=ctx.data.logo))
            logo = None
    out = io.BytesIO()
    w, h = ctx.pagesize
    unit = ctx.data.unit.name if ctx.data.unit else ctx.data.visit.unit_name
    doc = BaseDocTemplate(
        out, pagesize=ctx.pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{ctx.title()} — {unit}", author=ctx.data.office or "Fieldmark",
        creator="Fieldmark", subject=ctx.data.visit.id, lang="zh-CN" if ctx.lang == "zh" else "en",
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, w - 2 * MARGIN_X, h - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    maker = _canvas_class(ctx, logo)
    doc.build(story, canvasmaker=maker)
    return Built(out.getvalue(), maker.pages[0], tuple(ctx.warnings))  # type: ignore[attr-defined]

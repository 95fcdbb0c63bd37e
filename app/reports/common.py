"""The page template every document shares, and the blocks more than one document prints.

Pages are numbered "第 x 页 共 y 页" with a two-pass canvas: each page's drawing is kept until
the document is complete, then the header, footer and total are drawn on every page. A visit
that is not finalized gets a 草稿 / DRAFT watermark on every page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from app.reports.data import ReportData
from app.reports.fonts import FONT, register_fonts
from app.reports.linebreak import Para, keep
from app.reports.renditions import Rendition
from app.reports.styles import ALERT, MUTED, RULE, Styles, grid_style, styles_for
from app.reports.texts import t, tn
from app.reports.verify import codes_for

PAPERS = {"a4": A4, "letter": LETTER}
# Images go into the PDF as binary JPEG streams. ASCII85 (reportlab's default) makes them 25%
# larger and, without reportlab's C accelerator, costs ~70 ms per photo in pure Python.
rl_config.useA85 = 0
# The draft watermark: the alert red at 13% on white, opaque (see _watermark).
WATERMARK = colors.Color(*(1 - 0.13 * (1 - c) for c in ALERT.rgb()))
MARGIN_X = 18 * mm
# English month names for official dates; the documents never follow the machine's locale.
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
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
        return keep(f"{int(y)}年{int(m)}月{int(d)}日" if self.lang == "zh" else iso[:10])

    def official_day(self, iso: str | None) -> str:
        """A date as an official document writes it: 2026年11月27日, or 27 November 2026."""
        if not iso:
            return ""
        y, m, d = (int(x) for x in iso[:10].split("-"))
        return keep(f"{y}年{m}月{d}日" if self.lang == "zh" else f"{d} {_MONTHS[m - 1]} {y}")

    def shows(self, block: str) -> bool:
        return self.data.layout.shows(self.kind, block)

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)


# The least height (points) of each part of a row split across pages: about four lines.
SPLIT_IN_ROW = 48
# A heading needs this much of what follows it on the same page (two or three table rows or
# lines of text); otherwise it starts the next page.
FOLLOW_MIN = 22 * mm


def _is_heading(f: Flowable) -> bool:
    name = getattr(getattr(f, "style", None), "name", "")
    return isinstance(f, (Para, Paragraph)) and any(part in ("h1", "h2") for part in name.split("-"))


def _height(f: Flowable, aw: float, ah: float) -> float:
    _, h = f.wrap(aw, ah)
    if isinstance(f, KeepTogether):
        h = getattr(f, "_H", h)  # its wrap claims a huge height to force a split
    return h + f.getSpaceBefore() + f.getSpaceAfter()


def _start_height(f: Flowable, aw: float, ah: float) -> float:
    """How much of ``f`` must follow a heading on its page: a table's header and first row
    (a row of photos is taller than a few lines), two lines of a paragraph, else FOLLOW_MIN."""
    whole = _height(f, aw, ah)
    if isinstance(f, Table):
        rows = list(getattr(f, "_rowHeights", None) or [])
        first = sum(rows[:f.repeatRows + 1]) if rows else whole
        return min(whole, max(first, FOLLOW_MIN))
    if isinstance(f, Para):
        return min(whole, f.getSpaceBefore() + 2 * f.style.leading)
    return min(whole, FOLLOW_MIN)


class _KeepHeading(CondPageBreak):
    """Starts a new page before a heading unless the heading, and the start of what follows
    it, fit on this one: a heading never sits alone at the foot of a page.

    Unlike keepWithNext (a KeepTogether), a long table after the heading still starts on this
    page and splits, rather than leaving the rest of the page empty.
    """

    def __init__(self, headings: list[Flowable], follower: Flowable | None) -> None:
        super().__init__(0)
        self._headings, self._follower = headings, follower

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        need = sum(_height(h, availWidth, availHeight) for h in self._headings)
        if self._follower is not None:
            need += _start_height(self._follower, availWidth, availHeight)
        self.height = need
        return super().wrap(availWidth, availHeight)


def keep_headings(story: list[Flowable]) -> list[Flowable]:
    """``story`` with a _KeepHeading before each run of headings."""
    out: list[Flowable] = []
    i = 0
    while i < len(story):
        if _is_heading(story[i]):
            j = i
            while j < len(story) and _is_heading(story[j]):
                j += 1
            follower = story[j] if j < len(story) and not isinstance(story[j], (PageBreak, CondPageBreak)) else None
            out.append(_KeepHeading(story[i:j], follower))
            out += story[i:j]
            i = j
        else:
            out.append(story[i])
            i += 1
    return out


def p(text: object, style: ParagraphStyle) -> Para:
    """A paragraph of plain text, broken by the rules of Chinese typesetting; "\n" breaks the
    line. Mark a name or a date with ``keep()`` and no line break falls inside it."""
    return Para(str(text), style)


def table(rows: Sequence[Sequence[object]], widths: Sequence[float], *, header_rows: int = 1,
          extra: list[tuple] | None = None) -> Table:
    """A ruled table that splits across pages by row, repeating its header rows.

    A row taller than what is left of the page (a finding of a thousand characters) splits
    between its lines instead, as long as a few lines of it fit; reportlab would otherwise
    stop the whole document with a LayoutError.
    """
    tbl = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=header_rows,
                splitByRow=True, splitInRow=SPLIT_IN_ROW, hAlign="LEFT")
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
    if r.problem == "on_server" and r.ok and r.size is not None:
        ctx.warn(ctx.t("warn.photo.on_server", name=r.photo.original_name or r.photo.id))
    elif not r.ok or r.size is None:
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
    """What a printed photo is of: "问题 2 附图：…" for a finding's photo, the item's code,
    and the inspector's caption or else the item's text. Never the file name: "IMG_0412.jpg"
    tells the principal nothing."""
    ph, d = r.photo, ctx.data
    text = ph.caption
    if not text and ph.item_code:
        part = next((pt for pt in d.parts if pt.rubric.content_hash == ph.rubric_hash), None)
        item = part.rubric.items.get(ph.item_code) if part else None
        text = item.text.text(ctx.lang) if item else ""
    where = f"{ph.item_code} {text}".strip() if ph.item_code else text
    number = next((n for n, f in enumerate(d.findings, 1) if f.id == ph.finding_id), None)
    if number is None:
        return where
    label = ctx.t("photo.of_finding", n=number)
    if not where:
        return label
    return f"{label}：{where}" if ctx.lang == "zh" else f"{label}: {where}"


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
    members = ctx.t("and").join(keep(m) for m in d.members) or "—"
    pairs = [
        (ctx.t("unit"), unit_name, ctx.t("unit_code"), d.visit.unit_code),
        (ctx.t("visit_type"), visit_type_text(d.visit.visit_type, ctx.lang), ctx.t("date"), d.dates()),
        (ctx.t("leader"), keep(d.leader) or "—", ctx.t("members"), members),
    ]
    rows: list[list[object]] = [[p(a, s.cell), p(b, s.cell), p(c, s.cell), p(e, s.cell)] for a, b, c, e in pairs]
    rows.append([p(ctx.t("rubric"), s.cell), p(rubrics or "—", s.cell), "", ""])
    w = ctx.width
    out.append(table(rows, [w * 0.14, w * 0.36, w * 0.14, w * 0.36], header_rows=0, extra=[
        ("SPAN", (1, 3), (3, 3)), ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f4")),
        ("BACKGROUND", (2, 0), (2, 2), colors.HexColor("#f1f3f4"))]))
    if d.draft:
        out += [Spacer(1, 3), p(ctx.t("draft.note"), s.alert)]
    if d.open_conflicts:
        out += [Spacer(1, 3), p(ctx.t("conflict.note"), s.alert)]
        ctx.warn(ctx.t("warn.conflict"))
    if d.amended:
        out += [Spacer(1, 3), p(ctx.t("amended.note", n=d.visit.amendment_no, date=ctx.day(d.visit.amended_at),
                                      finalized=ctx.day(d.visit.finalized_at)), s.body)]
    out.append(Spacer(1, 4))
    return out


def _canvas_class(ctx: DocContext, logo: ImageReader | None) -> type[pdfcanvas.Canvas]:
    codes = codes_for(ctx.data.visit)
    return page_canvas(lang=ctx.lang, pagesize=ctx.pagesize, office=ctx.data.office, title=ctx.title(),
                       code=codes[1] if codes is not None else None, draft=ctx.data.draft, logo=logo)


def page_canvas(*, lang: str, pagesize: tuple[float, float], office: str | None, title: str,
                code: str | None = None, draft: bool = False,
                logo: ImageReader | None = None) -> type[pdfcanvas.Canvas]:
    """The canvas of the page template every document shares: the office (after its logo) and
    the title above a rule at the top of each page, "第 x 页 共 y 页" at the foot with ``code``
    (a visit's verification code) at its left, and the draft watermark. After the build, the
    class's ``pages[0]`` holds the page total."""
    width, height = pagesize

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
            self.drawCentredString(width / 2, 9 * mm, t("page", lang, page=self._pageNumber, pages=total))
            if code is not None:
                self.drawString(MARGIN_X, 9 * mm, code)
            self.restoreState()
            if draft:
                self._watermark()

        def _watermark(self) -> None:
            # Drawn opaque in a pale tint and moved to the start of the page, under the text:
            # a translucent mark on top makes CUPS' PostScript filters print the whole page
            # as a picture, with soft text.
            start = len(self._code)  # type: ignore[attr-defined]
            self.saveState()
            self.setFillColor(WATERMARK)
            self.setFont(FONT, 96)
            self.translate(width / 2, height / 2)
            self.rotate(35)
            self.drawCentredString(0, -30, f"{t('draft', 'zh')} {t('draft', 'en')}")
            self.restoreState()
            code = self._code  # type: ignore[attr-defined]
            ops = code[start:]
            del code[start:]
            code[0:0] = ops

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
    unit = ctx.data.unit.name if ctx.data.unit else ctx.data.visit.unit_name
    maker = _canvas_class(ctx, logo)
    pdf = lay_out(story, pagesize=ctx.pagesize, lang=ctx.lang, canvasmaker=maker, title=f"{ctx.title()} — {unit}",
                  author=ctx.data.office or "Fieldmark", subject=ctx.data.visit.id)
    return Built(pdf, maker.pages[0], tuple(ctx.warnings))  # type: ignore[attr-defined]


def lay_out(story: list[Flowable], *, pagesize: tuple[float, float], lang: str,
            canvasmaker: type[pdfcanvas.Canvas], title: str, author: str, subject: str) -> bytes:
    """``story`` laid out in the shared page frame (the margins above), drawn by ``canvasmaker``
    (``page_canvas``), as the PDF's bytes; ``title``, ``author`` and ``subject`` are its metadata."""
    register_fonts()
    out = io.BytesIO()
    w, h = pagesize
    doc = BaseDocTemplate(
        out, pagesize=pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, author=author, creator="Fieldmark", subject=subject,
        lang="zh-CN" if lang == "zh" else "en",
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, w - 2 * MARGIN_X, h - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(keep_headings(story), canvasmaker=canvasmaker)
    return out.getvalue()

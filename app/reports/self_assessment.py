"""The self-assessment form (自评表): a rubric printed for a unit to fill in by hand.

Before an inspection the unit assesses itself with the same rubric (自评). The form carries
what the unit needs to do that on paper: lines for the unit, the date and who filled it in;
every section and item with its code, content, 分值, 评分标准 and 评估方式, and empty 自评得分
and 说明 columns; a subtotal line under each section and the total; the grade bands and the
vetoes stated in words; and the head of unit's signature with a place for the seal.

It is laid out on the documents' page template (the embedded font, the ruled tables whose
header repeats on every page, "第 x 页 共 y 页"), in landscape so the columns have room to
write in.

    built = build_self_assessment(rubric, lang="zh")
    Path("自评表.pdf").write_bytes(built.pdf)
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from app.errors import InvalidAnswer
from app.labels import PROFILE_NUMBER_LABELS, UNIT_TYPE_LABELS, label_of
from app.reports.common import MARGIN_X, PAPERS, Built, lay_out, p, page_canvas, table
from app.reports.linebreak import keep
from app.reports.output import check_output, save_file
from app.reports.styles import Styles, styles_for
from app.reports.texts import LANGS, t
from app.reports.wording import methods_text
from app.rubric import Item, Prorate, Rubric, Section, score
from app.rubric.wording import band_lines, item_standard, plain, veto_lines

# The columns of the items table: (text key, share of the width).
COLUMNS = (("sa.code", 0.06), ("sa.content", 0.25), ("sa.points", 0.055), ("sa.standard", 0.30),
           ("sa.method", 0.085), ("sa.self_score", 0.07), ("sa.note", 0.18))
SCORE_COLUMN = 5
# Room to write a score by hand: an item row is never lower than this.
WRITE_HEIGHT = 7 * mm
SECTION_BG = colors.HexColor("#f1f3f4")
TOTAL_BG = colors.HexColor("#e8eaed")


class _Form:
    """One form being laid out: the rubric, its language, styles and the table's width."""

    def __init__(self, rubric: Rubric, lang: str, width: float) -> None:
        self.rubric, self.lang, self.width = rubric, lang, width
        self.s: Styles = styles_for(lang)
        # Scoring no answers gives each section's maximum, caps included, from the one engine.
        empty = score(rubric, {})
        self.maxima: dict[str, Decimal] = {code: r.maximum for code, r in empty.sections.items()}
        self.maximum = empty.nominal_maximum
        self.rows: list[list[object]] = []
        self.extra: list[tuple] = []

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    # -- rows of the items table -------------------------------------------------------------

    def _band_row(self, text: str, background: colors.Color) -> None:
        """A row across the whole table: a section's heading, never the last row of a page."""
        r = len(self.rows)
        self.rows.append([p(text, self.s.cell)] + [""] * (len(COLUMNS) - 1))
        self.extra += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r), (-1, r), background),
                       ("NOSPLIT", (0, r), (-1, r + 1))]

    def _sum_row(self, label: str, maximum: Decimal | None, background: colors.Color) -> None:
        """A subtotal or total line: its label, the points it adds up to, and room to write
        the unit's own sum under 自评得分."""
        r = len(self.rows)
        points = "" if maximum is None else plain(maximum)
        self.rows.append([p(label, self.s.cell_right), "", p(points, self.s.cell_center), "", "",
                          Spacer(1, WRITE_HEIGHT), ""])
        # A subtotal stays with the last row it adds up: never the first row of a page.
        self.extra += [("SPAN", (0, r), (1, r)), ("SPAN", (3, r), (4, r)),
                       ("BACKGROUND", (0, r), (-1, r), background), ("NOSPLIT", (0, r - 1), (-1, r))]

    def _item_row(self, item: Item) -> None:
        s = self.s
        shown = "—" if item.maximum == 0 else plain(item.maximum)
        self.rows.append([
            p(keep(item.code), s.cell_center), p(item.text.text(self.lang), s.cell), p(shown, s.cell_center),
            p(item_standard(item, self.rubric, self.lang), s.cell), p(methods_text(item.evidence, self.lang), s.cell_center),
            Spacer(1, WRITE_HEIGHT), "",
        ])

    def _section(self, sec: Section, depth: int) -> None:
        maximum = self.maxima[sec.code]
        name = "\u3000" * depth + sec.name.text(self.lang)
        raw = sum((it.maximum for it in sec.items), Decimal(0)) + sum(
            (self.maxima[sub.code] for sub in sec.sections), Decimal(0))
        key = "sa.section.cap" if sec.cap is not None and sec.cap < raw else "sa.section"
        heading = self.t(key, code=sec.code, name=name, points=plain(maximum))
        for rule in self.rubric.prorate:
            if rule.section == sec.code:
                heading += "\n" + prorate_text(rule, self.lang)
        self._band_row(heading, SECTION_BG)
        for item in sec.items:
            self._item_row(item)
        for sub in sec.sections:
            self._section(sub, depth + 1)
        if maximum > 0:  # a section of veto checks adds nothing up
            self._sum_row(self.t("sa.subtotal", code=sec.code, name=sec.name.text(self.lang)), maximum, SECTION_BG)

    def items_table(self) -> Flowable:
        self.rows = [[p(self.t(key), self.s.head) for key, _ in COLUMNS]]
        self.extra = [("VALIGN", (0, 1), (-1, -1), "TOP")]
        for sec in self.rubric.sections:
            self._section(sec, 0)
        self._sum_row(t("total", self.lang), self.maximum, TOTAL_BG)
        bonus = self.rubric.bonus_items
        if bonus:
            cap = self.rubric.bonus_cap
            cap_text = plain(cap) if cap is not None else plain(sum((it.maximum for it in bonus), Decimal(0)))
            self._band_row(self.t("sa.bonus", cap=cap_text), SECTION_BG)
            for item in bonus:
                self._item_row(item)
            self._sum_row(self.t("sa.bonus.subtotal", cap=cap_text), None, SECTION_BG)
            self._sum_row(t("total_with_bonus", self.lang), None, TOTAL_BG)
        return table(self.rows, [self.width * share for _, share in COLUMNS], extra=self.extra)

    # -- the blocks around it ----------------------------------------------------------------

    def heading(self) -> list[Flowable]:
        s, r = self.s, self.rubric
        subtitle = self.t("sa.subtitle", version=r.version, maximum=plain(self.maximum))
        if r.bonus_items and r.bonus_cap is not None:
            subtitle += self.t("sa.subtitle.bonus", cap=plain(r.bonus_cap))
        return [p(self.t("sa.heading.page", name=r.name.text(self.lang)), s.title), p(subtitle, s.subtitle)]

    def blanks(self) -> Flowable:
        """The lines the unit writes on: its name, the date, who filled the form in."""
        s, w = self.s, self.width
        date = self.t("issuer.date_blank") if self.lang == "zh" else ""
        rows = [[p(self.t("sa.unit"), s.cell), Spacer(1, 8 * mm), p(self.t("sa.date"), s.cell), p(date, s.cell)],
                [p(self.t("sa.filled_by"), s.cell), Spacer(1, 8 * mm), p(self.t("sa.phone"), s.cell), ""]]
        return table(rows, [w * 0.1, w * 0.45, w * 0.1, w * 0.35], header_rows=0, extra=[
            ("BACKGROUND", (0, 0), (0, -1), SECTION_BG), ("BACKGROUND", (2, 0), (2, -1), SECTION_BG)])

    def bands(self) -> list[Flowable]:
        s, r = self.s, self.rubric
        out: list[Flowable] = [p(self.t("sa.bands"), s.h1)]
        if not r.bands:
            return out + [p(self.t("sa.bands.none"), s.body)]
        if r.bands_basis == "percent":
            basis = "sa.bands.percent"
        else:
            basis = "sa.bands.total_bonus" if r.bonus_items else "sa.bands.total"
        return out + [p(self.t(basis), s.body)] + [p(line, s.body) for line in band_lines(r, self.lang)]

    def closing(self) -> Flowable:
        """The vetoes, the result the unit states and its head's signature with the seal, kept
        together: the signature never stands alone on a last page."""
        s, w = self.s, self.width
        lines = veto_lines(self.rubric, self.lang)
        vetoes = [p(line, s.alert) for line in lines] if lines else [p(self.t("sa.vetoes.none"), s.body)]
        date = self.t("issuer.date_blank") if self.lang == "zh" else ""
        sign = table([[p(self.t("sa.sign"), s.cell), Spacer(1, 12 * mm), p(t("sig.date", self.lang), s.cell),
                       p(date, s.cell)]],
                     [w * 0.16, w * 0.39, w * 0.1, w * 0.35], header_rows=0, extra=[
                         ("BACKGROUND", (0, 0), (0, 0), SECTION_BG), ("BACKGROUND", (2, 0), (2, 0), SECTION_BG)])
        return KeepTogether([p(self.t("sa.vetoes"), s.h1), *vetoes, Spacer(1, 6), p(self.t("sa.result"), s.body),
                             Spacer(1, 4), sign, Spacer(1, 4), p(t("seal", self.lang), s.cell_right)])

    def story(self) -> list[Flowable]:
        return [*self.heading(), self.blanks(), Spacer(1, 4), p(self.t("sa.how"), self.s.small),
                Spacer(1, 4), self.items_table(), *self.bands(), self.closing()]


def prorate_text(rule: Prorate, lang: str) -> str:
    """A prorate rule in words: "完全中学：本部分得分按 初中在校生数 ÷ （初中在校生数 + 高中在校生数） 折算"."""
    sep = t("and", lang)
    types = sep.join(label_of(UNIT_TYPE_LABELS, code).text(lang) for code in rule.unit_types)

    def added(codes: tuple[str, ...]) -> str:
        return " + ".join(label_of(PROFILE_NUMBER_LABELS, code).text(lang) for code in codes)

    den = added(rule.denominator)
    share = f"{added(rule.numerator)} ÷ " + (f"({den})" if len(rule.denominator) > 1 else den)
    return t("sa.prorate", lang, types=types, share=share)


def build_self_assessment(rubric: Rubric, *, lang: str = "zh", paper: str = "a4", office: str = "") -> Built:
    """The PDF of ``rubric``'s self-assessment form in ``lang`` on landscape ``paper``;
    ``office`` (the issuing office) heads every page when given."""
    if lang not in LANGS:
        raise InvalidAnswer(f"unknown document language {lang!r}; one of {', '.join(LANGS)}")
    paper = paper.lower()
    if paper not in PAPERS:
        raise InvalidAnswer(f"unknown paper size {paper!r}; one of {', '.join(PAPERS)}")
    pagesize = landscape(PAPERS[paper])
    form = _Form(rubric, lang, pagesize[0] - 2 * MARGIN_X)
    title = t("sa.heading", lang, name=rubric.name.text(lang))
    maker = page_canvas(lang=lang, pagesize=pagesize, office=office or None,
                        title=f"{t('sa.title', lang)} · {rubric.id} {rubric.version}")
    pdf = lay_out(form.story(), pagesize=pagesize, lang=lang, canvasmaker=maker, title=title,
                  author=office or "Fieldmark", subject=f"{rubric.id} {rubric.version} {rubric.content_hash[:12]}")
    return Built(pdf, maker.pages[0], ())  # type: ignore[attr-defined]


def write_self_assessment(rubric: Rubric, out: Path, **options: str) -> Built:
    """``build_self_assessment`` written to ``out`` whole, with normal permissions. A folder that
    does not exist, or a path under a file, is refused (OutputError) before the form is laid out."""
    check_output(Path(out))
    built = build_self_assessment(rubric, **options)
    save_file(Path(out), built.pdf)
    return built


__all__ = ["build_self_assessment", "write_self_assessment"]

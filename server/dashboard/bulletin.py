"""The bulletin (通报) of a campaign's results, printed as a PDF for the office to issue.

What it says: the campaign and its period, coverage against the plan by county, counts by band
and the average score of each rubric, the ranking with the top two units named under a red flag
and the bottom two under a yellow one (as the source documents do), the spot checks against the
≥30% rule, the rectifications (how many found, still open, overdue, marked for escalation, and
the overdue ones by name), and the issuing office with the date (落款).

Every figure comes from its one query in server.dashboard.figures, read in one transaction, so
the bulletin agrees with the overview and ranking pages and the exports. The pages are laid out
with the desktop's report code (app.reports: the embedded font, the styles, the ruled tables,
the page template with "第 x 页 共 y 页"), so the office's papers all look alike.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Spacer
from sqlalchemy import Connection, Engine

from app.labels import FINDING_STATUS_LABELS, UNIT_TYPE_LABELS, label_of
from app.reports.common import MARGIN_X, PAPERS, lay_out, p, page_canvas, table
from app.reports.linebreak import keep
from app.reports.styles import styles_for
from server.dashboard import choices, figures
from server.dashboard.choices import CampaignSummary
from server.dashboard.figures import (
    SPOT_CHECK_SHARE,
    AverageScore,
    BandCount,
    CountyCoverage,
    FindingState,
    RankedUnit,
    SpotCheckShare,
)
from server.office import get_settings
from server.store.blobs import BlobError, BlobStore
from server.store.database import reading
from server.store.schema import office_settings

LANGS = ("zh", "en")
RED_BG = colors.HexColor("#fde0dc")
YELLOW_BG = colors.HexColor("#fff4c2")
SHORT_BG = colors.HexColor("#fff4e5")
# The ranking's columns (shares of the text width): English band names are longer.
RANKING_WIDTHS = {"zh": (0.07, 0.07, 0.27, 0.12, 0.1, 0.09, 0.08, 0.09, 0.11),
                  "en": (0.07, 0.07, 0.24, 0.11, 0.1, 0.08, 0.07, 0.08, 0.18)}

# The bulletin's words (document text, chosen per bulletin like app.reports.texts).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("关于{campaign}情况的通报", "Bulletin on {campaign}"),
    "intro": ("{period}，{office}组织开展了{campaign}。现将有关情况通报如下。",
              "From {period}, {office} carried out {campaign}. Its results are reported below."),
    "office.none": ("本室", "the supervision office"),
    "period": ("{start}至{end}", "{start} to {end}"),
    "h.coverage": ("一、督导覆盖情况", "1. Coverage"),
    "coverage.text": ("本次督导计划{assigned}个单位，已督导{visited}个，已定稿{finalized}个，定稿率{share}。",
                      "{assigned} units were planned; {visited} were visited and {finalized} finalized "
                      "({share})."),
    "coverage.none": ("本次督导在通报范围内未安排单位。", "The campaign assigns no unit within this bulletin's scope."),
    "county": ("县（市、区）", "County"),
    "no_county": ("（未归县）", "(no county)"),
    "assigned": ("计划", "Planned"),
    "visited": ("已督导", "Visited"),
    "finalized": ("已定稿", "Finalized"),
    "finalized_share": ("定稿率", "Finalized share"),
    "total": ("合计", "Total"),
    "h.results": ("二、评定结果", "2. Results"),
    "results.none": ("尚无定稿的督导结果。", "No visit has been finalized yet."),
    "results.text": ("{rubric}：参评单位{units}个，平均分{average}（满分{maximum}），平均得分率{percentage}，"
                     "最高{highest}分，最低{lowest}分；触发一票否决{vetoed}个。",
                     "{rubric}: {units} units scored; average {average} (of {maximum}), average percentage "
                     "{percentage}, highest {highest}, lowest {lowest}; {vetoed} vetoed."),
    "band": ("评定等级", "Band"),
    "no_band": ("未评定", "Not graded"),
    "units": ("单位数", "Units"),
    "share": ("占比", "Share"),
    "h.ranking": ("三、排名情况", "3. Ranking"),
    "ranking.red": ("红旗单位（前两名）：{names}。", "Red flag (top two): {names}."),
    "ranking.yellow": ("黄旗单位（后两名）：{names}。", "Yellow flag (bottom two): {names}."),
    "ranking.score": ("{name}（{total}分）", "{name} ({total})"),
    "rank": ("名次", "Rank"),
    "flag": ("标记", "Flag"),
    "flag.red": ("红旗", "Red"),
    "flag.yellow": ("黄旗", "Yellow"),
    "unit": ("单位", "Unit"),
    "unit_type": ("类型", "Type"),
    "score": ("得分", "Score"),
    "maximum": ("满分", "Max."),
    "percentage": ("得分率", "%"),
    "vetoed": ("（否决）", " (vetoed)"),
    "h.spot": ("四、抽查情况", "4. Spot checks"),
    "spot.none": ("本次督导未安排抽查。", "The campaign plans no spot checks."),
    "spot.rule": ("按规定，上级抽查应不少于下级已检查单位的30%。",
                  "A spot check must cover at least 30% of the units the lower level checked."),
    "spot.short": ("抽查比例不足30%的：{names}。", "Below 30%: {names}."),
    "spot.met": ("各县（市、区）抽查比例均达到30%。", "Every county reached 30%."),
    "checked": ("下级已查", "Checked"),
    "planned": ("计划抽查", "Planned"),
    "sampled": ("已抽查", "Sampled"),
    "spot.share": ("抽查比例", "Share"),
    "rule": ("是否达标", "30% rule"),
    "rule.met": ("达到", "Met"),
    "rule.short": ("不足，尚差{count}个", "Short by {count}"),
    "rule.nothing": ("无下级检查", "Nothing checked"),
    "h.findings": ("五、整改情况", "5. Rectification"),
    "findings.text": ("共发现问题{found}个，尚未销号{open}个，其中逾期未整改{overdue}个，需升级督办{escalate}个。",
                      "Findings recorded: {found}; not closed: {open}; overdue: {overdue}; marked for "
                      "escalation: {escalate}."),
    "findings.none": ("本次督导未发现问题。", "No finding was recorded."),
    "findings.overdue": ("逾期未整改的问题如下，请有关单位抓紧整改：", "Overdue rectifications, to be completed without delay:"),
    "description": ("问题", "Finding"),
    "deadline": ("整改期限", "Deadline"),
    "status": ("状态", "Status"),
    "escalate": ("升级督办", "Escalate"),
    "yes": ("是", "yes"),
}


def _t(key: str, lang: str, **values: object) -> str:
    zh, en = TEXTS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def number(value: float | None, digits: int) -> str:
    """A figure as the overview page writes it (grouped thousands)."""
    return "–" if value is None else f"{value:,.{digits}f}"


def percent(value: float | Decimal | None, digits: int = 1) -> str:
    """A share (0.305) as the overview page writes it: 30.5%."""
    return "–" if value is None else f"{float(value) * 100:.{digits}f}%"


def percentage(value: float | None) -> str:
    """A percentage figure (73.125) as the overview page writes it: 73.1%."""
    return "–" if value is None else f"{number(value, 1)}%"


@dataclass(frozen=True)
class RubricResults:
    rubric_id: str
    name: str
    average: AverageScore | None
    bands: list[BandCount]
    ranking: list[RankedUnit]


@dataclass(frozen=True)
class Bulletin:
    campaign: CampaignSummary
    # The issuing office in the bulletin's language (empty until an admin names it).
    office: str
    issued: date
    lang: str
    coverage: list[CountyCoverage]
    spot: list[SpotCheckShare]
    results: list[RubricResults]
    # Every finding of the campaign's visits, closed ones too.
    findings: list[FindingState]
    logo_sha256: str | None = None

    @property
    def title(self) -> str:
        return _t("title", self.lang, campaign=self.campaign.name)


def bulletin_data(conn: Connection, scope: str, campaign_id: str, *, lang: str, today: date) -> Bulletin:
    """Everything the bulletin prints, from the figures; NotFound for a campaign outside the scope."""
    campaign = choices.campaign_in_scope(conn, scope, campaign_id)
    names = choices.rubric_names(conn)
    averages = {a.rubric_id: a for a in figures.average_scores(conn, scope, campaign_id)}
    bands: dict[str, list[BandCount]] = {}
    for band in figures.band_counts(conn, scope, campaign_id):
        bands.setdefault(band.rubric_id, []).append(band)
    results = []
    for rubric_id in sorted(set(averages) | set(bands)):
        name = names.get(rubric_id)
        label = rubric_id if name is None else (name.name_en or name.name_zh) if lang == "en" else name.name_zh
        results.append(RubricResults(rubric_id, label, averages.get(rubric_id), bands.get(rubric_id, []),
                                     figures.unit_ranking(conn, scope, rubric_id=rubric_id, campaign_id=campaign_id)))
    office, logo = "", None
    if conn.execute(office_settings.select().limit(1)).first() is not None:
        settings = get_settings(conn)
        office = (settings.name_en or settings.name_zh) if lang == "en" else settings.name_zh
        logo = settings.logo_sha256
    return Bulletin(campaign, office, today, lang, figures.campaign_coverage(conn, scope, campaign_id),
                    figures.spot_check_share(conn, scope, campaign_id), results,
                    figures.open_findings(conn, scope, today=today, campaign_id=campaign_id, include_closed=True),
                    logo)


def still_needed(row: SpotCheckShare) -> int:
    """Units still to sample for the county to reach 30% of what was checked."""
    low, whole = SPOT_CHECK_SHARE
    return max(0, -(-low * row.checked // whole) - row.sampled)


class _Doc:
    def __init__(self, b: Bulletin) -> None:
        self.b, self.lang = b, b.lang
        self.s = styles_for(b.lang)
        self.width = PAPERS["a4"][0] - 2 * MARGIN_X

    def t(self, key: str, **values: object) -> str:
        return _t(key, self.lang, **values)

    def day(self, iso: str | date) -> str:
        y, m, d = (int(x) for x in str(iso)[:10].split("-"))
        return keep(f"{y}年{m}月{d}日" if self.lang == "zh" else f"{y}-{m:02}-{d:02}")

    def cells(self, values: list[object], *, first_left: int = 1) -> list[object]:
        """A table row: the first ``first_left`` cells as text, the rest as figures (right)."""
        return [p(v, self.s.cell if n < first_left else self.s.cell_right) for n, v in enumerate(values)]

    def head(self, keys: list[str]) -> list[object]:
        return [p(self.t(k), self.s.head) for k in keys]


def _coverage(d: _Doc) -> list[Flowable]:
    b, s = d.b, d.s
    out: list[Flowable] = [p(d.t("h.coverage"), s.h1)]
    if not b.coverage:
        return out + [p(d.t("coverage.none"), s.body)]
    assigned = sum(r.assigned for r in b.coverage)
    visited = sum(r.visited for r in b.coverage)
    finalized = sum(r.finalized for r in b.coverage)
    out.append(p(d.t("coverage.text", assigned=assigned, visited=visited, finalized=finalized,
                     share=percent(finalized / assigned if assigned else None)), s.body))
    rows: list[list[object]] = [d.head(["county", "assigned", "visited", "finalized", "finalized_share"])]
    for r in b.coverage:
        rows.append(d.cells([r.county_name or d.t("no_county"), r.assigned, r.visited, r.finalized,
                             percent(r.finalized / r.assigned if r.assigned else None)]))
    rows.append(d.cells([d.t("total"), assigned, visited, finalized,
                         percent(finalized / assigned if assigned else None)]))
    w = d.width
    out.append(table(rows, [w * 0.32, w * 0.17, w * 0.17, w * 0.17, w * 0.17],
                     extra=[("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f1f3f4"))]))
    return out


def _results(d: _Doc) -> list[Flowable]:
    b, s = d.b, d.s
    out: list[Flowable] = [p(d.t("h.results"), s.h1)]
    if not b.results:
        return out + [p(d.t("results.none"), s.body)]
    w = d.width
    for r in b.results:
        a = r.average
        maximum = r.ranking[0].maximum if r.ranking else "–"
        if a is not None:
            out.append(p(d.t("results.text", rubric=r.name, units=a.units, average=number(a.average_total, 2),
                             maximum=maximum, percentage=percentage(a.average_percentage),
                             highest=number(a.highest, 2), lowest=number(a.lowest, 2), vetoed=a.vetoed), s.body))
        units = sum(band.units for band in r.bands)
        rows: list[list[object]] = [d.head(["band", "units", "share"])]
        for band in r.bands:
            name = (band.band_en or band.band_zh) if d.lang == "en" else band.band_zh
            rows.append(d.cells([name or d.t("no_band"), band.units, percent(band.units / units if units else None)]))
        out += [table(rows, [w * 0.4, w * 0.2, w * 0.2]), Spacer(1, 4)]
    return out


def _names(d: _Doc, units: list[RankedUnit]) -> str:
    sep = "、" if d.lang == "zh" else "; "
    return sep.join(d.t("ranking.score", name=keep(u.unit_name), total=u.total) for u in units)


def _ranking(d: _Doc) -> list[Flowable]:
    b, s = d.b, d.s
    out: list[Flowable] = [p(d.t("h.ranking"), s.h1)]
    if not b.results:
        return out + [p(d.t("results.none"), s.body)]
    w = d.width
    for r in b.results:
        if len(b.results) > 1:
            out.append(p(r.name, s.h2))
        red = [u for u in r.ranking if u.flag == "red"]
        yellow = [u for u in r.ranking if u.flag == "yellow"]
        if red:
            out.append(p(d.t("ranking.red", names=_names(d, red)), s.body))
        if yellow:
            out.append(p(d.t("ranking.yellow", names=_names(d, yellow)), s.body))
        rows: list[list[object]] = [d.head(["rank", "flag", "unit", "county", "unit_type", "score", "maximum",
                                            "percentage", "band"])]
        extra: list[tuple] = []
        for n, u in enumerate(r.ranking, 1):
            flag = d.t(f"flag.{u.flag}") if u.flag else ""
            band = ((u.band_en or u.band_zh) if d.lang == "en" else u.band_zh) or d.t("no_band")
            rows.append([p(u.rank, s.cell_right), p(flag, s.cell_center), p(u.unit_name, s.cell),
                         p(u.county_name or "", s.cell), p(label_of(UNIT_TYPE_LABELS, u.unit_type).text(d.lang), s.cell),
                         p(u.total, s.cell_right), p(u.maximum, s.cell_right),
                         p(number(u.percentage, 1), s.cell_right),
                         p(band + (d.t("vetoed") if u.vetoed else ""), s.cell)])
            if u.flag:
                extra.append(("BACKGROUND", (0, n), (-1, n), RED_BG if u.flag == "red" else YELLOW_BG))
        out += [table(rows, [w * f for f in RANKING_WIDTHS[d.lang]], extra=extra),
                Spacer(1, 4)]
    return out


def _spot(d: _Doc) -> list[Flowable]:
    b, s = d.b, d.s
    out: list[Flowable] = [p(d.t("h.spot"), s.h1)]
    if not b.spot:
        return out + [p(d.t("spot.none"), s.body)]
    out.append(p(d.t("spot.rule"), s.body))
    short = [r for r in b.spot if r.shortfall]
    sep = "、" if d.lang == "zh" else ", "
    out.append(p(d.t("spot.short", names=sep.join(keep(r.county_name or d.t("no_county")) for r in short))
                 if short else d.t("spot.met"), s.alert if short else s.body))
    rows: list[list[object]] = [d.head(["county", "checked", "planned", "sampled", "spot.share", "rule"])]
    extra: list[tuple] = []
    for n, r in enumerate(b.spot, 1):
        rule = (d.t("rule.short", count=still_needed(r)) if r.shortfall
                else d.t("rule.met") if r.checked else d.t("rule.nothing"))
        rows.append([*d.cells([r.county_name or d.t("no_county"), r.checked, r.planned, r.sampled, percent(r.share)]),
                     p(rule, s.alert_center if r.shortfall else s.cell_center)])
        if r.shortfall:
            extra.append(("BACKGROUND", (0, n), (-1, n), SHORT_BG))
    w = d.width
    out.append(table(rows, [w * 0.26, w * 0.13, w * 0.13, w * 0.13, w * 0.13, w * 0.22], extra=extra))
    return out


def _findings(d: _Doc) -> list[Flowable]:
    b, s = d.b, d.s
    out: list[Flowable] = [p(d.t("h.findings"), s.h1)]
    if not b.findings:
        return out + [p(d.t("findings.none"), s.body)]
    still = [f for f in b.findings if f.status not in figures.CLOSED_STATUSES]
    overdue = [f for f in b.findings if f.overdue]
    out.append(p(d.t("findings.text", found=len(b.findings), open=len(still), overdue=len(overdue),
                     escalate=sum(f.escalate for f in b.findings)), s.body))
    if overdue:
        lead = p(d.t("findings.overdue"), s.body)
        # Never the last line of a page with its table on the next.
        lead.keepWithNext = True
        out.append(lead)
        rows: list[list[object]] = [d.head(["unit", "county", "description", "deadline", "status", "escalate"])]
        for f in overdue:
            rows.append([p(f.unit_name, s.cell), p(f.county_name or "", s.cell), p(f.description, s.cell),
                         p(d.day(f.deadline) if f.deadline else "", s.cell_center),
                         p(label_of(FINDING_STATUS_LABELS, f.status).text(d.lang), s.cell_center),
                         p(d.t("yes") if f.escalate else "", s.alert_center)])
        w = d.width
        out.append(table(rows, [w * f for f in (0.2, 0.13, 0.31, 0.15, 0.11, 0.1)]))
    return out


def _signed(d: _Doc) -> list[Flowable]:
    right = ParagraphStyle(f"{d.lang}-signed", parent=d.s.body, alignment=TA_RIGHT)
    out: list[Flowable] = [Spacer(1, 14)]
    if d.b.office:
        out.append(p(d.b.office, right))
    out.append(p(d.day(d.b.issued), right))
    return out


def story(b: Bulletin) -> list[Flowable]:
    d = _Doc(b)
    s = d.s
    period = d.t("period", start=d.day(b.campaign.starts), end=d.day(b.campaign.ends))
    out: list[Flowable] = [p(b.title, s.title)]
    out.append(p(d.t("intro", period=period, office=b.office or d.t("office.none"), campaign=b.campaign.name),
                 s.body))
    for part in (_coverage, _results, _ranking, _spot, _findings):
        out += part(d)
    # The 落款 never stands alone on a last page: what it closes goes with it.
    signed = _signed(d)
    for flowable in [out[-1], *signed[:-1]]:
        flowable.keepWithNext = True
    return out + signed


def render_bulletin(b: Bulletin, logo: bytes | None = None) -> tuple[bytes, int]:
    """The bulletin's PDF and its page count, on the documents' page template (A4)."""
    reader = None
    if logo:
        try:
            reader = ImageReader(io.BytesIO(logo))
            reader.getSize()
        except OSError:
            # A logo that cannot be drawn leaves the header with the office's name only.
            reader = None
    maker = page_canvas(lang=b.lang, pagesize=PAPERS["a4"], office=b.office, title=b.title, logo=reader)
    pdf = lay_out(story(b), pagesize=PAPERS["a4"], lang=b.lang, canvasmaker=maker, title=b.title,
                  author=b.office or "Fieldmark", subject=b.campaign.campaign_id)
    return pdf, maker.pages[0]  # type: ignore[attr-defined]


def _logo(blobs: BlobStore, sha: str | None) -> bytes | None:
    if not sha:
        return None
    try:
        # Read through iter_chunks, which checks the hash: a logo changed at rest is not printed.
        return b"".join(blobs.iter_chunks(sha))
    except (BlobError, OSError):
        # A logo the store does not hold, cannot give now or holds damaged leaves the office's
        # name alone.
        return None


def bulletin_pdf(engine: Engine, blobs: BlobStore, scope: str, campaign_id: str, *, lang: str,
                 today: date) -> tuple[Bulletin, bytes]:
    """The campaign's bulletin as the scope sees it; NotFound outside the scope."""
    with reading(engine) as conn:
        data = bulletin_data(conn, scope, campaign_id, lang=lang, today=today)
    pdf, _pages = render_bulletin(data, _logo(blobs, data.logo_sha256))
    return data, pdf

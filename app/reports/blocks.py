"""Blocks of content that more than one document prints: scores, findings, good practices."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer

from app.reports.common import DocContext, p, table
from app.reports.data import RubricPart, severity_text
from app.reports.linebreak import keep, keep_names
from app.reports.styles import GAP_BG
from app.reports.wording import points
from app.rubric import Section


def _section_rows(part: RubricPart, sections: tuple[Section, ...], depth: int, max_depth: int) -> list[tuple[Section, int]]:
    rows = []
    for sec in sections:
        rows.append((sec, depth))
        if depth + 1 < max_depth:
            rows += _section_rows(part, sec.sections, depth + 1, max_depth)
    return rows


def score_block(ctx: DocContext, part: RubricPart, *, depth: int = 1) -> list[Flowable]:
    """Per-section 应得分 / 实得分 with the total, bonus, band and any veto with its reason.

    A draft marks the sections with open items and lists the gaps in red: the inspector's last
    check before leaving. A finalized sheet is a formal document: the answered column states
    how many items were assessed, plainly, and nothing of the to-do list prints.
    """
    s, res, draft = ctx.styles, part.result, ctx.data.draft

    def fmt(value: Decimal | None) -> str:
        return points(res, value)

    w = ctx.width
    rows: list[list[object]] = [[p(ctx.t("section"), s.head), p(ctx.t("maximum"), s.head),
                                 p(ctx.t("awarded"), s.head), p(ctx.t("answered"), s.head)]]
    extra: list[tuple] = []
    for sec, level in _section_rows(part, part.rubric.sections, 0, depth):
        sr = res.sections[sec.code]
        indent = "\u3000" * level
        done = f"{sr.answered_count}/{sr.total_count}"
        if draft and sr.answered_count < sr.total_count:
            done += f" {ctx.t('gap')}"
            extra.append(("BACKGROUND", (3, len(rows)), (3, len(rows)), GAP_BG))
        rows.append([p(f"{indent}{sec.code} {sec.name.text(ctx.lang)}", s.cell), p(fmt(sr.maximum), s.cell_right),
                     p(fmt(sr.awarded), s.cell_right), p(done, s.cell_center)])
    answered, total = assessed(part)
    rows.append([p(ctx.t("total"), s.cell), p(fmt(res.maximum), s.cell_right), p(fmt(res.awarded), s.cell_right),
                 p(f"{answered}/{total}", s.cell_center)])
    extra.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), colors.HexColor("#f1f3f4")))
    if res.bonus_raw or part.rubric.bonus_items:
        rows.append([p(ctx.t("bonus"), s.cell), p("", s.cell), p(fmt(res.bonus), s.cell_right), p("", s.cell)])
        rows.append([p(ctx.t("total_with_bonus"), s.cell), p("", s.cell), p(fmt(res.total_with_bonus), s.cell_right),
                     p("", s.cell)])
    out: list[Flowable] = [table(rows, [w * 0.55, w * 0.15, w * 0.15, w * 0.15], extra=extra)]
    band, note = grade_text(ctx, part)
    pct = f"{fmt(res.percentage)}%" if res.percentage is not None else "—"
    grade: list[Flowable] = [p(band, s.h2)] + ([p(note, s.small)] if note else [])
    summary = [[p(ctx.t("percentage"), s.cell), p(pct, s.cell), p(ctx.t("band"), s.cell), grade]]
    veto_text = ctx.t("no_veto")
    if res.vetoes:
        lines = [ctx.t("veto.item", item=v.item, label=v.label.text(ctx.lang)) for v in res.vetoes]
        if res.failed:
            lines.append(ctx.t("veto.fail"))
        else:
            caps = [v.cap_band for v in res.vetoes if v.cap_band]
            if caps:
                lines.append(ctx.t("veto.cap", band=part.rubric.band(caps[0]).label.text(ctx.lang)))
        veto_text = "\n".join(lines)
    summary.append([p(ctx.t("veto"), s.cell), p(veto_text, s.alert if res.vetoes else s.cell), "", ""])
    out.append(table(summary, [w * 0.15, w * 0.35, w * 0.15, w * 0.35], header_rows=0, extra=[
        ("SPAN", (1, 1), (3, 1)), ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f4")),
        ("BACKGROUND", (2, 0), (2, 0), colors.HexColor("#f1f3f4"))]))
    if draft and res.gap_count:
        out += [Spacer(1, 2), p(ctx.tn("gaps.count", res.gap_count, items=gap_list(ctx, part)), s.alert)]
    return out


def assessed(part: RubricPart) -> tuple[int, int]:
    """(items answered or N/A, items) over the whole rubric: its top sections added up."""
    sections = [part.result.sections[sec.code] for sec in part.rubric.sections]
    return sum(sr.answered_count for sr in sections), sum(sr.total_count for sr in sections)


def unassessed(part: RubricPart) -> int:
    """Items still waiting for an answer (N/A and switched-off items are not waiting)."""
    return sum(1 for g in part.result.gaps if g.kind == "unanswered")


def grade_text(ctx: DocContext, part: RubricPart) -> tuple[str, str]:
    """The grade as the document states it, and a note under it ("" when none).

    A draft with items not yet assessed shows its grade as provisional (暂定), with the count:
    a visit that has barely started must not read as 不达标. Before any answer there is no
    grade at all. A finalized visit's grade is its result, whatever was left unassessed.
    """
    res = part.result
    band = res.band.label.text(ctx.lang) if res.band else ctx.t("no_band")
    if not ctx.data.draft:
        return band, ""
    waiting = unassessed(part)
    answered, total = assessed(part)
    if answered == 0 and not res.vetoes:
        return ctx.t("no_band"), ctx.t("provisional.none", n=total)
    if waiting == 0:
        return band, ""
    provisional = f"{band}（{ctx.t('provisional')}）" if ctx.lang == "zh" else f"{band} ({ctx.t('provisional')})"
    return provisional, ctx.tn("provisional.note", waiting)


def gap_list(ctx: DocContext, part: RubricPart, limit: int = 12) -> str:
    """The first gaps by item, e.g. "A1.2 未评；B3 缺照片", and how many more were not listed."""
    gaps = part.result.gaps
    sep = "；" if ctx.lang == "zh" else "; "
    shown = sep.join(keep(f"{g.item} {ctx.t('gap.' + g.kind)}") for g in gaps[:limit])
    if len(gaps) > limit:
        shown += ctx.t("gaps.more", n=len(gaps) - limit)
    return shown


def scores_block(ctx: DocContext, *, depth: int = 1) -> list[Flowable]:
    out: list[Flowable] = []
    for part in ctx.data.parts:
        if len(ctx.data.parts) > 1:
            out.append(p(f"{part.rubric.name.text(ctx.lang)} {part.rubric.version}", ctx.styles.h2))
        out += score_block(ctx, part, depth=depth)
        out.append(Spacer(1, 4))
    return out


def findings_table(ctx: DocContext, *, show: str = "all") -> list[Flowable]:
    """The findings, numbered: ``show`` "all" prints each with its requirement, deadline,
    responsible person and severity (the feedback sheet, the notice); the full report splits
    them between 四、存在问题 ("problems": the finding and its severity) and 五、整改要求
    ("requirements": what to do, by when, who), so no table is printed twice."""
    s, w = ctx.styles, ctx.width
    findings = ctx.data.findings
    if not findings:
        return [p(ctx.t("findings.none"), s.body)]
    columns = {
        "all": (("no", 0.06), ("finding", 0.33), ("requirement", 0.29), ("deadline", 0.12), ("responsible", 0.11),
                ("severity", 0.09)),
        "problems": (("no", 0.06), ("finding", 0.82), ("severity", 0.12)),
        "requirements": (("no", 0.06), ("requirement", 0.6), ("deadline", 0.17), ("responsible", 0.17)),
    }[show]
    rows: list[list[object]] = [[p(ctx.t(key), s.head) for key, _ in columns]]
    for n, f in enumerate(findings, 1):
        cells = {
            "no": p(n, s.cell_center),
            "finding": p(f"{f.item_code}  {f.description}" if f.item_code else f.description, s.cell),
            "requirement": p(f.requirement or "—", s.cell),
            "deadline": p(f.deadline or ctx.t("no_deadline"), s.cell_center),
            "responsible": p(keep_names(f.responsible) or "—", s.cell),
            "severity": p(severity_text(f.severity, ctx.lang),
                          s.alert_center if f.severity == "major" else s.cell_center),
        }
        rows.append([cells[key] for key, _ in columns])
    return [table(rows, [w * x for _, x in columns], extra=[("VALIGN", (0, 1), (-1, -1), "TOP")])]


def practices_block(ctx: DocContext) -> list[Flowable]:
    s = ctx.styles
    if not ctx.data.practices:
        return [p(ctx.t("practices.none"), s.body)]
    return [p(f"{n}. {gp.text}", s.body) for n, gp in enumerate(ctx.data.practices, 1)]


"""The inspection report (督导报告) in the standard outline, with every item and every photo.

基本情况 / 主要做法 / 得分情况 / 存在问题 / 整改要求, then an appendix with each item's answer,
note and evidence method (gaps marked) and an annex with all photos in a grid.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak

from app.reports.answers import answer_text
from app.reports.blocks import findings_table, grade_text, practices_block, scores_block
from app.reports.common import (
    DocContext,
    header_block,
    p,
    photo_caption,
    photo_grid,
    table,
)
from app.reports.data import RubricPart
from app.reports.linebreak import keep
from app.reports.renditions import SMALL, render_photos
from app.reports.signing import foot_block
from app.reports.styles import GAP_BG
from app.reports.wording import methods_phrase, methods_text, points, visit_type_phrase
from app.rubric import Section

SECTION_BG = colors.HexColor("#f1f3f4")


def _summary(ctx: DocContext) -> list[Flowable]:
    d, s = ctx.data, ctx.styles
    used = sorted({m for part in d.parts for r in part.responses.values() for m in r.evidence_methods})
    team = ctx.t("and").join(keep(n) for n in [d.leader, *d.members] if n) or ctx.t("team.default")
    rubric = ctx.t("and").join(part.rubric.name.text(ctx.lang) for part in d.parts)
    out = [p(ctx.t("full.summary", date=d.dates(), team=team, unit=d.unit.name if d.unit else d.visit.unit_name,
                   visit_type=visit_type_phrase(d.visit.visit_type, ctx.lang),
                   methods=methods_phrase(used, ctx.lang) or ctx.t("methods.none"), rubric=rubric), s.body)]
    for part in d.parts:
        res = part.result
        band, note = grade_text(ctx, part)
        line = ctx.t("full.result", awarded=points(res, res.awarded), maximum=points(res, res.maximum), band=band)
        if note:
            line += f"{note}。" if ctx.lang == "zh" else f" {note[:1].upper()}{note[1:]}."
        out.append(p(line, s.body))
    return out


def _item_rows(ctx: DocContext, part: RubricPart, sec: Section, rows: list, extra: list) -> None:
    s, res, lang = ctx.styles, part.result, ctx.lang
    sr = res.sections[sec.code]
    indicators = {r.code: r for r in res.indicators}
    rows.append([p(f"{sec.code} {sec.name.text(lang)}  ({points(res, sr.awarded)}/{points(res, sr.maximum)})",
                   s.cell), "", "", "", "", ""])
    n = len(rows) - 1
    extra += [("SPAN", (0, n), (-1, n)), ("BACKGROUND", (0, n), (-1, n), SECTION_BG)]
    for item in sec.items:
        ir = res.items.get(item.code)
        resp = part.responses.get(item.code)
        answer = answer_text(item, resp, lang, indicators.get(item.code))
        if ir is not None and not ir.applicable:
            answer = ctx.t("not_applicable")
        if ir is not None and ir.gaps and ctx.data.draft:
            # The inspector's to-do list, on drafts only.
            marks = ctx.t("and").join(ctx.t(f"gap.{g}") for g in ir.gaps)
            answer = f"{answer}\n[{ctx.t('gap')}: {marks}]" if answer else f"[{ctx.t('gap')}: {marks}]"
            extra.append(("BACKGROUND", (2, len(rows)), (2, len(rows)), GAP_BG))
        elif ir is not None and ir.applicable and not ir.answered and not ir.na:
            answer = ctx.t("not_assessed")  # a finalized record states it, plainly
        note = "\n".join(x for x in (resp.note, resp.reason) if x) if resp else ""
        score = f"{points(res, ir.awarded)}/{points(res, ir.maximum)}" if ir is not None else ""
        if ir is not None and ir.maximum == 0 and ir.awarded == 0:
            score = "—"  # a veto check or a record of the outcome: it carries no points
        methods = methods_text(resp.evidence_methods, lang) if resp else ""
        rows.append([p(item.code, s.cell), p(item.text.text(lang), s.cell), p(answer, s.cell),
                     p(score, s.cell_right), p(methods, s.cell), p(note, s.cell)])
    for child in sec.sections:
        _item_rows(ctx, part, child, rows, extra)


def items_block(ctx: DocContext, part: RubricPart) -> list[Flowable]:
    s, w = ctx.styles, ctx.width
    head = [ctx.t(k) for k in ("code", "item", "answer", "score", "method", "note")]
    rows: list[list[object]] = [[p(h, s.head) for h in head]]
    extra: list[tuple] = [("VALIGN", (0, 1), (-1, -1), "TOP")]
    for sec in part.rubric.sections:
        _item_rows(ctx, part, sec, rows, extra)
    # The method column holds "Questionnaire" whole; a score "25/25" needs little room.
    widths = [0.07, 0.31, 0.2, 0.09, 0.15, 0.18]
    return [table(rows, [w * x for x in widths], extra=extra)]


def full_story(ctx: DocContext) -> list[Flowable]:
    s, d = ctx.styles, ctx.data
    story: list[Flowable] = header_block(ctx)
    if ctx.shows("basic"):
        story += [p(ctx.t("full.basic"), s.h1)] + _summary(ctx)
    if ctx.shows("practices"):
        story += [p(ctx.t("full.practices"), s.h1)] + practices_block(ctx)
    if ctx.shows("scores"):
        story += [p(ctx.t("full.scores"), s.h1)] + scores_block(ctx, depth=2)
    if ctx.shows("findings"):
        story += [p(ctx.t("full.findings"), s.h1)] + findings_table(ctx, show="problems")
    if ctx.shows("requirements"):
        # Numbered as in 四、存在问题, so each requirement points at its finding.
        story += [p(ctx.t("full.requirements"), s.h1)] + findings_table(
            ctx, show="requirements" if ctx.shows("findings") else "all")
    story += foot_block(ctx, 6)
    if ctx.shows("items"):
        story.append(PageBreak())
        story.append(p(ctx.t("full.items"), s.h1))
        for part in d.parts:
            if len(d.parts) > 1:
                story.append(p(f"{part.rubric.name.text(ctx.lang)} {part.rubric.version}", s.h2))
            story += items_block(ctx, part)
    if ctx.shows("photos") and d.photos:
        grid = photo_grid(ctx, render_photos(d.root, d.media_dir, d.photos, d.annotations, edge=SMALL,
                                                 on_server=d.on_server), 3,
                          caption=lambda r: photo_caption(ctx, r))
        story += [PageBreak(), p(ctx.t("full.photos"), s.h1)]
        if grid is not None:
            story.append(grid)
    return story

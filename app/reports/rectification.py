"""The rectification notice (整改通知书): the findings, their deadlines and the reply expected."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer

from app.reports.blocks import findings_table
from app.reports.common import DocContext, header_block, p
from app.reports.signing import foot_block
from app.reports.wording import visit_type_phrase


def rectification_story(ctx: DocContext) -> list[Flowable]:
    s, d = ctx.styles, ctx.data
    unit = d.unit.name if d.unit else d.visit.unit_name
    office = d.office or ctx.t("rect.office")
    story: list[Flowable] = []
    if ctx.shows("header"):
        story += header_block(ctx)
    story += [
        p(ctx.t("rect.to", unit=unit), s.body),
        p(ctx.t("rect.intro", date=d.dates(), office=office,
                visit_type=visit_type_phrase(d.visit.visit_type, ctx.lang)), s.body),
        Spacer(1, 4),
    ]
    if ctx.shows("findings"):
        story += [p(ctx.t("findings"), s.h1)] + findings_table(ctx)
    if ctx.shows("reply"):
        story += [Spacer(1, 6), p(ctx.t("rect.reply", office=office), s.body)]
    story += foot_block(ctx, 6)
    return story

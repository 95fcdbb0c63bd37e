"""The on-site feedback sheet (现场反馈意见书): one or two pages handed over before leaving."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable

from app.evidence import Photo
from app.reports.blocks import findings_table, practices_block, scores_block
from app.reports.common import (
    DocContext,
    header_block,
    p,
    photo_caption,
    photo_grid,
)
from app.reports.renditions import SMALL, render_photos
from app.reports.signing import foot_block


def chosen_photos(photos: tuple[Photo, ...], limit: int, finding_ids: Sequence[str] = ()) -> list[Photo]:
    """The photos the sheet carries, at most ``limit``, in the order they print.

    The inspector's choice comes first: photos chosen for the sheet take the places, photos
    left out never print. The places left go by the default rule: photos of findings, then
    captioned ones, then the rest in display order. On paper the findings' photos lead, by
    finding number, so "问题 1 附图" comes before "问题 2 附图".
    """
    candidates = [(i, ph) for i, ph in enumerate(photos) if ph.on_sheet is not False]
    ranked = sorted(candidates, key=lambda ip: (ip[1].on_sheet is not True, ip[1].finding_id is None,
                                                not ip[1].caption, ip[0]))
    picked = ranked[:limit]
    number = {fid: n for n, fid in enumerate(finding_ids)}
    last = len(number)
    picked.sort(key=lambda ip: (number.get(ip[1].finding_id or "", last), ip[0]))
    return [ph for _, ph in picked]


def feedback_story(ctx: DocContext) -> list[Flowable]:
    s, d = ctx.styles, ctx.data
    story: list[Flowable] = []
    if ctx.shows("header"):
        story += header_block(ctx)
    if ctx.shows("scores"):
        story += [p(ctx.t("scores"), s.h1)] + scores_block(ctx)
    if ctx.shows("findings"):
        story += [p(ctx.t("findings"), s.h1)] + findings_table(ctx)
    if ctx.shows("practices"):
        story += [p(ctx.t("practices"), s.h1)] + practices_block(ctx)
    if ctx.shows("photos") and ctx.data.layout.feedback_photos and ctx.data.photos:
        chosen = chosen_photos(d.photos, d.layout.feedback_photos, [f.id for f in d.findings])
        grid = photo_grid(ctx, render_photos(d.root, d.media_dir, chosen, d.annotations, edge=SMALL,
                                                 on_server=d.on_server), 3,
                          caption=lambda r: photo_caption(ctx, r))
        block: list[Flowable] = [p(ctx.t("photos"), s.h1)]
        if grid is not None:
            block.append(grid)
        more = len(ctx.data.photos) - len(chosen)
        if more > 0:
            block.append(p(ctx.tn("photos.more", more), s.small))
        story += block  # the heading stays with the first row of photos (keep_headings)
    story += foot_block(ctx, 4)
    return story

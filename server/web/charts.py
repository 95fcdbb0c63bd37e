"""Charts as inline SVG, drawn on the server: nothing loaded from elsewhere, printable, and
readable without JavaScript. Every text in a chart is escaped here; a chart is returned as
``Markup`` so a template puts it in as it is.

Each chart carries ``role="img"`` with a title (its accessible name) and writes its numbers
next to its bars and points, so no figure is shown only as a length or a height.

- ``bar_chart``: horizontal bars in groups (one group per county, one bar per series), or one
  bar per category when there is a single series.
- ``line_chart``: lines over time (one per series) on a fixed 0–``top`` scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours that stay apart in print and for the common colour-vision deficiencies.
PALETTE = ("#4a6fa5", "#e0a030", "#3a9a5b", "#b04a5a", "#7a5aa6", "#5a9aa6")
FONT = "font-family:inherit;font-size:12px"


@dataclass(frozen=True)
class Series:
    label: str
    # One value per category (bar chart) or per point (line chart); None is "no figure".
    values: Sequence[float | None]
    colour: str | None = None


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) or abs(value) >= 100 else f"{value:.1f}"


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for i, s in enumerate(series):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{y + i * 18:.1f}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 18:.1f}" y="{y + i * 18 + 10:.1f}" style="{FONT}">{escape(s.label)}</text>')
    return parts


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *,
              width: int = 640, bar: int = 14, label_width: int = 150) -> Markup:
    """Horizontal bars: for each category, one bar per series, its value written after it."""
    top = max((v for s in series for v in s.values if v is not None), default=0.0) or 1.0
    group = bar * len(series) + 10
    legend = 18 * len(series) if len(series) > 1 else 0
    height = 28 + group * len(categories) + legend + 8
    plot = width - label_width - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}"><title>{escape(title)}</title>',
             f'<text x="0" y="16" style="{FONT};font-weight:bold">{escape(title)}</text>']
    for c, category in enumerate(categories):
        y0 = 28 + c * group
        parts.append(f'<text x="{label_width - 8}" y="{y0 + group / 2 + 2:.1f}" text-anchor="end" '
                     f'style="{FONT}">{escape(category)}</text>')
        for i, s in enumerate(series):
            value = s.values[c]
            colour = s.colour or PALETTE[i % len(PALETTE)]
            y = y0 + i * bar
            length = 0.0 if value is None else plot * value / top
            parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar - 2}" fill="{colour}">'
                         f'<title>{escape(category)} · {escape(s.label)}: '
                         f'{"–" if value is None else _number(value)}</title></rect>')
            parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar - 4}" style="{FONT}">'
                         f'{"–" if value is None else _number(value)}</text>')
    if len(series) > 1:
        parts += _legend(series, label_width, 28 + group * len(categories) + 4)
    parts.append("</svg>")
    return Markup("".join(parts))


def _labelled(points: Sequence[str], step: float) -> list[int]:
    """The points whose label is written under the axis: as many as fit side by side (a label
    about 7 px a character wide), always the first and the last."""
    if not points:
        return []
    room = 7.0 * max(len(p) for p in points) + 8
    every = max(1, int(-(-room // step))) if step else 1
    shown = list(range(0, len(points), every))
    last = len(points) - 1
    if shown[-1] != last:
        # The last point's label replaces a neighbour it would overlap.
        if (last - shown[-1]) * step < room and len(shown) > 1:
            shown.pop()
        shown.append(last)
    return shown


def line_chart(title: str, points: Sequence[str], series: Sequence[Series], *, top: float = 100.0,
               unit: str = "", width: int = 640, height: int = 240) -> Markup:
    """Lines over ``points`` (their labels, oldest first, e.g. visit dates) on a 0–``top`` scale;
    a series' None leaves a gap. Each point is a dot with its value."""
    left, right, above, below = 44, 16, 28, 52
    legend = 18 * len(series)
    plot_w, plot_h = width - left - right, height - above - below
    total_h = height + legend
    step = plot_w / max(len(points) - 1, 1)

    def x_of(i: int) -> float:
        return left + (i * step if len(points) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return above + plot_h * (1 - min(max(v / top, 0.0), 1.0))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {total_h}" '
             f'width="{width}" height="{total_h}"><title>{escape(title)}</title>',
             f'<text x="0" y="16" style="{FONT};font-weight:bold">{escape(title)}</text>']
    for k in range(5):
        tick = top * k / 4
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" style="{FONT}">'
                     f'{_number(tick)}{escape(unit)}</text>')
    for i in _labelled(points, step):
        # The last label ends at its point, so it stays inside the chart.
        anchor = "end" if i == len(points) - 1 and len(points) > 1 else "middle"
        parts.append(f'<text x="{x_of(i):.1f}" y="{above + plot_h + 16}" text-anchor="{anchor}" '
                     f'style="{FONT}">{escape(points[i])}</text>')
    for n, s in enumerate(series):
        colour = s.colour or PALETTE[n % len(PALETTE)]
        run: list[str] = []
        for i, v in enumerate(s.values):
            if v is None:
                if len(run) > 1:
                    parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(run)}"/>')
                run = []
                continue
            run.append(f"{x_of(i):.1f},{y_of(v):.1f}")
        if len(run) > 1:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(run)}"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3.5" fill="{colour}">'
                             f'<title>{escape(points[i])} · {escape(s.label)}: {_number(v)}{escape(unit)}</title>'
                             f'</circle><text x="{x_of(i):.1f}" y="{y_of(v) - 7:.1f}" text-anchor="middle" '
                             f'style="{FONT}">{_number(v)}</text>')
    parts += _legend(series, left, height - 18)
    parts.append("</svg>")
    return Markup("".join(parts))

"""A histogram of one score as inline SVG (no plotting library, no script: the page stays self-contained)."""

from __future__ import annotations

import math
from html import escape

import numpy as np

WIDTH, HEIGHT = 360, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 14, 24, 34
MIN_FOR_MEDIAN = 5  # a median of fewer values says little; the bars show them all


def count_ticks(peak: int) -> list[int]:
    """Round count ticks from 0 to at least `peak`, at most five of them: steps of 1, 2 or 5 times 10^k."""
    peak = max(int(peak), 1)
    magnitude = 10 ** math.floor(math.log10(peak))
    step = next(m * magnitude for m in (0.1, 0.2, 0.5, 1, 2, 5, 10) if m * magnitude >= 1
                and math.ceil(peak / (m * magnitude)) <= 4)
    step = int(step)
    return list(range(0, math.ceil(peak / step) * step + 1, step))


def histogram_svg(values: np.ndarray, *, low: float, high: float, bins: int = 20, colour: str = "#3b6ea8",
                  label: str = "", decimals: int = 1) -> str:
    """Bars of counts over [low, high] in `bins` equal bins, with round count ticks, value ticks and the
    median (shown from MIN_FOR_MEDIAN values on, with `decimals` decimals)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    counts, edges = np.histogram(np.clip(values, low, high), bins=bins, range=(low, high))
    ticks = count_ticks(int(counts.max()) if counts.size else 0)
    top_count = ticks[-1]
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(v: float) -> float:
        return LEFT + (v - low) / (high - low) * inner_w

    def y(c: float) -> float:
        return TOP + inner_h - c / top_count * inner_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="histogram of {escape(label)}">']
    for count, left, right in zip(counts, edges[:-1], edges[1:]):
        if count:
            width = x(right) - x(left) - 1
            parts.append(f'<rect x="{x(left) + 0.5:.1f}" y="{y(count):.1f}" width="{width:.1f}" '
                         f'height="{y(0) - y(count):.1f}" fill="{colour}">'
                         f'<title>{left:g} to {right:g}: {count}</title></rect>')
    parts.append(f'<line x1="{LEFT}" y1="{y(0)}" x2="{WIDTH - RIGHT}" y2="{y(0)}" stroke="#333"/>')
    parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{y(0)}" stroke="#333"/>')
    for tick in np.linspace(low, high, 6):
        parts.append(f'<line x1="{x(tick):.1f}" y1="{y(0)}" x2="{x(tick):.1f}" y2="{y(0) + 4}" '
                     'stroke="#333"/>'
                     f'<text x="{x(tick):.1f}" y="{y(0) + 16}" text-anchor="middle">{tick:g}</text>')
    for count in ticks:
        parts.append(f'<text class="ytick" x="{LEFT - 5}" y="{y(count) + 4:.1f}" text-anchor="end">{count}</text>')
    if values.size >= MIN_FOR_MEDIAN:
        median = float(np.median(values))
        anchor = "start" if x(median) < (LEFT + WIDTH - RIGHT) / 2 else "end"
        nudge = 4 if anchor == "start" else -4
        parts.append(f'<line x1="{x(median):.1f}" y1="{TOP}" x2="{x(median):.1f}" y2="{y(0)}" '
                     'stroke="#c0392b" stroke-width="2" stroke-dasharray="5 3"/>'
                     f'<text x="{x(median) + nudge:.1f}" y="{TOP - 8}" '
                     f'text-anchor="{anchor}" fill="#c0392b">median {median:.{decimals}f}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 3}" text-anchor="middle" '
                 f'class="axis">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)

"""A scatter plot of score against MOS drawn with PIL (no matplotlib in the base install).

Runs compare: the score axis spans the field's declared range, and each group keeps its colour (groups are
coloured in name order, not by size), so two plots of different runs read alike."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from vc_curate.fields import FIELDS

# Okabe-Ito, a palette that colour-blind readers can tell apart; the last colour marks "other groups".
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
OTHER = "#9a9a9a"
WIDTH, HEIGHT = 1100, 760
LEFT, RIGHT, TOP, BOTTOM = 90, 300, 70, 80


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        low, high = (low - 1, low + 1) if math.isfinite(low) else (0.0, 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [math.floor(low / step) * step]
    while ticks[-1] < high - step * 1e-9:
        ticks.append(ticks[-1] + step)
    return [round(t, 10) for t in ticks]


def _label(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e5 else f"{value:.2g}"


def group_colours(names) -> dict[str, str]:
    """A colour per group in name order; past the palette's last colour but one, groups share grey."""
    names = sorted(set(names), key=str)
    shown = names if len(names) <= len(PALETTE) else names[: len(PALETTE) - 1]
    return {g: PALETTE[i] for i, g in enumerate(shown)}


def scatter_png(path: str, x: np.ndarray, y: np.ndarray, groups: np.ndarray | None, *, xlabel: str,
                ylabel: str, title: str, legend: dict[str, str] | None = None,
                x_range: tuple[float, float] | None = None) -> None:
    """Write a PNG: one point per image, one colour per group (see `group_colours`) with a legend (`legend`
    maps a group to its caption, e.g. with n and correlations); `x_range` fixes the x axis (e.g. 0..100)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    groups = np.asarray(groups, dtype=object)[keep] if groups is not None else np.full(len(x), "all", object)
    colours = group_colours(groups)
    names = sorted(set(groups), key=str)
    shown = [g for g in names if g in colours]

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    big = ImageFont.load_default(size=19)
    x_ticks = nice_ticks(*(x_range or ((float(x.min()), float(x.max())) if len(x) else (0.0, 1.0))))
    y_ticks = nice_ticks(*((float(y.min()), float(y.max())) if len(y) else (0.0, 1.0)))
    x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]
    plot_right, plot_bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def px(value):
        return LEFT + (value - x0) / (x1 - x0) * (plot_right - LEFT)

    def py(value):
        return plot_bottom - (value - y0) / (y1 - y0) * (plot_bottom - TOP)

    for tick in x_ticks:
        draw.line([(px(tick), TOP), (px(tick), plot_bottom)], fill="#e6e6e6")
        draw.line([(px(tick), plot_bottom), (px(tick), plot_bottom + 6)], fill="black")
        draw.text((px(tick), plot_bottom + 9), _label(tick), fill="black", font=small, anchor="mt")
    for tick in y_ticks:
        draw.line([(LEFT, py(tick)), (plot_right, py(tick))], fill="#e6e6e6")
        draw.line([(LEFT - 6, py(tick)), (LEFT, py(tick))], fill="black")
        draw.text((LEFT - 9, py(tick)), _label(tick), fill="black", font=small, anchor="rm")
    draw.rectangle([LEFT, TOP, plot_right, plot_bottom], outline="black")

    dots = Image.new("RGBA", image.size, (0, 0, 0, 0))
    dot_draw = ImageDraw.Draw(dots)
    radius = 4 if len(x) < 2000 else 2
    by_size = sorted(shown, key=lambda g: -int((groups == g).sum()))
    for group in [g for g in names if g not in colours] + by_size[::-1]:  # biggest group drawn last, on top
        colour = colours.get(group, OTHER)
        rgba = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) + (170,)
        for a, b in zip(px(x[groups == group]), py(y[groups == group])):
            dot_draw.ellipse([a - radius, b - radius, a + radius, b + radius], fill=rgba)
    image.paste(dots, (0, 0), dots)

    draw.text(((LEFT + plot_right) / 2, 24), title, fill="black", font=big, anchor="mm")
    draw.text(((LEFT + plot_right) / 2, HEIGHT - 28), xlabel, fill="black", font=font, anchor="mm")
    text = Image.new("RGBA", (int(draw.textlength(ylabel, font=font)) + 8, 24), (255, 255, 255, 0))
    ImageDraw.Draw(text).text((4, 12), ylabel, fill="black", font=font, anchor="lm")
    text = text.rotate(90, expand=True)
    image.paste(text, (22, int((TOP + plot_bottom) / 2 - text.height / 2)), text)

    entries = [(g, colours[g]) for g in shown]
    if len(names) > len(shown):
        entries.append((f"{len(names) - len(shown)} other groups", OTHER))
    top = TOP + 4
    for group, colour in entries:
        draw.ellipse([plot_right + 22, top + 3, plot_right + 34, top + 15], fill=colour)
        lines = (legend or {}).get(group, str(group)).split("\n")
        for i, line in enumerate(lines):
            draw.text((plot_right + 44, top + 9 + i * 17), line, fill="black", font=small if i else font,
                      anchor="lm")
        top += 17 * len(lines) + 14
    image.save(path, format="PNG")


def agreement_plot(path: str, result, joined) -> None:
    """The scatter of `quality` against `mos` for an evaluation, its correlations in the title and legend."""
    def caption(group: str) -> str:
        rows = joined.groups == group if joined.groups is not None and group != "all" else slice(None)
        n = int((np.isfinite(joined.scores["quality"][rows]) & np.isfinite(joined.labels["mos"][rows])).sum())
        found = {m.metric: m.value for m in result.metrics if m.group == group and m.field == "quality"}
        return "  ".join([f"n={n}"] + [f"{short} {found[name]:+.2f}" for name, short
                                       in (("spearman", "SRCC"), ("pearson", "PLCC")) if name in found])

    legend = {group: f"{group}\n{caption(group)}" for group in result.groups} or {"all": "all images"}
    spec = FIELDS["quality"]
    scatter_png(path, joined.scores["quality"], joined.labels["mos"], joined.groups,
                xlabel=f"quality (score, {spec.low:g}–{spec.high:g})", ylabel="MOS (human opinion score)",
                title=f"MOS against quality: {caption('all')}", legend=legend, x_range=(spec.low, spec.high))

"""The scatter plot PNG: readable axes (round ticks covering the data) and one colour per group."""

from __future__ import annotations

import numpy as np
from PIL import Image

from vc_curate.evaluate.plot import LEFT, PALETTE, TOP, group_colours, nice_ticks, scatter_png


def test_ticks_are_round_and_cover_the_data():
    assert nice_ticks(0.0, 4.03) == [0, 1, 2, 3, 4, 5]
    assert nice_ticks(12.4, 82.7) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(-0.3, 0.7) == [-0.4, -0.2, 0.0, 0.2, 0.4, 0.6, 0.8]
    assert len(nice_ticks(5.0, 5.0)) >= 2  # a constant column still gets an axis


def colours_in(path) -> set[tuple[int, int, int]]:
    return {colour for _, colour in Image.open(path).convert("RGB").getcolors(1 << 20)}


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_each_group_gets_its_own_colour_in_points_and_legend(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 5, 90)
    y = 20 * x + rng.normal(0, 5, 90)
    groups = np.array(["gan"] * 30 + ["diffusion"] * 30 + ["photo"] * 30, dtype=object)
    out = tmp_path / "scatter.png"
    scatter_png(str(out), x, y, groups, xlabel="MOS", ylabel="quality", title="quality against MOS",
                legend={"gan": "gan\nn=30"}, x_range=(0, 5))
    image = Image.open(out)
    assert image.format == "PNG" and image.size[0] >= 800
    found = colours_in(out)
    assert all(hex_rgb(c) in found for c in PALETTE[:3])  # the legend swatches, drawn opaque
    assert hex_rgb(PALETTE[3]) not in found


def test_more_groups_than_colours_share_a_grey_other_entry(tmp_path):
    groups = np.array([f"g{i}" for i in range(12)] * 3, dtype=object)
    out = tmp_path / "many.png"
    scatter_png(str(out), np.arange(36.0), np.arange(36.0), groups, xlabel="x", ylabel="y", title="t")
    found = colours_in(out)
    assert all(hex_rgb(c) in found for c in PALETTE[:-1]) and (0x9A, 0x9A, 0x9A) in found


def test_colours_follow_group_names_not_sizes():
    assert group_colours(["b", "a", "a", "a"]) == group_colours(["a", "b", "b"]) == {"a": PALETTE[0], "b": PALETTE[1]}


def test_a_fixed_x_range_puts_a_point_at_the_same_place_whatever_the_other_points(tmp_path):
    crops = []
    for other in (60.0, 90.0):
        out = tmp_path / f"p{other}.png"
        scatter_png(str(out), np.array([50.0, other]), np.array([1.0, 2.0]), None, xlabel="quality",
                    ylabel="MOS", title="t", x_range=(0, 100))
        crops.append(Image.open(out).convert("RGB").crop((LEFT, TOP, 480, 680)).tobytes())
    assert crops[0] == crops[1]

"""Histogram SVGs and error grouping, the two pieces of the report that summarise many records."""

from __future__ import annotations

import re

import numpy as np

from vc_curate.report.errors import common_errors, error_kind
from vc_curate.report.histogram import count_ticks, histogram_svg


def test_histogram_bars_count_every_finite_value_once():
    values = np.array([0, 1, 49.9, 50, 99, 100, 120, np.nan])  # 120 is clipped into the last bin
    svg = histogram_svg(values, low=0, high=100, bins=10, label="quality")
    counts = [int(c) for c in re.findall(r"<title>[^<]* to [^<]*: (\d+)</title>", svg)]
    assert sum(counts) == 7 and len(counts) == 4  # bins 0-10, 40-50, 50-60, 90-100
    assert "median 50.0" in svg and svg.startswith("<svg") and svg.endswith("</svg>")


def test_errors_that_differ_only_in_path_or_numbers_are_one_kind():
    uris = ["/a/x.jpg", "/b/y.jpg", "/c/z.png", "/d/w.png", "/e/ok.png"]
    errors = [
        "read failed: FileNotFoundError: [Errno 2] No such file or directory: '/a/x.jpg'",
        "read failed: FileNotFoundError: [Errno 2] No such file or directory: '/b/y.jpg'",
        "decode failed: not an image (first bytes: 3c 68 74 6d)",
        "decode failed: not an image (first bytes: 00 00 00 00)",
        None,
    ]
    kinds = common_errors(uris, errors)
    assert [(k.count, k.example_uri) for k in kinds] == [(2, "/a/x.jpg"), (2, "/c/z.png")]
    assert error_kind("decompression bomb: 60000x60000 = 3,600,000,000 pixels", "u") == \
        error_kind("decompression bomb: 70000x9000 = 630,000,000 pixels", "v")


def test_count_ticks_are_round_and_cover_the_peak():
    assert count_ticks(5) == [0, 2, 4, 6] and count_ticks(1) == [0, 1] and count_ticks(48) == [0, 20, 40, 60]
    for peak in range(0, 2000, 7):
        ticks = count_ticks(peak)
        step = ticks[1] - ticks[0]
        assert ticks[-1] >= peak and len(ticks) <= 5 and str(step).strip("0") in ("1", "2", "5")


def test_median_only_from_enough_values_and_with_the_fields_decimals():
    assert "median" not in histogram_svg(np.array([0.2, 0.9]), low=0, high=1)
    svg = histogram_svg(np.array([0.1, 0.2, 0.3, 0.4, 0.55]), low=0, high=1, decimals=2)
    assert "median 0.30" in svg
    assert "median 2.3<" in histogram_svg(np.array([1, 2, 2.34, 3, 4]), low=0, high=100)
    ticks = re.findall(r'class="ytick"[^>]*>(\d+)<', histogram_svg(np.array([10.0] * 5), low=0, high=100))
    assert ticks == ["0", "2", "4", "6"]

"""Histogram SVGs and error grouping, the two pieces of the report that summarise many records."""

from __future__ import annotations

import re

import numpy as np

from vc_curate.report.errors import common_errors, error_kind
from vc_curate.report.histogram import histogram_svg


def test_histogram_bars_count_every_finite_value_once():
    values = np.array([0, 1, 49.9, 50, 99, 100, 120, np.nan])  # 120 is clipped into the last bin
    svg = histogram_svg(values, low=0, high=100, bins=10, label="quality")
    counts = [int(c) for c in re.findall(r"<title>[^<]* to [^<]*: (\d+)</title>", svg)]
    assert sum(counts) == 7 and len(counts) == 4  # bins 0-10, 40-50, 50-60, 90-100
    assert "median 50" in svg and svg.startswith("<svg") and svg.endswith("</svg>")


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

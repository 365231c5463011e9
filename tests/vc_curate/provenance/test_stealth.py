"""Stealth PNG info hidden in pixel LSBs, as NovelAI and the WebUI stealth-pnginfo extension write it."""

import json

import pytest

from tests.vc_curate.provenance.builders import encode, pixels, stealth_png, webui_parameters
from vc_curate.decode import open_image
from vc_curate.provenance import ProvenanceOptions, read_evidence

NOVELAI = json.dumps({"Title": "AI generated image", "Description": "a cat", "Software": "NovelAI",
                      "Source": "NovelAI Diffusion V4 4F49EC75", "Comment": json.dumps({"steps": 28})}).encode()


def evidence(data):
    image = open_image(data)
    ev = read_evidence(data, image, ProvenanceOptions())
    assert image.tile  # the scorer's own decode is still to come
    return ev


@pytest.mark.parametrize("magic, payload, item", [
    (b"stealth_pngcomp", NOVELAI, "stealth:pngcomp (NovelAI)"),
    (b"stealth_pnginfo", webui_parameters().encode(), "stealth:pnginfo (Stable Diffusion WebUI)"),
    (b"stealth_rgbcomp", webui_parameters().encode(), "stealth:rgbcomp (Stable Diffusion WebUI)"),
    (b"stealth_rgbinfo", b"not a known format", "stealth:rgbinfo (unrecognised payload)"),
])
def test_payloads(magic, payload, item):
    ev = evidence(stealth_png(payload, magic))
    assert ev.items == (item,)
    assert ev.ai_generated == 0.98


def test_rgb_image_and_short_image():
    rgb = pixels(300, 160, 3, seed=2)
    assert evidence(stealth_png(webui_parameters().encode(), b"stealth_rgbinfo", rgb)).ai_generated == 0.98
    short = pixels(400, 50, 4, seed=3)  # the magic spans several columns
    assert evidence(stealth_png(NOVELAI, b"stealth_pngcomp", short)).items == ("stealth:pngcomp (NovelAI)",)


def test_filtered_rows_are_unfiltered():
    """Smooth images make PNG writers pick Up/Average/Paeth filters: the first-column reader undoes them."""
    import numpy as np
    y, x = np.mgrid[0:200, 0:120]
    smooth = np.stack([x * 2, y, (x + y) % 256, np.full_like(x, 255)], axis=-1).astype(np.uint8)
    assert evidence(stealth_png(NOVELAI, b"stealth_pngcomp", smooth)).items == ("stealth:pngcomp (NovelAI)",)


def test_unmarked_rgba_png_has_no_stealth_evidence():
    assert evidence(encode(pixels(64, 160, 4), "PNG")).items == ()


def test_deep_json_payload_is_read_as_far_as_it_goes():
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    ev = evidence(stealth_png(b'{"Software": "x", "d": ' + deep + b"}", b"stealth_pngcomp", pixels(400, 400, 4)))
    assert ev.items == ("stealth:pngcomp (unrecognised payload)",)


@pytest.mark.parametrize("length_bits", [0, 2**32 - 1, 64 * 160])
def test_lying_length_is_reported_unreadable(length_bits):
    ev = evidence(stealth_png(b"x" * 10, b"stealth_pngcomp", length_bits=length_bits))
    assert len(ev.items) == 1 and ev.items[0].startswith("stealth:pngcomp (unreadable payload: ")
    assert ev.ai_generated == 0.98  # the magic alone is a generator's mark

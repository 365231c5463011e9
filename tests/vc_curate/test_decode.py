"""Decoding: every mode to RGB, EXIF orientation, draft decoding, JPEG quality, and clear errors."""

from __future__ import annotations

import io
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.conftest import encode, scene
from tests.vc_curate.bad_inputs import bad_inputs, idat_flipped, png_chunk, png_of_zeros, with_png_chunks
import vc_curate
from vc_curate.decode import DecodeError, DecodeOptions, decode_bytes, jpeg_quality, open_image


def test_rgb_png_round_trip():
    im = scene((40, 30))
    out = decode_bytes(encode(im))
    assert (out.width, out.height) == (40, 30)
    assert np.array_equal(out.pixels, np.asarray(im))


@pytest.mark.parametrize("name", sorted(bad_inputs()))
def test_bad_input_is_a_decode_error(name):
    with pytest.raises(DecodeError) as err:
        decode_bytes(bad_inputs()[name])
    assert str(err.value)


def test_error_messages_say_what_happened():
    cases = bad_inputs()
    messages = {}
    for name, data in cases.items():
        with pytest.raises(DecodeError) as err:
            decode_bytes(data)
        messages[name] = str(err.value)
    assert "empty" in messages["empty.jpg"]
    assert "truncated" in messages["truncated.jpg"]
    assert "not an image" in messages["not_an_image.jpg"]
    assert "decompression bomb" in messages["bomb.png"]


def test_pixel_limit_is_configurable():
    data = encode(scene((300, 200)))
    with pytest.raises(DecodeError, match="--max-pixels"):
        decode_bytes(data, DecodeOptions(max_pixels=50_000))
    assert decode_bytes(data, DecodeOptions(max_pixels=60_000)).width == 300


def test_cmyk_jpeg_converts_to_rgb():
    rgb = Image.new("RGB", (32, 32), (200, 30, 30))
    out = decode_bytes(encode(rgb.convert("CMYK"), "JPEG", quality=95))
    r, g, b = out.pixels.reshape(-1, 3).mean(0)
    assert r > 150 and g < 80 and b < 80


def test_16bit_png_is_rescaled_not_clipped():
    arr = np.full((20, 20), 30000, dtype=np.uint16)
    data = encode(Image.fromarray(arr))
    out = decode_bytes(data)
    assert abs(int(out.pixels[0, 0, 0]) - round(30000 / 257)) <= 1


def test_float_tiff_in_unit_range():
    arr = np.linspace(0, 1, 400, dtype=np.float32).reshape(20, 20)
    out = decode_bytes(encode(Image.fromarray(arr, "F"), "TIFF"))
    assert out.pixels[0, 0, 0] == 0 and out.pixels[-1, -1, 0] == 255


def test_palette_with_transparency_composites_over_white():
    im = Image.new("P", (10, 10), 0)
    im.putpalette([0, 0, 0] * 256)
    im.info["transparency"] = 0
    out = decode_bytes(encode(im, transparency=0))
    assert out.pixels.min() == 255


def test_la_with_transparent_alpha():
    la = Image.merge("LA", [Image.new("L", (8, 8), 0), Image.new("L", (8, 8), 0)])
    assert decode_bytes(encode(la)).pixels.min() == 255


def test_animated_gif_first_frame():
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    out = decode_bytes(buf.getvalue())
    assert out.pixels[..., 0].mean() > 200 and out.pixels[..., 2].mean() < 50


def test_exif_orientation_is_applied():
    im = scene((60, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    out = decode_bytes(encode(im, "JPEG", quality=95, exif=exif.tobytes()))
    assert (out.width, out.height) == (20, 60)
    assert out.pixels.shape[:2] == (60, 20)


def test_large_jpeg_is_decoded_at_working_size(photos):
    big = max(photos, key=lambda p: p.stat().st_size)
    data = big.read_bytes()
    native = open_image(data).size
    out = decode_bytes(data, DecodeOptions(long_side=256))
    assert max(out.pixels.shape[:2]) == 256
    assert (out.width, out.height) == native


def test_jpeg_quality_estimate_follows_the_encoder_setting():
    im = scene((64, 64))
    estimates = [jpeg_quality(open_image(encode(im, "JPEG", quality=q))) for q in (10, 30, 50, 75, 90, 98)]
    assert estimates == sorted(estimates)
    assert abs(estimates[3] - 75) < 3
    assert jpeg_quality(open_image(encode(im, "PNG"))) is None


def test_png_with_a_large_workflow_chunk_still_decodes():
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("workflow", "{" + '"n": 1,' * 400_000 + '"end": 0}', zip=True)  # ~2.8 MB once inflated
    out = decode_bytes(encode(scene((32, 32)), pnginfo=info))
    assert out.width == 32


FLIPS = [50 + 37 * i for i in range(20)]


@pytest.mark.parametrize("offset", FLIPS)
def test_png_with_a_flipped_idat_byte_is_a_decode_error(offset):
    # Pillow refuses each of these; reading EXIF first used to swallow that error and hand back the partly
    # decoded pixels, which then scored as a good image.
    bad = idat_flipped(encode(scene((320, 240))), offset)
    with pytest.raises(OSError):
        Image.open(io.BytesIO(bad)).load()
    with pytest.raises(DecodeError):
        decode_bytes(bad)


def test_corrupt_png_reaches_the_record_as_an_error():
    png = encode(scene((320, 240)))
    records = vc_curate.load_scorer("classic", device="cpu").score(
        [(f"flip{o}.png", idat_flipped(png, o)) for o in FLIPS])
    assert [r.quality for r in records] == [None] * len(FLIPS)
    assert all(r.error.startswith("decode failed") for r in records)


def test_more_pixels_than_pillows_global_limit_open_when_our_limit_allows():
    data = png_of_zeros(13_500, 13_500)  # 182 MP: Pillow's own limit is 179 MP
    assert open_image(data).size == (13_500, 13_500)  # the default 200 MP holds
    assert open_image(data, max_pixels=2_000_000_000).size == (13_500, 13_500)
    with pytest.raises(DecodeError, match="--max-pixels"):
        open_image(data, max_pixels=100_000_000)


def test_decoded_bytes_are_checked_from_the_header():
    data = png_of_zeros(12_000, 12_000, bit_depth=16, colour_type=6)  # 144 MP, 8 bytes per pixel: 1.1 GB
    with pytest.raises(DecodeError, match="decodes to 1,099 MiB"):
        open_image(data)
    assert open_image(data, max_decoded_bytes=2 << 30).size == (12_000, 12_000)


def test_pillow_limits_are_set_on_first_use_not_on_import():
    code = ("from PIL import Image, PngImagePlugin; before = (Image.MAX_IMAGE_PIXELS, PngImagePlugin.MAX_TEXT_CHUNK);"
            "import vc_curate, vc_curate.decode as d; assert (Image.MAX_IMAGE_PIXELS, PngImagePlugin.MAX_TEXT_CHUNK)"
            " == before;"
            "d.set_pillow_limits(); assert Image.MAX_IMAGE_PIXELS is None;"
            "assert PngImagePlugin.MAX_TEXT_CHUNK == d.MAX_TEXT_CHUNK")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize("chunks", [
    [png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"A" * (64 << 20), 9))],
    [png_chunk(b"iTXt", b"Comment\0\1\0\0\0" + zlib.compress(b"A" * (64 << 20), 9))],
    [png_chunk(b"tEXt", b"one\0" + b"B" * (40 << 20)), png_chunk(b"tEXt", b"two\0" + b"C" * (40 << 20))],
], ids=["ztxt-bomb", "itxt-bomb", "two-40MB-text"])
def test_valid_image_with_huge_text_is_scored_with_a_note(chunks):
    data = with_png_chunks(encode(scene((64, 48))), chunks)
    with pytest.raises(ValueError):  # Pillow alone refuses these at its defaults
        Image.open(io.BytesIO(data)).load()
    out = decode_bytes(data)
    assert out.width == 64 and out.notes and all(n.startswith("metadata: ") and "skipped" in n for n in out.notes)
    [rec] = vc_curate.load_scorer("classic", device="cpu").score([("text.png", data)])
    assert rec.error is None and rec.quality is not None and "text chunk skipped" in rec.notes

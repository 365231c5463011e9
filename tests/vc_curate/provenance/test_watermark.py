"""DWT-DCT generator watermarks embedded here with `invisible-watermark`, as each generator pipeline calls it."""

import io

import numpy as np
import pytest
from PIL import Image

from tests.vc_curate.provenance.builders import encode
from vc_curate.decode import open_image
from vc_curate.provenance import ProvenanceOptions, read_evidence
from vc_curate.provenance.watermark import SDXL_BITS

imwatermark = pytest.importorskip("imwatermark")


@pytest.fixture(scope="module")
def photo():
    """A real photograph at a generator's output size."""
    with Image.open("../shared/data/photos/nature_2.jpg") as im:
        return np.asarray(im.convert("RGB").resize((768, 512), Image.Resampling.LANCZOS))


def watermark(rgb: np.ndarray, kind: str, content, *, float_yuv: bool, as_bgr: bool) -> np.ndarray:
    """Embed like the pipelines do: CompVis SD (uint8 BGR), sgm SDXL (float BGR), diffusers SDXL (float RGB)."""
    encoder = imwatermark.WatermarkEncoder()
    encoder.set_watermark(kind, content)
    image = rgb[:, :, ::-1] if as_bgr else rgb
    image = image.astype(np.float32) if float_yuv else np.ascontiguousarray(image)
    out = encoder.encode(image, "dwtDct")
    out = out[:, :, ::-1] if as_bgr else out
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def evidence(data, watermarks=True):
    return read_evidence(data, open_image(data), ProvenanceOptions(watermarks=watermarks))


CASES = {
    "CompVis SD 1.x": ("bytes", b"StableDiffusionV1", False, True, "watermark:StableDiffusionV1"),
    "Stability SD 2.x": ("bytes", b"SDV2", False, True, "watermark:SDV2"),
    "sgm SDXL": ("bits", SDXL_BITS.tolist(), True, True, "watermark:SDXL"),
    "diffusers SDXL": ("bits", SDXL_BITS.tolist(), True, False, "watermark:SDXL"),
}


@pytest.mark.parametrize("case", CASES)
def test_detected_in_png(photo, case):
    kind, content, float_yuv, as_bgr, item = CASES[case]
    data = encode(watermark(photo, kind, content, float_yuv=float_yuv, as_bgr=as_bgr), "PNG")
    ev = evidence(data)
    assert ev.items == (item,)
    assert ev.ai_generated == 0.98
    assert evidence(data, watermarks=False).items == ()  # off by default: it costs a decode


def test_survives_high_quality_jpeg(photo):
    marked = watermark(photo, "bytes", b"StableDiffusionV1", float_yuv=False, as_bgr=True)
    assert evidence(encode(marked, "JPEG", quality=95)).items == ("watermark:StableDiffusionV1",)


def test_unmarked_images_have_none(photo):
    assert evidence(encode(photo, "PNG")).items == ()
    assert evidence(encode(photo[:200, :200], "PNG")).items == ()  # below the scheme's 256x256 minimum
    other = watermark(photo, "bytes", b"SomethingElse1234", float_yuv=False, as_bgr=True)
    assert evidence(encode(other, "PNG")).items == ()


def test_no_false_positive_on_real_photos():
    import glob
    for path in sorted(glob.glob("../shared/data/photos/*_1.jpg")):
        with open(path, "rb") as f:
            data = f.read()
        with Image.open(io.BytesIO(data)) as im:
            small = encode(np.asarray(im.convert("RGB").reduce(4)), "JPEG")
        assert evidence(small).items == (), path

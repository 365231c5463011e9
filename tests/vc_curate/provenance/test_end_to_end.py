"""Provenance through the public scorer API: `ai_generated`, `authenticity` and `provenance` of records."""

import pytest

import vc_curate
from tests.vc_curate.provenance.builders import (
    FIXTURES, c2pa_sign, created, encode, exif_with, jpeg_with_xmp, pixels, signing_chain, source_type_xmp,
)


@pytest.fixture(scope="module")
def scorer():
    return vc_curate.load_scorer("classic", device="cpu", workers=2)


@pytest.mark.slow  # the scorer's first batch warms torch up: seconds on a loaded machine
def test_records_carry_the_evidence(scorer):
    webui = f"{FIXTURES}/sd_webui_parameters.png"
    camera = f"{FIXTURES}/no_manifest.jpg"
    xmp = ("xmp.jpg", jpeg_with_xmp(source_type_xmp("trainedAlgorithmicMedia")))
    plain = ("plain.png", encode(pixels(), "PNG"))
    algorithmic = f"{FIXTURES}/c2pa_signed_created.jpg"
    records = scorer.score([webui, camera, xmp, plain, algorithmic])
    assert [r.error for r in records] == [None] * 5
    got = [(r.ai_generated, r.authenticity, r.provenance) for r in records]
    assert got == [
        (pytest.approx(0.98), "ai-generated", "png:parameters (Stable Diffusion WebUI)"),
        (pytest.approx(0.2), "photographic", "exif:camera Canon EOS REBEL T3"),
        (pytest.approx(0.99), "ai-generated", "xmp:trainedAlgorithmicMedia"),
        (None, "unknown", None),
        (None, "unknown", "c2pa(valid,untrusted):algorithmicMedia (make_test_images/0.26.0 c2pa-rs/0.26.0)"),
    ]


def test_trust_anchors_and_an_ai_marker_beating_a_camera(tmp_path):
    pytest.importorskip("c2pa")
    chain = signing_chain()
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(chain[2])
    capture = c2pa_sign(chain, encode(pixels(), "JPEG"), "image/jpeg", [created("digitalCapture")])
    camera = {0x010F: "Canon", 0x0110: "Canon EOS R5", 0x0131: "Midjourney"}
    mixed = encode(pixels(), "JPEG", exif=exif_with(camera))
    scorer = vc_curate.load_scorer("classic", device="cpu", workers=2, c2pa_trust_anchors=str(anchors))
    trusted, marked = scorer.score([("capture.jpg", capture), ("mixed.jpg", mixed)])
    assert (trusted.ai_generated, trusted.authenticity) == (pytest.approx(0.01), "photographic")
    assert trusted.provenance == "c2pa(valid,trusted):digitalCapture (vc-curate-tests 1)"
    assert (marked.ai_generated, marked.authenticity) == (pytest.approx(0.98), "ai-generated")
    assert marked.provenance == "exif:software Midjourney (Midjourney);exif:camera Canon EOS R5"


def test_table_round_trip(scorer):
    records = scorer.score([f"{FIXTURES}/comfyui_prompt_workflow.png"])
    row = vc_curate.records_to_table(records).to_pylist()[0]
    assert (row["authenticity"], row["provenance"]) == ("ai-generated", "png:prompt,workflow (ComfyUI)")

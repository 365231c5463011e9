"""Generator metadata written by hand: PNG text chunks of each tool, EXIF UserComment and Software."""

import json

import pytest

from tests.vc_curate.provenance.builders import (
    encode, exif_with, pixels, png_chunk, png_with_text, text_chunk, webui_parameters, with_chunks,
)
from vc_curate.decode import open_image
from vc_curate.provenance import ProvenanceOptions, read_evidence

COMFY_PROMPT = json.dumps({"3": {"inputs": {"seed": 1, "steps": 20}, "class_type": "KSampler"}})
COMFY_WORKFLOW = json.dumps({"last_node_id": 9, "nodes": [{"id": 3, "type": "KSampler"}]})
NOVELAI_COMMENT = json.dumps({"prompt": "a cat", "steps": 28, "sampler": "k_euler", "uc": "lowres"})


def evidence(data):
    return read_evidence(data, open_image(data), ProvenanceOptions())


@pytest.mark.parametrize("texts, item", [
    ({"parameters": webui_parameters()}, "png:parameters (Stable Diffusion WebUI)"),
    ({"parameters": webui_parameters("f2.0.1v1.10.1-previous-313")}, "png:parameters (Stable Diffusion WebUI Forge)"),
    ({"parameters": webui_parameters("Fooocus v2.5.5")}, "png:parameters (Fooocus)"),
    ({"parameters": json.dumps({"Prompt": "a cat", "Version": "Fooocus v2.5.5", "metadata_scheme": "fooocus"})},
     "png:parameters (Fooocus)"),
    ({"parameters": json.dumps({"sui_image_params": {"prompt": "a cat"}})}, "png:parameters (SwarmUI)"),
    ({"prompt": COMFY_PROMPT, "workflow": COMFY_WORKFLOW}, "png:prompt,workflow (ComfyUI)"),
    ({"invokeai_metadata": json.dumps({"positive_prompt": "a cat"})}, "png:invokeai_metadata (InvokeAI)"),
    ({"sd-metadata": json.dumps({"model": "stable diffusion"})}, "png:sd-metadata (InvokeAI)"),
    ({"Dream": '"a cat" -s 50 -S 1234 -W 512 -H 512'}, "png:Dream (InvokeAI)"),
    ({"Title": "AI generated image", "Software": "NovelAI", "Source": "NovelAI Diffusion V4 4F49EC75",
      "Comment": NOVELAI_COMMENT}, "png:Software,Source (NovelAI)"),
    ({"use_stable_diffusion_model": "sd-v1-4", "prompt": "a cat"}, "png:use_stable_diffusion_model (Easy Diffusion)"),
    ({"Description": "a cat --v 6 Job ID: 1f2e3d4c-aaaa-bbbb-cccc-0123456789ab", "Author": "someone"},
     "png:Description (Midjourney)"),
])
@pytest.mark.parametrize("kind", ["tEXt", "zTXt", "iTXt"])
def test_png_text_chunks(texts, item, kind):
    ev = evidence(png_with_text(texts, kind=kind))
    assert ev.items == (item,)
    assert ev.ai_generated == 0.98


def test_text_after_idat_is_read_without_decoding():
    png = with_chunks(encode(pixels(), "PNG"), [text_chunk("parameters", webui_parameters())], after_idat=True)
    image = open_image(png)
    ev = read_evidence(png, image, ProvenanceOptions())
    assert ev.items == ("png:parameters (Stable Diffusion WebUI)",)
    assert image.tile  # still not decoded: the scorer's decode is the only one


def test_unrecognised_parameters_are_reported_not_counted():
    ev = evidence(png_with_text({"parameters": "just some words"}))
    assert ev.items == ("png:parameters (unrecognised format)",) and ev.ai_generated is None


def test_ordinary_png_text_is_no_evidence():
    assert evidence(png_with_text({"Comment": "holiday 2019", "Software": "GIMP 2.10"})).items == ()


def _unicode(text, order):
    return b"UNICODE\0" + text.encode(order)


@pytest.mark.parametrize("comment", [
    b"ASCII\0\0\0" + webui_parameters().encode(),
    _unicode(webui_parameters(), "utf-16-be"),
    _unicode(webui_parameters(), "utf-16-le"),
    b"\0" * 8 + webui_parameters().encode(),
    b"JIS\0\0\0\0\0" + webui_parameters().encode("shift_jis"),
    webui_parameters().encode(),  # no character-code prefix at all
])
@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
def test_exif_user_comment_encodings(comment, fmt):
    data = encode(pixels(), fmt, exif=exif_with(exif_ifd={0x9286: comment}))
    ev = evidence(data)
    assert ev.items == ("exif:UserComment (Stable Diffusion WebUI)",)
    assert ev.ai_generated == 0.98


def test_png_exif_chunk():
    exif = exif_with({0x0131: "NovelAI"}).tobytes()
    ev = evidence(with_chunks(encode(pixels(), "PNG"), [png_chunk(b"eXIf", exif)]))
    assert ev.items == ("exif:software NovelAI (NovelAI)",)


@pytest.mark.parametrize("software, generator", [
    ("Adobe Firefly", "Adobe Firefly"), ("DALL-E 3", "DALL-E"), ("Midjourney", "Midjourney"),
    ("ComfyUI", "ComfyUI"), ("Draw Things", "Draw Things"),
])
def test_known_generator_in_exif_software(software, generator):
    ev = evidence(encode(pixels(), "JPEG", exif=exif_with({0x0131: software})))
    assert ev.items == (f"exif:software {software} ({generator})",) and ev.ai_generated == 0.98


def test_camera_exif_is_weak_evidence_and_never_overrides_an_ai_marker():
    camera = {0x010F: "Canon", 0x0110: "Canon EOS R5"}
    exposure = {0x829A: 1 / 250, 0x829D: 4.0, 0x8827: 200}
    ev = evidence(encode(pixels(), "JPEG", exif=exif_with(camera, exposure)))
    assert ev.items == ("exif:camera Canon EOS R5",) and ev.ai_generated == 0.2
    ev = evidence(encode(pixels(), "JPEG", exif=exif_with({0x010F: "NIKON CORPORATION", 0x0110: "Z 6"})))
    assert ev.items == ("exif:camera NIKON CORPORATION Z 6",)
    mixed = exif_with(camera, {0x9286: b"ASCII\0\0\0" + webui_parameters().encode()})
    ev = evidence(encode(pixels(), "JPEG", exif=mixed))
    assert ev.items == ("exif:UserComment (Stable Diffusion WebUI)", "exif:camera Canon EOS R5")
    assert ev.ai_generated == 0.98


def test_editor_software_is_no_evidence():
    assert evidence(encode(pixels(), "JPEG", exif=exif_with({0x0131: "Adobe Photoshop 25.0"}))).items == ()


def test_jpeg_comment_with_webui_parameters():
    ev = evidence(encode(pixels(), "JPEG", comment=webui_parameters()))
    assert ev.items == ("jpeg:comment (Stable Diffusion WebUI)",)

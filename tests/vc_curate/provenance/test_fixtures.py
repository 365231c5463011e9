"""Files made by other tools (../shared/fixtures/provenance) read as their makers intended."""

import pytest

from tests.vc_curate.provenance.builders import FIXTURES
from vc_curate.decode import open_image
from vc_curate.provenance import ProvenanceOptions, read_evidence


def evidence(name: str):
    with open(f"{FIXTURES}/{name}", "rb") as f:
        data = f.read()
    return read_evidence(data, open_image(data), ProvenanceOptions())


@pytest.mark.parametrize("name, ai, items", [
    ("sd_webui_parameters.png", 0.98, ("png:parameters (Stable Diffusion WebUI)",)),
    ("comfyui_prompt_workflow.png", 0.98, ("png:prompt,workflow (ComfyUI)",)),
    # A valid manifest, test signer (not in any anchors), declaring synthetic but not AI content.
    ("c2pa_signed_created.jpg", None,
     ("c2pa(valid,untrusted):algorithmicMedia (make_test_images/0.26.0 c2pa-rs/0.26.0)",)),
    ("no_manifest.jpg", 0.2, ("exif:camera Canon EOS REBEL T3",)),
])
def test_fixture_evidence(name, ai, items):
    ev = evidence(name)
    assert ev.ai_generated == ai
    assert ev.items == items

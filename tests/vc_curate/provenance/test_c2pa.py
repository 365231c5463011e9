"""C2PA manifests signed here with c2pa-python: validation state, trust anchors, source types, tampering."""

import pytest

from tests.vc_curate.provenance.builders import c2pa_sign, created, encode, pixels, signing_chain
from vc_curate.decode import open_image
from vc_curate.provenance import ProvenanceOptions, read_evidence
from vc_curate.provenance import c2pa as c2pa_reader

pytest.importorskip("c2pa")


@pytest.fixture(scope="module")
def chain():
    return signing_chain()


@pytest.fixture(scope="module")
def anchors(chain, tmp_path_factory):
    path = tmp_path_factory.mktemp("anchors") / "anchors.pem"
    path.write_text(chain[2])
    return str(path)


def evidence(data, **options):
    return read_evidence(data, open_image(data), ProvenanceOptions(**options))


@pytest.fixture(scope="module")
def jpeg():
    return encode(pixels(), "JPEG")


@pytest.mark.parametrize("term, ai", [
    ("trainedAlgorithmicMedia", 0.99), ("compositeWithTrainedAlgorithmicMedia", 0.9),
    ("digitalCapture", 0.1), ("algorithmicMedia", None), ("digitalCreation", None),
])
def test_source_types_of_a_valid_untrusted_manifest(chain, jpeg, term, ai):
    ev = evidence(c2pa_sign(chain, jpeg, "image/jpeg", [created(term)]))
    assert ev.items == (f"c2pa(valid,untrusted):{term} (vc-curate-tests 1)",)
    assert ev.ai_generated == ai


def test_capture_by_a_trusted_signer(chain, jpeg, anchors):
    data = c2pa_sign(chain, jpeg, "image/jpeg", [created("digitalCapture")])
    ev = evidence(data, c2pa_trust_anchors=anchors)
    assert ev.items == ("c2pa(valid,trusted):digitalCapture (vc-curate-tests 1)",)
    assert ev.ai_generated == 0.01


def test_ai_edit_of_a_capture_is_a_composite(chain, jpeg):
    actions = [created("digitalCapture"), created("trainedAlgorithmicMedia", action="c2pa.edited")]
    ev = evidence(c2pa_sign(chain, jpeg, "image/jpeg", actions))
    assert ev.items == ("c2pa(valid,untrusted):compositeWithTrainedAlgorithmicMedia (vc-curate-tests 1)",)
    assert ev.ai_generated == 0.9


def test_png_manifest(chain):
    data = c2pa_sign(chain, encode(pixels(), "PNG"), "image/png", [created("trainedAlgorithmicMedia")])
    assert evidence(data).ai_generated == 0.99


def test_tampered_content_is_invalid_and_its_claims_unused(chain, jpeg):
    data = bytearray(c2pa_sign(chain, jpeg, "image/jpeg", [created("trainedAlgorithmicMedia")]))
    data[-300] ^= 0xFF  # in the entropy-coded image data, covered by the manifest's hash
    ev = evidence(bytes(data))
    assert ev.items == ("c2pa(invalid):assertion.dataHash.mismatch (vc-curate-tests 1)",)
    assert ev.ai_generated is None


def test_broken_jumbf_is_reported_present_but_unreadable(chain, jpeg):
    data = c2pa_sign(chain, jpeg, "image/jpeg", [created("trainedAlgorithmicMedia")])
    start = data.index(b"jumb") + 40
    broken = data[:start] + bytes(200) + data[start + 200:]  # same length: the JPEG stays well formed
    ev = evidence(broken)
    assert len(ev.items) == 1 and ev.items[0].startswith("c2pa(unreadable):")
    assert ev.ai_generated is None


def test_remote_manifest_is_reported_never_fetched(chain, jpeg):
    data = c2pa_sign(chain, jpeg, "image/jpeg", [created("digitalCapture")],
                     remote_url="https://example.invalid/manifest.c2pa")
    ev = evidence(data)
    assert ev.items == ("c2pa(remote,not fetched):https://example.invalid/manifest.c2pa",)
    assert ev.ai_generated is None


def test_without_c2pa_python_a_manifest_is_present_not_validated(chain, jpeg, monkeypatch):
    data = c2pa_sign(chain, jpeg, "image/jpeg", [created("trainedAlgorithmicMedia")])
    monkeypatch.setattr(c2pa_reader, "_c2pa", None)  # as when the `c2pa` extra is not installed
    ev = evidence(data)
    assert ev.items == ("c2pa(not validated):present",)
    assert ev.ai_generated is None


def test_unusable_trust_anchors_are_said_and_validation_goes_on(chain, jpeg, tmp_path):
    bad = tmp_path / "not.pem"
    bad.write_text("hello")
    data = c2pa_sign(chain, jpeg, "image/jpeg", [created("digitalCapture")])
    ev = evidence(data, c2pa_trust_anchors=str(bad))
    assert ev.items[0].startswith("c2pa:trust anchors not loaded (--c2pa-trust-anchors ")
    assert ev.items[1] == "c2pa(valid,untrusted):digitalCapture (vc-curate-tests 1)"
    with pytest.raises(ValueError, match="no PEM certificate"):
        c2pa_reader.check_trust_anchors(str(bad))

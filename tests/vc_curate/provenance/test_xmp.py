"""IPTC DigitalSourceType in XMP, in each container that carries it."""

import pytest

from tests.vc_curate.provenance.builders import (
    XMP_KEY, encode, jpeg_with_xmp, pixels, png_with_text, source_type_xmp, xmp_packet,
)
from vc_curate.decode import open_image
from vc_curate.provenance import ProvenanceOptions, read_evidence


def evidence(data):
    return read_evidence(data, open_image(data), ProvenanceOptions())


@pytest.mark.parametrize("term, ai", [
    ("trainedAlgorithmicMedia", 0.99), ("compositeWithTrainedAlgorithmicMedia", 0.9),
    ("digitalCapture", 0.2), ("algorithmicMedia", None), ("screenCapture", None),
])
@pytest.mark.parametrize("style", ["attribute", "element"])
def test_jpeg_app1(term, ai, style):
    ev = evidence(jpeg_with_xmp(source_type_xmp(term, style)))
    assert ev.items == (f"xmp:{term}",)
    assert ev.ai_generated == ai


def test_png_itxt():
    ev = evidence(png_with_text({XMP_KEY: source_type_xmp("trainedAlgorithmicMedia")}, kind="iTXt"))
    assert ev.items == ("xmp:trainedAlgorithmicMedia",) and ev.ai_generated == 0.99


@pytest.mark.parametrize("fmt, option", [("WEBP", "xmp"), ("TIFF", "tiffinfo")])
def test_webp_and_tiff(fmt, option):
    packet = source_type_xmp("trainedAlgorithmicMedia").encode()
    data = encode(pixels(), fmt, **{option: {700: packet} if option == "tiffinfo" else packet})
    assert evidence(data).items == ("xmp:trainedAlgorithmicMedia",)


def test_resource_form_and_creator_tool():
    body = ('<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Midjourney v6"'
            ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"><Iptc4xmpExt:DigitalSourceType '
            'rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"/>'
            '</rdf:Description>')
    ev = evidence(jpeg_with_xmp(xmp_packet(body)))
    assert ev.items == ("xmp:compositeWithTrainedAlgorithmicMedia", "xmp:CreatorTool Midjourney v6 (Midjourney)")
    assert ev.ai_generated == 0.98  # generator metadata outranks the composite claim


def test_unknown_term_is_reported_without_weight():
    ev = evidence(jpeg_with_xmp(source_type_xmp("somethingNew")))
    assert ev.items == ("xmp:somethingNew",) and ev.ai_generated is None

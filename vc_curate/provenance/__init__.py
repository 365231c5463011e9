"""Authenticity evidence read from an image's own bytes: C2PA, IPTC XMP, generator metadata, camera EXIF.

`read_evidence` is called once per image by every scorer, on the bytes already in memory and the image as
opened (headers only), so it never costs a second decode.
"""

from vc_curate.provenance.evidence import Evidence, ProvenanceOptions, read_evidence

__all__ = ["Evidence", "ProvenanceOptions", "read_evidence"]

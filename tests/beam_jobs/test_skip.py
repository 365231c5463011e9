"""Incremental runs: the uri and bytes of an earlier kept/rejected record -> skipped; changed -> scored."""

from __future__ import annotations

import hashlib

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from beam_jobs.skip import SKIPPED, split_skipped
from vc_curate.inputs import ImageInput


def test_split_by_uri_and_sha256(pipeline):
    new = [ImageInput("same", data=b"1"), ImageInput("changed", data=b"2"), ImageInput("new", data=b"3")]
    previous = [("same", {"uri": "same", "sha256": hashlib.sha256(b"1").hexdigest(), "quality": 60.0}),
                ("changed", {"uri": "changed", "sha256": hashlib.sha256(b"0").hexdigest(), "quality": 10.0})]
    with pipeline as p:
        split = split_skipped(p | "new" >> beam.Create(new), p | "old" >> beam.Create(previous))
        assert_that(split.main | beam.Map(lambda item: item.uri), equal_to(["changed", "new"]), label="main")
        assert_that(split[SKIPPED] | beam.Map(lambda rec: (rec.uri, rec.quality)), equal_to([("same", 60.0)]),
                    label="skipped")

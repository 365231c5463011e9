"""Incremental runs: the uri and bytes of an earlier kept/rejected record -> skipped; changed -> scored."""

from __future__ import annotations

import hashlib

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from beam_jobs.skip import SkipDone
from vc_curate.inputs import ImageInput


def test_skip_by_uri_and_sha256_and_list_the_earlier_record(pipeline):
    new = [ImageInput("same", data=b"1"), ImageInput("changed", data=b"2"), ImageInput("new", data=b"3")]
    sha = {data: hashlib.sha256(data).hexdigest() for data in (b"0", b"1")}
    previous = [("same", {"uri": "same", "sha256": sha[b"1"], "quality": 60.0, "key": "k"}),
                ("changed", {"uri": "changed", "sha256": sha[b"0"], "quality": 10.0})]
    with pipeline as p:
        to_score, skipped = p | "new" >> beam.Create(new) | SkipDone(p | "old" >> beam.Create(previous))
        assert_that(to_score | beam.Map(lambda item: item.uri), equal_to(["changed", "new"]),
                    label="to score")
        assert_that(skipped | beam.Map(lambda rec: (rec.uri, rec.quality, rec.extra)),
                    equal_to([("same", 60.0, {"key": "k"})]), label="skipped")


def test_a_record_of_another_scorer_version_is_scored_again_unless_old_versions_are_kept(pipeline):
    new = [ImageInput("old-version", data=b"1"), ImageInput("this-version", data=b"2")]
    sha = {data: hashlib.sha256(data).hexdigest() for data in (b"1", b"2")}
    previous = [("old-version", {"uri": "old-version", "sha256": sha[b"1"], "scorer": "classic/1"}),
                ("this-version", {"uri": "this-version", "sha256": sha[b"2"], "scorer": "classic/2"})]
    with pipeline as p:
        old = p | "old" >> beam.Create(previous)
        fresh, _ = p | "new" >> beam.Create(new) | "Skip" >> SkipDone(old, "classic/2")
        kept, _ = p | "new2" >> beam.Create(new) | "Keep" >> SkipDone(old, "classic/2", keep_old_versions=True)
        assert_that(fresh | "u1" >> beam.Map(lambda item: item.uri), equal_to(["old-version"]), label="rescored")
        assert_that(kept | "u2" >> beam.Map(lambda item: item.uri), equal_to([]), label="kept")

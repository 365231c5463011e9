"""Matching and reading on the DirectRunner: every input of the corpus once, failed reads as dead letters."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from beam_jobs.io.read import FAILED, MEMBERS, MatchInputs, ReadInputs


def read(pipeline, patterns):
    matched = (pipeline | beam.Create(patterns)
               | "Match" >> beam.ParDo(MatchInputs()).with_outputs(FAILED, main="files"))
    files = matched.files | beam.CombinePerKey(any)
    result = files | "Read" >> beam.ParDo(ReadInputs()).with_outputs(FAILED, MEMBERS, main="files")
    inputs = (result.files, result[MEMBERS]) | "Inputs" >> beam.Flatten()
    failed = (matched[FAILED], result[FAILED]) | "Failed" >> beam.Flatten()
    return inputs, failed


def test_folder_glob_and_missing_file(pipeline, corpus):
    root = corpus.root
    read_failures = {u for u, k in corpus.expected.items() if k == "errors" and (
        u.endswith("corrupt.tar") or u.endswith("table.parquet#1"))}
    readable = set(corpus.expected) - read_failures
    with pipeline as p:
        # the folder, plus a glob overlapping it (each file is still read once) and a missing file
        inputs, failed = read(p, [str(root), f"{root}/*.jpg", f"{root}/missing.jpg"])
        assert_that(inputs | beam.Map(lambda item: (item.uri, item.data is not None)),
                    equal_to([(u, True) for u in readable]), label="inputs")
        assert_that(failed | beam.Map(lambda rec: (rec.uri, rec.error.split(":")[0])),
                    equal_to([(u, "read failed") for u in read_failures | {f"{root}/missing.jpg"}]),
                    label="failed")


def test_sidecars_and_row_columns_travel_with_the_image(pipeline, corpus):
    root = corpus.root
    with pipeline as p:
        inputs, _ = read(p, [f"{root}/shard.tar", f"{root}/table.parquet"])
        assert_that(inputs | beam.Map(lambda item: (item.uri.rsplit("/", 1)[1], sorted(item.extra.items()))),
                    equal_to([("shard.tar#0001.jpg", [("json", '{"caption": "a scene"}')]),
                              ("shard.tar#0002.jpg", [("json", '{"caption": "broken"}')]),
                              ("table.parquet#0", [("key", "k0"), ("url", "u0")]),
                              ("table.parquet#2", [("key", "k2"), ("url", "u2")])]))

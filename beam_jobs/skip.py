"""Incremental runs: an input whose uri and sha256 match an earlier run's kept/rejected record is skipped.

The join on uri (CoGroupByKey) also spreads the read inputs over workers. A skipped input costs a read and a
hash, never a decode or a score; its earlier record is listed again in `skipped-*.parquet`, so the next run
can use this run's folder as its `--previous_output`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import apache_beam as beam

from beam_jobs.metrics import counter
from vc_curate.inputs import ImageInput
from vc_curate.record import Record

SKIPPED = "skipped"


class SplitSkipped(beam.DoFn):
    """(uri, {"new": [ImageInput], "old": [row]}) -> ImageInputs to score; earlier Records on `skipped`."""

    def process(self, element: tuple[str, dict]) -> Iterator:
        _, groups = element
        earlier = {row["sha256"]: row for row in groups["old"] if row.get("sha256")}
        for item in groups["new"]:
            row = earlier.get(hashlib.sha256(item.data).hexdigest()) if earlier else None
            if row is None:
                yield item
            else:
                counter("skipped").inc()
                yield beam.pvalue.TaggedOutput(SKIPPED, Record.from_dict(row))


def split_skipped(inputs, previous):
    """Tagged result with `main` (ImageInputs to score) and `skipped` (Records)."""
    keyed = inputs | "KeyByUri" >> beam.Map(lambda item: (item.uri, item))
    return (
        {"new": keyed, "old": previous}
        | "JoinPrevious" >> beam.CoGroupByKey()
        | "SplitSkipped" >> beam.ParDo(SplitSkipped()).with_outputs(SKIPPED, main="main")
    )

"""Incremental runs: an input whose uri and sha256 match an earlier run's kept/rejected record is skipped.

The earlier (uri, sha256) pairs are a multimap side input, so the check happens where the bytes are read
and image bytes never cross a shuffle for it. A skipped input costs a read and a hash, never a decode or a
score; its earlier record is joined back (small rows only) and listed again in `skipped-*.parquet`, so the
next run can use this run's folder alone as its `--previous_output`.
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
    """ImageInput -> itself to be scored, or its (uri, sha256) on `skipped` when the earlier run has it: the
    same bytes, scored by `version` (any version with `keep_old_versions`, or when `version` is None)."""

    def __init__(self, version: str | None = None, keep_old_versions: bool = False):
        self.version, self.keep_old_versions = version, keep_old_versions

    def process(self, item: ImageInput, done) -> Iterator:
        earlier = done[item.uri]
        sha256 = hashlib.sha256(item.data).hexdigest() if earlier else None
        if any(sha == sha256 and (self.keep_old_versions or self.version is None or scorer == self.version)
               for sha, scorer in earlier):
            counter("skipped").inc()
            yield beam.pvalue.TaggedOutput(SKIPPED, ((item.uri, sha256), None))
        else:
            yield item


def _earlier_records(element: tuple[tuple[str, str], dict]) -> Iterator[Record]:
    _, groups = element
    rows = list(groups["row"])
    for _ in groups["hit"]:
        yield Record.from_dict(rows[0])


class SkipDone(beam.PTransform):
    """ImageInputs -> (the inputs to score, the earlier Records of the skipped ones).

    `previous` holds (uri, row) for every record of the earlier run's kept/rejected/skipped files. A record
    from another version of the scorer (`version`) is scored again unless `keep_old_versions`."""

    def __init__(self, previous: beam.PCollection, version: str | None = None, keep_old_versions: bool = False):
        super().__init__()
        self.previous = previous
        self.version, self.keep_old_versions = version, keep_old_versions

    def expand(self, inputs):
        keys = self.previous | "DoneKeys" >> beam.Map(lambda kv: (kv[0], (kv[1]["sha256"], kv[1].get("scorer"))))
        done = beam.pvalue.AsMultiMap(keys)
        split = inputs | "SplitSkipped" >> beam.ParDo(SplitSkipped(self.version, self.keep_old_versions),
                                                      done=done).with_outputs(SKIPPED, main="main")
        rows = self.previous | "RowsByKey" >> beam.Map(lambda kv: ((kv[0], kv[1]["sha256"]), kv[1]))
        skipped = ({"hit": split[SKIPPED], "row": rows}
                   | "JoinEarlier" >> beam.CoGroupByKey()
                   | "EarlierRecords" >> beam.FlatMap(_earlier_records))
        return split.main, skipped

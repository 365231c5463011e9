"""Read an earlier run's outputs for `--previous_output`: its kept, rejected and skipped records by uri."""

from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

DONE_KINDS = ("kept", "rejected", "skipped")  # errors are not done: they are retried


def previous_files(directory: str) -> list[str]:
    """The earlier run's record files that count as done (its error files are left out, so errors retry)."""
    patterns = [FileSystems.join(directory, f"{kind}-*.parquet") for kind in DONE_KINDS]
    return sorted(m.path for result in FileSystems.match(patterns) for m in result.metadata_list)


class ReadPrevious(beam.DoFn):
    """path -> (uri, row) for every record in one earlier output file (rows keep their carried columns)."""

    def process(self, path: str) -> Iterator[tuple[str, dict]]:
        with FileSystems.open(path) as f:
            table = pq.read_table(f)
        for row in table.to_pylist():
            yield row["uri"], row

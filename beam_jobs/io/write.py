"""Write records as `DIR/<kind>-SSSSS-of-NNNNN.parquet`, deterministically and idempotently.

Each record goes to a shard chosen by a stable hash of its uri; a shard's records are sorted by uri and
written to a temporary file that is then renamed into place. A retried bundle or a re-run writes the same
bytes under the same name, so nothing is duplicated. All files share one schema: `SCHEMA`'s columns, then
every carried source column seen anywhere in the run (null where a record has none), so the files of a
kind read back as one table.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Iterable, Iterator

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from vc_curate.carried import merge_type, output_schema, records_table, value_type
from vc_curate.record import Record, source_column_name

RECORDS_PER_SHARD = 50_000  # records of about 1 KB: a shard is a few tens of MB in memory when written


def shard_of(uri: str, num_shards: int) -> int:
    digest = hashlib.blake2b(uri.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % num_shards


def shard_count(records: int, num_shards: int) -> int:
    """`num_shards` when given (> 0), else one shard per RECORDS_PER_SHARD records, at least one."""
    return num_shards if num_shards > 0 else max(1, math.ceil(records / RECORDS_PER_SHARD))


class MergeExtraTypes(beam.CombineFn):
    """The Arrow type of every carried source column over all records (by output column name)."""

    def create_accumulator(self) -> dict[str, pa.DataType]:
        return {}

    def add_input(self, acc: dict, rec: Record) -> dict:
        for key, value in rec.extra.items():
            name = source_column_name(key)
            if value is None:
                acc.setdefault(name, None)
            else:
                acc[name] = merge_type(acc.get(name), value_type(value))
        return acc

    def merge_accumulators(self, accs: Iterable[dict]) -> dict:
        out: dict[str, pa.DataType] = {}
        for acc in accs:
            for name, typ in acc.items():
                out[name] = merge_type(out.get(name), typ)
        return out

    def extract_output(self, acc: dict) -> dict:
        return acc


class WriteShard(beam.DoFn):
    """((kind, shard, count), records) -> the path written."""

    def __init__(self, output_dir: str):
        self.output_dir = output_dir

    def process(self, element, extra_types: dict) -> Iterator[str]:
        (kind, shard, count), records = element
        records = sorted((r for r in records if r is not None),
                         key=lambda r: (r.uri, r.sha256 or "", r.error or ""))
        table = records_table(records, output_schema(extra_types))
        name = f"{kind}-{shard:05d}-of-{count:05d}.parquet"
        path = FileSystems.join(self.output_dir, name)
        tmp = FileSystems.join(self.output_dir, f".tmp-{uuid.uuid4().hex}-{name}")
        with FileSystems.create(tmp, compression_type=CompressionTypes.UNCOMPRESSED) as f:
            pq.write_table(table, f)
        FileSystems.rename([tmp], [path])
        yield path


class WriteRecords(beam.PTransform):
    """{kind: PCollection[Record]} -> PCollection of written paths; every kind gets at least one file."""

    def __init__(self, output_dir: str, num_shards: int = 0):
        super().__init__()
        self.output_dir = output_dir
        self.num_shards = num_shards

    def expand(self, by_kind: dict[str, beam.PCollection]):
        num_shards = self.num_shards
        pipeline = next(iter(by_kind.values())).pipeline
        tagged = [pcoll | f"Tag {kind}" >> beam.Map(lambda rec, k=kind: (k, rec))
                  for kind, pcoll in by_kind.items()]
        records = tagged | "AllRecords" >> beam.Flatten()
        counts = beam.pvalue.AsDict(records | "CountPerKind" >> beam.combiners.Count.PerKey())
        extra_types = beam.pvalue.AsSingleton(
            records | "Values" >> beam.Values() | "ExtraTypes" >> beam.CombineGlobally(MergeExtraTypes())
        )

        def key(element, counts):
            kind, rec = element
            n = shard_count(counts.get(kind, 0), num_shards)
            return (kind, shard_of(rec.uri, n), n), rec

        def every_shard(kind, counts):
            n = shard_count(counts.get(kind, 0), num_shards)
            return [((kind, i, n), None) for i in range(n)]

        keyed = records | "ShardKey" >> beam.Map(key, counts=counts)
        empty = (pipeline | "Kinds" >> beam.Create(sorted(by_kind))
                 | "EveryShard" >> beam.FlatMap(every_shard, counts=counts))
        return (
            (keyed, empty)
            | "WithEmptyShards" >> beam.Flatten()
            | "GroupShards" >> beam.GroupByKey()
            | "WriteShards" >> beam.ParDo(WriteShard(self.output_dir), extra_types=extra_types)
        )

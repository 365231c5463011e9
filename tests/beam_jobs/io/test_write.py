"""Record shards: one schema for all files, sorted rows, the same bytes on a re-run, empty kinds written."""

from __future__ import annotations

from pathlib import Path

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam.testing import test_pipeline

from beam_jobs.io.write import WriteRecords, shard_count, shard_of
from vc_curate.record import FIELDS, Record


def records() -> dict[str, list[Record]]:
    kept = [Record(uri=f"img/{i:03d}.jpg", sha256=f"{i:064x}", width=8, height=8, quality=50.0 + i,
                   scorer="classic/test", extra={"caption": f"c{i}"} if i % 2 else {"key": i})
            for i in range(20)]
    errors = [Record.failed("img/bad.jpg", "decode failed: nope", sha256="f" * 64, extra={"uri": "clash"})]
    return {"kept": kept, "rejected": [], "errors": errors}


def write(out: Path, num_shards: int) -> None:
    with test_pipeline.TestPipeline(runner="DirectRunner") as p:
        by_kind = {kind: p | f"Create {kind}" >> beam.Create(recs) for kind, recs in records().items()}
        by_kind | WriteRecords(str(out), num_shards)


def test_shards_are_deterministic_and_share_one_schema(tmp_path):
    write(tmp_path / "one", 3)
    write(tmp_path / "two", 3)
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == [f"errors-0000{i}-of-00003.parquet" for i in range(3)] + \
        [f"kept-0000{i}-of-00003.parquet" for i in range(3)] + \
        [f"rejected-0000{i}-of-00003.parquet" for i in range(3)]
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    tables = [pq.read_table(tmp_path / "one" / n) for n in names]
    assert {t.schema for t in tables} == {tables[0].schema}
    assert tables[0].schema.names == list(FIELDS) + ["caption", "key", "src_uri"]
    kept = [row for n, t in zip(names, tables) if n.startswith("kept") for row in t.to_pylist()]
    assert sorted(r["uri"] for r in kept) == [f"img/{i:03d}.jpg" for i in range(20)]
    for t in tables:
        uris = t.column("uri").to_pylist()
        assert uris == sorted(uris)
    errors = [row for row in pq.read_table(tmp_path / "one").to_pylist() if row["error"]]
    assert [(r["uri"], r["src_uri"]) for r in errors] == [("img/bad.jpg", "clash")]


def test_shard_choice_is_stable_and_automatic_count_grows_with_records():
    assert shard_of("gs://b/x.jpg", 7) == shard_of("gs://b/x.jpg", 7)
    assert len({shard_of(f"u{i}", 4) for i in range(100)}) == 4
    counts = (shard_count(0, 0), shard_count(50_000, 0), shard_count(50_001, 0), shard_count(10, 5))
    assert counts == (1, 1, 2, 5)

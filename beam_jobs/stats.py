"""`stats.json` in --output_dir, written by the pipeline itself (a Dataflow launcher exits before the job ends):
inputs per outcome and error kind, scorer versions, when it ran and how long, and what it was asked to do."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from beam_jobs.metrics import error_kind
from vc_curate.record import Record

STATS_FILE = "stats.json"


def outcome(rec: Record, kind: str) -> tuple[str, str | None, str | None]:
    """What the statistics need of a record: where it landed, its error kind and the scorer that made it."""
    return kind, error_kind(rec.error) if rec.error is not None else None, rec.scorer


class Tally(beam.CombineFn):
    """Counts of outcomes, error kinds and scorer versions (of the records scored in this run)."""

    def create_accumulator(self):
        return Counter(), Counter(), Counter()

    def add_input(self, acc, item):
        kind, error, scorer = item
        acc[0][kind] += 1
        if error is not None:
            acc[1][error] += 1
        if scorer is not None and kind != "skipped":
            acc[2][scorer] += 1
        return acc

    def merge_accumulators(self, accs):
        merged = self.create_accumulator()
        for acc in accs:
            for total, part in zip(merged, acc):
                total.update(part)
        return merged

    def extract_output(self, acc):
        outcomes, errors, scorers = acc
        return {"outcomes": dict(sorted(outcomes.items())), "errors": dict(sorted(errors.items())),
                "scorer_versions": dict(sorted(scorers.items()))}


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def write_stats(tally: dict, output_dir: str, run: dict) -> str:
    """Write the statistics with the run's description (`run`: started, inputs, rule, ...); return the path."""
    finished = now()
    started = dt.datetime.fromisoformat(run["started"])
    stats = {**run, "finished": finished.isoformat(timespec="seconds"),
             "seconds": round((finished - started).total_seconds(), 1),
             "inputs": sum(tally["outcomes"].values()), **tally}
    path = FileSystems.join(output_dir, STATS_FILE)
    with FileSystems.create(path, mime_type="application/json") as f:
        f.write(json.dumps(stats, indent=2).encode() + b"\n")
    return path


class WriteStats(beam.PTransform):
    """From {kind: PCollection of records} to one stats.json, written once every record has landed somewhere."""

    def __init__(self, output_dir: str, run: dict):
        super().__init__()
        self.output_dir, self.run = output_dir, run

    def expand(self, outputs):
        tagged = [records | f"Outcome{kind.capitalize()}" >> beam.Map(outcome, kind)
                  for kind, records in outputs.items()]
        return (tagged | "AllOutcomes" >> beam.Flatten() | "Tally" >> beam.CombineGlobally(Tally())
                | "WriteStatsFile" >> beam.Map(write_stats, self.output_dir, self.run))

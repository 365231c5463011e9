"""The job's counters, the quality distribution, progress and the summary line, and stats.json, from real
DirectRunner results."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter

import json

from beam_jobs.filtering import ERRORS, KEPT, REJECTED, Decide
from beam_jobs.metrics import NAMESPACE, CountScored, counter_values, error_kind, progress_line, summary_line
from beam_jobs.stats import WriteStats, now
from vc_curate.record import Record


def test_counters_distribution_and_summary(pipeline):
    records = [Record(uri=f"u{q}", sha256="s", quality=q, scorer="t") for q in (20.0, 40.0, 60.4, 80.0)]
    records += [Record.failed("bad", "decode failed: nope"), Record.failed("worse", "score failed: oom")]
    _ = pipeline | beam.Create(records) | beam.ParDo(CountScored()) | Decide("quality >= 50")
    result = pipeline.run()
    result.wait_until_finish()
    values = counter_values(result)
    assert {k: values[k] for k in ("scored", "kept", "rejected", "errors_decode", "errors_score")} == \
        {"scored": 4, "kept": 2, "rejected": 2, "errors_decode": 1, "errors_score": 1}
    query = MetricsFilter().with_namespace(NAMESPACE).with_name("quality")
    [quality] = result.metrics().query(query)["distributions"]
    dist = quality.committed
    assert (dist.count, dist.min, dist.max, dist.sum) == (4, 20, 80, 200)
    assert summary_line(values, "out") == ("vc-curate beam: 6 inputs: 2 kept, 2 rejected, "
                                           "2 errors (decode 1, score 1), 0 skipped; 4 scored -> out")


def test_error_kind_reads_the_step_prefix():
    assert [error_kind(e) for e in ("read failed: x", "decode failed: y", "score failed: z", "odd")] == \
        ["read", "decode", "score", "other"]


def test_a_progress_line_per_bundle_in_local_runs(pipeline, capfd):
    records = [Record(uri=f"u{q}", sha256="s", quality=q, scorer="t") for q in (20.0, 60.0)]
    _ = pipeline | beam.Create(records + [Record.failed("bad", "read failed: gone")]) | beam.ParDo(CountScored(True))
    pipeline.run().wait_until_finish()
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("vc-curate beam: scored")]
    assert lines and sum(int(line.split()[3]) for line in lines) == 3
    assert progress_line(1, 1, 2.0, 7).startswith("vc-curate beam: scored 1 input (1 error); 7 in 2 s in worker")


def test_stats_json_counts_outcomes_error_kinds_and_scorer_versions(pipeline, tmp_path):
    kept = [Record(uri=f"k{i}", sha256="s", quality=80.0, scorer="classic/2") for i in range(3)]
    rejected = [Record(uri="r", sha256="s", quality=10.0, scorer="classic/1")]
    errors = [Record.failed("a", "read failed: gone"), Record.failed("b", "decode failed: junk", scorer="classic/2")]
    run = {"started": now().isoformat(timespec="seconds"), "input_patterns": ["in/*.jpg"], "scorer": "classic"}
    outputs = {kind: pipeline | f"Create{kind}" >> beam.Create(records)
               for kind, records in ((KEPT, kept), (REJECTED, rejected), (ERRORS, errors))}
    _ = outputs | WriteStats(str(tmp_path), run)
    pipeline.run().wait_until_finish()
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["inputs"] == 6 and stats["outcomes"] == {"errors": 2, "kept": 3, "rejected": 1}
    assert stats["errors"] == {"decode": 1, "read": 1}
    assert stats["scorer_versions"] == {"classic/1": 1, "classic/2": 4}
    assert stats["input_patterns"] == ["in/*.jpg"] and stats["seconds"] >= 0 and stats["finished"] >= stats["started"]


def test_stats_json_of_a_run_with_no_input(pipeline, tmp_path):
    _ = {KEPT: pipeline | beam.Create([])} | WriteStats(str(tmp_path), {"started": now().isoformat()})
    pipeline.run().wait_until_finish()
    assert json.loads((tmp_path / "stats.json").read_text())["inputs"] == 0

"""The job's counters, the quality distribution and the summary line, from a real DirectRunner result."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter

from beam_jobs.curate import count_scored
from beam_jobs.filtering import Decide
from beam_jobs.metrics import NAMESPACE, counter_values, error_kind, summary_line
from vc_curate.record import Record


def test_counters_distribution_and_summary(pipeline):
    records = [Record(uri=f"u{q}", sha256="s", quality=q, scorer="t") for q in (20.0, 40.0, 60.4, 80.0)]
    records += [Record.failed("bad", "decode failed: nope"), Record.failed("worse", "score failed: oom")]
    _ = pipeline | beam.Create(records) | beam.Map(count_scored) | Decide("quality >= 50")
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

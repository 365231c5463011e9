"""The job's Beam metrics (namespace `vc_curate`), the progress lines of local runs and the summary line
printed at the end of a local run."""

from __future__ import annotations

import os
import sys
import time

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter

from vc_curate.record import Record

NAMESPACE = "vc_curate"
ERROR_KINDS = ("read", "decode", "score", "other")
COUNTERS = ("read", "scored", "kept", "rejected", "skipped") + tuple(f"errors_{k}" for k in ERROR_KINDS)


def counter(name: str):
    return Metrics.counter(NAMESPACE, name)


def quality_distribution():
    return Metrics.distribution(NAMESPACE, "quality")


def error_kind(error: str) -> str:
    """The step an error record failed at, from the core's `read failed: ...` style prefixes."""
    step = error.split(" failed:", 1)[0] if " failed:" in error else ""
    return step if step in ERROR_KINDS else "other"


def counter_values(result) -> dict[str, int]:
    """Counter totals of a finished pipeline (committed where the runner has them, else attempted)."""
    values = dict.fromkeys(COUNTERS, 0)
    for m in result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"]:
        value = m.committed if m.committed is not None else m.attempted
        values[m.key.metric.name] = values.get(m.key.metric.name, 0) + (value or 0)
    return values


def summary_line(values: dict[str, int], output_dir: str) -> str:
    errors = {k: values[f"errors_{k}"] for k in ERROR_KINDS}
    total = values["kept"] + values["rejected"] + sum(errors.values()) + values["skipped"]
    by_kind = ", ".join(f"{k} {n}" for k, n in errors.items() if n) or "none"
    return (f"vc-curate beam: {plural(total, 'input')}: {values['kept']} kept, {values['rejected']} rejected, "
            f"{plural(sum(errors.values()), 'error')} ({by_kind}), {values['skipped']} skipped; "
            f"{values['scored']} scored -> {output_dir}")


class CountScored(beam.DoFn):
    """Counts each scored record (by outcome and error kind) and, in local runs, prints a progress line per
    completed bundle to stderr (a local worker's stderr is the terminal's)."""

    def __init__(self, progress: bool = False):
        self.progress = progress

    def setup(self) -> None:
        self._total, self._started = 0, time.monotonic()

    def start_bundle(self) -> None:
        self._records, self._errors = 0, 0

    def process(self, rec: Record):
        if rec.error is not None:
            counter(f"errors_{error_kind(rec.error)}").inc()
            self._errors += 1
        else:
            counter("scored").inc()
            quality_distribution().update(int(round(rec.quality)))
        self._records += 1
        yield rec

    def finish_bundle(self) -> None:
        self._total += self._records
        if self.progress and self._records:
            # one write per line: local worker processes share stderr, and print() writes the newline apart
            sys.stderr.write(progress_line(self._records, self._errors, time.monotonic() - self._started,
                                           self._total) + "\n")
            sys.stderr.flush()


def progress_line(records: int, errors: int, seconds: float, total: int) -> str:
    """One bundle done; `total` and `seconds` are this worker process's records and time so far."""
    return (f"vc-curate beam: scored {plural(records, 'input')} ({plural(errors, 'error')}); "
            f"{total:,} in {seconds:.0f} s in worker process {os.getpid()}")


def plural(count: int, one: str) -> str:
    return f"{count:,} {one}{'' if count == 1 else 's'}"

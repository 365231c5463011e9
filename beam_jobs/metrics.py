"""The job's Beam metrics (namespace `vc_curate`) and the summary line printed at the end of a local run."""

from __future__ import annotations

from apache_beam.metrics import Metrics
from apache_beam.metrics.metric import MetricsFilter

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
    return (f"vc-curate beam: {total} inputs: {values['kept']} kept, {values['rejected']} rejected, "
            f"{sum(errors.values())} errors ({by_kind}), {values['skipped']} skipped; "
            f"{values['scored']} scored -> {output_dir}")

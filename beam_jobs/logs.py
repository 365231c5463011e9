"""A readable log for the job: Beam's own chatter stays out, our progress and warnings stay in.

Two of Beam's messages are noise here: "apitools not found" (the BigQuery client, which this job does not use,
is absent) and, in the local multi-process workers, "Discarding unparseable args" for the job's own flags
(which the launcher has already checked, refusing any it does not know). The local multi-process workers
apply the same filter from their start (beam_jobs.worker).
"""

from __future__ import annotations

import logging

NOISE = ("apitools not found", "Discarding unparseable args")
# Local workers log at INFO by default (about 20 lines each); these keep them to warnings, minus the noise.
WORKER_LOG_LEVEL = "WARNING"
WORKER_LOG_OVERRIDES = {
    "apache_beam.options.pipeline_options": "ERROR",  # "Discarding unparseable args" for our own flags
    "__main__": "ERROR",  # the worker's start-up notes, e.g. "No semi_persistent_directory found"
}


class DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(text in message for text in NOISE)


def drop_noise() -> None:
    """Filter the noise out where it is logged; call before importing apache_beam (which warns at import)."""
    for name in ("", "apache_beam.options.pipeline_options"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropNoise) for f in logger.filters):
            logger.addFilter(DropNoise())


def quiet_workers(worker_options) -> None:
    """Worker log levels for Beam's WorkerOptions, where the user has not chosen their own."""
    if worker_options.default_sdk_harness_log_level is None:
        worker_options.default_sdk_harness_log_level = WORKER_LOG_LEVEL
    worker_options.sdk_harness_log_level_overrides = {
        **WORKER_LOG_OVERRIDES, **(worker_options.sdk_harness_log_level_overrides or {})}

"""The DirectRunner's multi-process mode with our worker command: workers start without Beam's start-up
noise, get the pipeline options, and still show their warnings and errors."""

from __future__ import annotations

import logging

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, WorkerOptions

from beam_jobs.local import LocalRunner, local_runner
from beam_jobs.logs import quiet_workers


class LogSome(beam.DoFn):
    def process(self, element):
        log = logging.getLogger(__name__)
        log.info("an info line from a worker")
        log.warning("a warning from a worker")
        log.error("an error from a worker")
        yield element


def options(*args: str) -> PipelineOptions:
    return PipelineOptions(["--direct_num_workers", "2", *args])


@pytest.mark.parametrize("args, ours", [
    (["--runner", "DirectRunner", "--direct_running_mode", "multi_processing"], True),
    (["--runner", "direct", "--direct_running_mode", "multi_processing"], True),
    (["--runner", "DirectRunner", "--direct_running_mode", "multi_threading"], False),
    (["--runner", "DirectRunner"], False),
    (["--runner", "DataflowRunner", "--direct_running_mode", "multi_processing"], False),
])
def test_local_runner_only_for_the_direct_runners_worker_processes(args, ours):
    assert isinstance(local_runner(options(*args)), LocalRunner) is ours


@pytest.mark.slow
def test_workers_start_quietly_get_their_options_and_show_warnings_and_errors(capfd):
    opts = options("--runner", "DirectRunner", "--direct_running_mode", "multi_processing")
    quiet_workers(opts.view_as(WorkerOptions))
    with beam.Pipeline(runner=local_runner(opts), options=opts) as pipeline:
        _ = pipeline | beam.Create([1, 2]) | beam.ParDo(LogSome())
    err = capfd.readouterr().err
    assert "a warning from a worker" in err and "an error from a worker" in err, err
    assert "an info line from a worker" not in err  # the workers log at the level their options say
    assert "apitools" not in err and "Logging handler created" not in err, err

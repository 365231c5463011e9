"""The DirectRunner's multi-process mode with worker processes started as `python -m beam_jobs.worker`.

Beam starts each local worker as `python -m apache_beam.runners.worker.sdk_worker_main`, which warns
"apitools not found" as it imports Beam and logs "Logging handler created." before it has read the log levels
in its options; a logging filter in the launcher does not reach another process. `beam_jobs.worker` sets the
job's log settings first, then runs that same module. See docs/beam.md.
"""

from __future__ import annotations

import shlex
import sys

from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.portability import python_urns
from apache_beam.portability.api import beam_provision_api_pb2
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.runners.portability.fn_api_runner.fn_runner import ExtendedProvisionInfo
from apache_beam.runners.portability.portable_runner import JobServiceHandle
from apache_beam.runners.runner import PipelineRunner

WORKER_COMMAND = f"{shlex.quote(sys.executable)} -m beam_jobs.worker"
# --runner values meaning the DirectRunner, lower case and without "runner"
DIRECT_RUNNER_NAMES = ("direct", "switchingdirect")


class _FnApiRunner(FnApiRunner):
    """Beam's FnApiRunner with the worker command of its multi-process mode replaced by ours."""

    def run_via_runner_api(self, pipeline_proto, options):
        for environment in pipeline_proto.components.environments.values():
            if environment.urn == python_urns.SUBPROCESS_SDK:  # Beam's sdk_worker_main command
                environment.payload = WORKER_COMMAND.encode()
        return super().run_via_runner_api(pipeline_proto, options)


class LocalRunner(PipelineRunner):
    """As the DirectRunner runs a pipeline on the FnApiRunner (handing the pipeline options to its workers),
    without its attempt at Prism, and with our worker command."""

    def run_pipeline(self, pipeline, options):
        encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
        provision_info = ExtendedProvisionInfo(beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded))
        return _FnApiRunner(provision_info=provision_info).run_pipeline(pipeline, options)


def local_runner(options: PipelineOptions) -> LocalRunner | None:
    """A LocalRunner for the DirectRunner in multi-process mode; None (Beam's own runner) otherwise."""
    runner = options.view_as(StandardOptions).runner
    direct = isinstance(runner, str) and runner.lower().removesuffix("runner") in DIRECT_RUNNER_NAMES
    if not direct or options.view_as(DirectOptions).direct_running_mode != "multi_processing":
        return None
    return LocalRunner()

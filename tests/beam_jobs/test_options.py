"""Flag checks and the per-runner torch thread default."""

from __future__ import annotations

import os

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from beam_jobs.options import CurateOptions, UsageError, reject_dashed_flags, torch_threads, validate


@pytest.mark.parametrize("flags, threads", [
    ([], None),  # one local process: torch's default
    (["--direct_num_workers", "2", "--direct_running_mode", "multi_processing"],
     max(1, (os.cpu_count() or 1) // 2)),
    (["--runner", "DataflowRunner"], 1),  # one SDK process per vCPU
    (["--runner", "DataflowRunner", "--large_model"], None),  # one shared scorer per machine
    (["--torch_threads", "3"], 3),
])
def test_torch_threads_suit_the_runner(flags, threads):
    assert torch_threads(PipelineOptions(flags)) == threads


def test_flag_checks():
    with pytest.raises(UsageError, match="missing --output_dir, --keep_if"):
        validate(PipelineOptions(["--input", "x"]).view_as(CurateOptions))
    with pytest.raises(UsageError, match="must differ"):
        validate(PipelineOptions(["--input", "x", "--output_dir", "a/", "--keep_if", "quality > 1",
                                  "--previous_output", "a"]).view_as(CurateOptions))
    with pytest.raises(UsageError, match="--previous_output"):
        reject_dashed_flags(["--previous-output=a"])
    reject_dashed_flags(["--keep_if", "quality > 1", "--job-name", "x"])  # not ours: left to Beam

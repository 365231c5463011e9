"""Flag checks and the per-runner torch thread default."""

from __future__ import annotations

import os

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from beam_jobs.options import (CurateOptions, UsageError, beam_flags, reject_unknown_flags, scorer_flags,
                               scorer_options, torch_threads, validate)


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
    with pytest.raises(UsageError, match="underscores, --previous_output"):
        reject_unknown_flags(["--previous-output=a"])
    with pytest.raises(UsageError, match="underscores, --job_name"):
        reject_unknown_flags(["--job-name", "x"])  # Beam's own flags are checked too
    with pytest.raises(UsageError, match="unknown flag --adaptor; did you mean --adapter"):
        reject_unknown_flags(["--keep_if", "quality > 1", "--adaptor", "lora/"])
    reject_unknown_flags(["--keep_if", "quality > 1", "--job_name", "x", "--adapter=lora/", "positional"])


def test_every_scorer_option_is_a_beam_flag_that_collides_with_no_standard_option():
    generated = {spec.beam_flag for spec, _ in scorer_flags().values()}
    assert {"--model", "--adapter", "--recipe", "--dtype", "--long_side", "--batch_size"} <= generated
    ours = {f"--{name}" for name in ("input", "output_dir", "keep_if", "scorer", "image_column", "previous_output",
                                     "overwrite", "num_shards", "large_model", "model_copies", "torch_threads")}
    others = [flag for flag in beam_flags() if flag not in generated | ours]
    assert len(others) > 100  # Beam's, Dataflow's, Flink's, Spark's ... options are all in the list
    # every flag is declared exactly once across all PipelineOptions classes: none of ours shadows another's
    assert sorted(beam_flags()) == sorted(set(beam_flags()))


def test_scorer_flags_are_checked_against_the_chosen_scorer():
    def opts(*flags):
        return PipelineOptions(["--input", "x", "--output_dir", "o", "--keep_if", "quality > 1", *flags]
                               ).view_as(CurateOptions)

    assert scorer_options(opts("--long_side", "256")) == {"long_side": 256}
    assert scorer_options(opts("--scorer", "lmm", "--model", "m/", "--adapter", "a/", "--critique")) == {
        "model": "m/", "adapter": "a/", "critique": True}
    with pytest.raises(UsageError, match="scorer 'classic' does not take --adapter"):
        scorer_options(opts("--adapter", "a/"))
    with pytest.raises(UsageError, match="scorer 'lmm' needs --model"):
        scorer_options(opts("--scorer", "lmm"))
    with pytest.raises(UsageError, match="--batch_size must be at least 1"):
        scorer_options(opts("--batch_size", "0"))


def test_help_lists_the_jobs_flags_and_points_at_beams(capsys):
    from beam_jobs.curate import main

    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    flags = ("--input", "--output_dir", "--keep_if", "--previous_output", "--long_side")
    assert all(flag in out for flag in flags)
    assert "--runner" in out and "docs/beam.md" in out

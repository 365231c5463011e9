"""`python -m beam_jobs.curate`: score image corpora with a vc_curate scorer on Beam and split them by a rule.

    python -m beam_jobs.curate --input 'images/**' --input shards/*.tar --output_dir out \
        --keep_if 'quality >= 50 and sharpness >= 30' \
        [--previous_output last_run] [--runner ...]

Match and read (failed reads are dead letters) -> skip what --previous_output has -> RunInference with our
scorer handler (plain files in the stage that read them; shard members and table rows spread first) ->
--keep_if -> DIR/kept-*, rejected-*, errors-* (and skipped-*) Parquet files with the record schema, and
DIR/stats.json. Local runs print a progress line per scored bundle.
"""

from __future__ import annotations

import os
import sys
import uuid

from beam_jobs.logs import drop_noise, quiet_workers

drop_noise()  # before Beam's import, which warns about the BigQuery client this job does not use

import apache_beam as beam  # noqa: E402
from apache_beam.ml.inference.base import RunInference  # noqa: E402
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions, WorkerOptions  # noqa: E402

from beam_jobs.filtering import ERRORS, KEPT, REJECTED, Decide, compile_keep_if
from beam_jobs.handler import ScorerModelHandler
from beam_jobs.io.previous import ReadPrevious, previous_files
from beam_jobs.io.read import FAILED, MEMBERS, MatchInputs, ReadInputs
from beam_jobs.io.write import WriteRecords
from beam_jobs.local import local_runner
from beam_jobs.metrics import CountScored, counter_values, summary_line
from beam_jobs.options import (CurateOptions, UsageError, help_text, reject_unknown_flags, scorer_options,
                               torch_threads, validate)
from beam_jobs.output_dir import prepare_output_dir
from beam_jobs.skip import SKIPPED, SkipDone
from beam_jobs.stats import WriteStats, now
from vc_curate.registry import scorer_class
from vc_curate.rules import RuleError

LOCAL_RUNNERS = ("DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner", "FnApiRunner")


def handler_for(opts: CurateOptions) -> ScorerModelHandler:
    options = scorer_options(opts)
    return ScorerModelHandler(opts.scorer, batch_size=options.pop("batch_size", None), large_model=opts.large_model,
                              model_copies=opts.model_copies, torch_threads=torch_threads(opts), **options)


def build(pipeline: beam.Pipeline, opts: CurateOptions) -> beam.PCollection:
    """The whole job; returns the PCollection of written file paths."""
    runner = pipeline.options.view_as(StandardOptions).runner
    runner = runner if isinstance(runner, str) or runner is None else type(runner).__name__
    run = {"started": now().isoformat(timespec="seconds"), "input_patterns": list(opts.input),
           "keep_if": opts.keep_if, "scorer": opts.scorer, "previous_output": opts.previous_output,
           "runner": runner or "DirectRunner"}
    matched = (pipeline
               | "Inputs" >> beam.Create(opts.input)
               | "Match" >> beam.ParDo(MatchInputs()).with_outputs(FAILED, main="files"))
    files = matched.files | "OncePerFile" >> beam.CombinePerKey(any)  # also spreads files over workers
    read = files | "Read" >> beam.ParDo(ReadInputs(opts.image_column, opts.max_bytes)).with_outputs(
        FAILED, MEMBERS, main="files")
    previous = None
    if opts.previous_output:
        previous = (pipeline
                    | "PreviousFiles" >> beam.Create(previous_files(opts.previous_output))
                    | "SpreadPrevious" >> beam.Reshuffle()
                    | "ReadPrevious" >> beam.ParDo(ReadPrevious()))
    # A plain file's bytes go to scoring in the stage that read them (no shuffle, flat worker memory); shard
    # members and table rows are spread over workers first, since one file holds many. Both branches share
    # one scorer per process (the same model_identifier), and meet again only as small records.
    handler, model_id = handler_for(opts), f"vc_curate-{uuid.uuid4().hex}"
    branches = {"Files": read.files, "Members": read[MEMBERS] | "SpreadMembers" >> beam.Reshuffle()}
    scored, skipped = [], []
    version = None
    if previous is not None and not opts.keep_old_versions:  # the running scorer's version (a load, once)
        version = scorer_class(opts.scorer)(**scorer_options(opts)).version
    for name, inputs in branches.items():
        if previous is not None:
            inputs, done = inputs | f"SkipDone{name}" >> SkipDone(previous, version, opts.keep_old_versions)
            skipped.append(done)
        scored.append(inputs | f"Score{name}" >> RunInference(handler, model_identifier=model_id))
    progress = run["runner"] in LOCAL_RUNNERS
    records = scored | "AllScored" >> beam.Flatten() | "CountScored" >> beam.ParDo(CountScored(progress))
    decided = records | "KeepIf" >> Decide(opts.keep_if)
    outputs = {KEPT: decided[KEPT], REJECTED: decided[REJECTED],
               ERRORS: (matched[FAILED], read[FAILED], decided[ERRORS]) | "AllErrors" >> beam.Flatten()}
    if skipped:
        outputs[SKIPPED] = skipped | "AllSkipped" >> beam.Flatten()
    _ = outputs | "Stats" >> WriteStats(opts.output_dir, run)
    return outputs | "Write" >> WriteRecords(opts.output_dir, opts.num_shards)


def check(opts: CurateOptions, argv: list[str]) -> None:
    """Everything that can be refused before the pipeline starts, as one-line UsageErrors."""
    reject_unknown_flags(argv)
    validate(opts)
    try:
        compile_keep_if(opts.keep_if)
        scorer_class(opts.scorer)
    except (RuleError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    scorer_options(opts)
    if opts.previous_output and not previous_files(opts.previous_output):
        raise UsageError(f"--previous_output {opts.previous_output} holds no kept-/rejected-/skipped-*"
                         ".parquet files of an earlier run")
    prepare_output_dir(opts.output_dir, opts.overwrite)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "-h" in argv or "--help" in argv:
        print(help_text())
        return 0
    options = PipelineOptions(argv)
    opts = options.view_as(CurateOptions)
    standard = options.view_as(StandardOptions)
    standard.runner = standard.runner or "DirectRunner"  # local_runner() reads the name
    try:
        check(opts, argv)
    except UsageError as exc:
        print(f"curate: error: {exc}", file=sys.stderr)
        return 2
    # With glibc's default of a malloc arena per decode thread, freed image buffers pile up and a worker's
    # memory creeps up with the corpus. Local worker processes inherit this; the Dockerfile sets it for remote
    # workers.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    quiet_workers(options.view_as(WorkerOptions))
    pipeline = beam.Pipeline(runner=local_runner(options), options=options)  # None: the runner of the options
    build(pipeline, opts)
    result = pipeline.run()
    result.wait_until_finish()
    print(summary_line(counter_values(result), opts.output_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A short fine-tune on 24 real labelled AGIQA-3K images, end to end: relativity within each generator,
multifunctional from its adapter, scoring with the adapter, and base against fine-tuned agreement."""

from __future__ import annotations

import math

import pyarrow.parquet as pq
import pytest

from vc_curate.cli import main as cli
from vc_curate.training.compare import compare_adapter, format_comparison


@pytest.mark.slow
def test_fine_tune_score_and_compare_on_real_labels(checkpoints, agiqa_csv, tmp_path, capsys):
    model = checkpoints["qwen2_vl"]
    common = ["--model", model, "--data", agiqa_csv, "--group-by", "generator", "--batch-size", "2",
              "--lora-rank", "4", "--lr", "2e-3", "--device", "cpu", "--log-every", "2"]
    relativity, multifunctional = tmp_path / "relativity", tmp_path / "multifunctional"
    assert cli.main(["train", "--stage", "relativity", "--out", str(relativity), "--max-steps", "8", *common]) == 0
    assert cli.main(["train", "--stage", "multifunctional", "--out", str(multifunctional), "--max-steps", "4",
                     "--from-adapter", str(relativity), *common]) == 0
    capsys.readouterr()

    scores = tmp_path / "scores.parquet"
    images = [line.split(",")[0] for line in open(agiqa_csv).read().splitlines()[1:]]
    assert cli.main(["score", *images, "--out", str(scores), "--scorer", "lmm", "--model", model, "--adapter",
                     str(multifunctional), "--dtype", "float32", "--device", "cpu", "--quiet"]) == 0
    rows = pq.read_table(scores).to_pylist()
    assert len(rows) == 24 and all(r["error"] is None and r["scorer"].endswith("+multifunctional") for r in rows)
    assert cli.main(["evaluate", str(scores), "--labels", agiqa_csv, "--group-by", "generator",
                     "--bootstrap", "0"]) == 0
    assert "quality vs mos" in capsys.readouterr().out

    comparison = compare_adapter(agiqa_csv, model, str(multifunctional), group_by="generator", resamples=0,
                                 device="cpu", dtype="float32", workers=1)
    base = {(m.group, m.metric): m.value for m in comparison.base.metrics if m.field == "quality"}
    tuned = {(m.group, m.metric): m.value for m in comparison.tuned.metrics if m.field == "quality"}
    assert set(base) == set(tuned) and ("all", "spearman") in base and len(base) == 2 * 5
    assert all(math.isfinite(v) for v in base.values()) and base != tuned
    text = format_comparison(comparison)
    assert "quality vs mos" in text and "AttnGAN_normal" in text and len(text.splitlines()) == 2 + len(base)

    capsys.readouterr()
    assert cli.main(["evaluate", "--labels", agiqa_csv, "--group-by", "generator", "--bootstrap", "0",
                     "--model", model, "--adapter", str(multifunctional), "--device", "cpu", "--dtype", "float32"]) == 0
    assert f"Base {model} against {model} + {multifunctional}" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--adapter", "x"], "give --model BASE and no scores table"),
    ([], "give a scores table, or --model BASE --adapter DIR"),
])
def test_evaluate_adapter_usage_errors(agiqa_csv, args, message, capsys):
    assert cli.main(["evaluate", "--labels", agiqa_csv, *args]) == 2
    assert message in capsys.readouterr().err


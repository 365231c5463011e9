"""A scheduled Beam job runs the critic a user just fine-tuned: `--adapter` reaches the lmm scorer.

A tiny randomly initialised LLaVA (a real architecture, processor and chat template) and a LoRA adapter with
random, non-zero weights saved by peft; the job's records must equal the library's with that adapter.
"""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq
import pytest

import vc_curate
from tests.beam_jobs.conftest import good
from tests.support.lmm_checkpoints import build_checkpoint

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model_and_adapter(tmp_path_factory) -> tuple[str, str]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlavaForConditionalGeneration

    root = tmp_path_factory.mktemp("lmm")
    model = build_checkpoint("llava", root / "base")
    torch.manual_seed(1)
    net = LlavaForConditionalGeneration.from_pretrained(model)
    lora = LoraConfig(r=4, lora_alpha=16, target_modules=r".*language_model.*\.(q_proj|v_proj)",
                      init_lora_weights=False)  # random B: the adapter really changes the scores
    get_peft_model(net, lora).save_pretrained(root / "tuned")
    return str(model), str(root / "tuned")


def test_the_beam_job_scores_with_the_adapter(model_and_adapter, tmp_path):
    model, adapter = model_and_adapter
    images = tmp_path / "images"
    images.mkdir()
    for i in range(3):
        (images / f"img{i}.jpg").write_bytes(good(i))
    common = dict(model=model, device="cpu", dtype="float32", workers=1)
    inputs = sorted(str(p) for p in images.iterdir())
    base = {r.uri: r for r in vc_curate.load_scorer("lmm", **common).score(inputs)}
    tuned = {r.uri: r for r in vc_curate.load_scorer("lmm", adapter=adapter, **common).score(inputs)}
    assert max(abs(base[u].quality - tuned[u].quality) for u in inputs) > 0.01

    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "beam_jobs.curate", "--runner", "DirectRunner", "--input", str(images),
         "--output_dir", str(out), "--keep_if", "quality >= 0", "--scorer", "lmm", "--model", model,
         "--adapter", adapter, "--device", "cpu", "--dtype", "float32", "--workers", "1"],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    kept = {r["uri"]: r for path in out.glob("kept-*.parquet") for r in pq.read_table(path).to_pylist()}
    assert set(kept) == set(inputs)
    for uri, rec in kept.items():
        assert rec["scorer"] == tuned[uri].scorer and rec["scorer"].endswith("+tuned")
        assert rec["quality"] == pytest.approx(tuned[uri].quality, abs=1e-3)

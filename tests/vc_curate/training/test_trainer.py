"""Training runs on tiny real-architecture models on CPU: every stage lowers its loss; the adapter is
LoRA on the language model only, saved as safetensors, loads in the `lmm` scorer and changes its scores;
runs resume where they stopped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors import safe_open

from vc_curate.training import TrainConfig, train
from vc_curate.training.trainer import TrainingError


def config(model: str, data: str, out: Path, stage: str = "relativity", **options) -> TrainConfig:
    defaults = dict(max_steps=24, lr=5e-3, batch_size=2, lora_rank=8, device="cpu", dtype="float32",
                    log_every=4, warmup_steps=0)
    return TrainConfig(stage=stage, model=model, data=data, out=str(out), **(defaults | options))


def metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def relativity_adapter(checkpoints, labels_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("relativity")
    train(config(checkpoints["llava"], labels_csv, out), log=lambda m: None)
    return out


def assert_loss_falls(out: Path) -> None:
    lines = metrics(out)
    assert [line["step"] for line in lines] == list(range(4, 25, 4))
    assert lines[-1]["loss"] < lines[0]["loss"] - 0.1, [round(line["loss"], 3) for line in lines]


@pytest.mark.slow
def test_relativity_lowers_its_loss(relativity_adapter):
    assert_loss_falls(relativity_adapter)
    assert {"answer", "fidelity", "lr", "seconds"} <= set(metrics(relativity_adapter)[0])


@pytest.mark.slow
@pytest.mark.parametrize("stage, kind", [("multifunctional", "qwen2_vl"), ("instruction", "llava")])
def test_each_stage_lowers_its_loss(checkpoints, labels_csv, tmp_path, stage, kind):
    result = train(config(checkpoints[kind], labels_csv, tmp_path, stage=stage), log=lambda m: None)
    assert result.steps == 24 and result.last_loss < result.first_loss
    assert_loss_falls(tmp_path)


@pytest.mark.slow
def test_the_adapter_is_lora_on_the_language_model_and_changes_the_scores(checkpoints, labels_csv,
                                                                         relativity_adapter):
    from vc_curate import load_scorer
    from vc_curate.training.labels import read_label_set

    with safe_open(relativity_adapter / "adapter_model.safetensors", "pt") as f:
        keys = list(f.keys())
    assert keys and all("lora_" in k and ".language_model." in k for k in keys)
    assert not any("vision" in k or "projector" in k for k in keys)
    uris = read_label_set(labels_csv).uris[:4]
    base = load_scorer("lmm", model=checkpoints["llava"], device="cpu", dtype="float32", workers=1).score(uris)
    tuned_scorer = load_scorer("lmm", model=checkpoints["llava"], adapter=str(relativity_adapter), device="cpu",
                               dtype="float32", workers=1)
    tuned = tuned_scorer.score(uris)
    assert tuned_scorer.version.endswith("+" + relativity_adapter.name)
    assert all(r.error is None for r in base + tuned)
    assert max(abs(a.quality - b.quality) for a, b in zip(base, tuned)) > 0.01


@pytest.mark.slow
def test_a_stage_continues_from_the_previous_stages_adapter(checkpoints, labels_csv, relativity_adapter, tmp_path):
    train(config(checkpoints["llava"], labels_csv, tmp_path, stage="multifunctional", max_steps=2,
                 from_adapter=str(relativity_adapter)), log=lambda m: None)
    state = json.loads((tmp_path / "trainer_state.json").read_text())
    assert state["stage"] == "multifunctional" and state["config"]["from_adapter"] == str(relativity_adapter)
    with safe_open(relativity_adapter / "adapter_model.safetensors", "pt") as f, \
            safe_open(tmp_path / "adapter_model.safetensors", "pt") as g:
        assert sorted(f.keys()) == sorted(g.keys())  # the same adapter, trained further


@pytest.mark.slow
def test_resume_continues_where_the_run_stopped(checkpoints, labels_csv, tmp_path):
    log: list[str] = []
    train(config(checkpoints["qwen2_vl"], labels_csv, tmp_path, max_steps=4, log_every=1, save_every=2),
          log=log.append)
    first = metrics(tmp_path)
    with pytest.raises(TrainingError, match="already holds an adapter; pass --resume"):
        train(config(checkpoints["qwen2_vl"], labels_csv, tmp_path, max_steps=6), log=log.append)
    with pytest.raises(TrainingError, match="holds a relativity run; resume it with --stage relativity"):
        train(config(checkpoints["qwen2_vl"], labels_csv, tmp_path, stage="instruction", resume=True))
    result = train(config(checkpoints["qwen2_vl"], labels_csv, tmp_path, max_steps=6, log_every=1, save_every=2,
                          resume=True), log=log.append)
    assert result.start_step == 4 and result.steps == 6 and "resuming" in " ".join(log)
    lines = metrics(tmp_path)
    assert [line["step"] for line in lines] == [1, 2, 3, 4, 5, 6] and lines[:4] == first
    assert json.loads((tmp_path / "trainer_state.json").read_text())["step"] == 6


def test_bad_settings_stop_before_the_model_loads(labels_csv, tmp_path):
    with pytest.raises(TrainingError, match="--stage judging"):
        train(config("no-model", labels_csv, tmp_path, stage="judging"))
    with pytest.raises(TrainingError, match="--max-steps must be at least 1"):
        train(config("no-model", labels_csv, tmp_path, max_steps=0))
    with pytest.raises(TrainingError, match="missing does not exist; point --model at a local folder"):
        train(config(str(tmp_path / "missing"), labels_csv, tmp_path / "out"))


@pytest.mark.slow
def test_gradient_checkpointing_still_trains_the_adapter(checkpoints, labels_csv, tmp_path):
    result = train(config(checkpoints["llava"], labels_csv, tmp_path, max_steps=3, log_every=1,
                          gradient_checkpointing=True), log=lambda m: None)
    with safe_open(tmp_path / "adapter_model.safetensors", "pt") as f:
        assert any(f.get_tensor(k).abs().sum() > 0 for k in f.keys() if "lora_B" in k)  # B starts at zero
    assert result.steps == 3


def test_an_adapter_without_a_saved_run_is_not_resumed(labels_csv, tmp_path):
    (tmp_path / "adapter_model.safetensors").write_bytes(b"")
    with pytest.raises(TrainingError, match="no trainer_state.json to resume from; train it further with --from"):
        train(config("no-model", labels_csv, tmp_path, resume=True))

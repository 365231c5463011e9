"""The training loop: LoRA (PEFT) on the language model's linear layers, vision tower and projector frozen;
`DIR/metrics.jsonl` one JSON line per logging step; the adapter saved as safetensors in DIR, with the
optimizer and step beside it so `resume` continues where a run stopped."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vc_curate.decode import DecodeError, open_image
from vc_curate.evaluate.labels import LabelsError
from vc_curate.inputs import read_uri_bytes
from vc_curate.scorer import resolve_device
from vc_curate.scorers.lmm.loading import load, resolve_dtype
from vc_curate.scorers.lmm.prompts import use_recipe_template
from vc_curate.scorers.lmm.recipes import recipe_for
from vc_curate.scorers.lmm.scorer import processor_long_side
from vc_curate.training.labels import LabelSet, read_label_set
from vc_curate.training.sequences import Encoder, ImageCache, collate, forward_logits
from vc_curate.training.stages import STAGES, step_loss

LM_LAYERS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
ADAPTER_FILE = "adapter_model.safetensors"
STATE_FILE = "trainer_state.json"
OPTIMIZER_FILE = "optimizer.pt"
METRICS_FILE = "metrics.jsonl"


class TrainingError(ValueError):
    """A training run that cannot start as asked; the message says what to change."""


@dataclass(slots=True)
class TrainConfig:
    stage: str
    model: str
    data: str
    out: str
    group_by: str | None = None
    max_steps: int = 1000
    lr: float = 2e-4
    batch_size: int = 8
    lora_rank: int = 16
    lora_alpha: float | None = None  # default: twice the rank
    lora_dropout: float = 0.05
    device: str = "auto"
    dtype: str = "auto"
    resume: bool = False
    overwrite: bool = False
    from_adapter: str | None = None  # the previous stage's adapter, trained further
    recipe: str | None = None
    revision: str | None = None
    trust_remote_code: bool = False
    gradient_checkpointing: bool = False
    warmup_steps: int | None = None  # default: a tenth of the steps, at most 100
    log_every: int = 10
    save_every: int = 200
    seed: int = 0


@dataclass(slots=True)
class TrainResult:
    out: str
    start_step: int  # steps done before this run (resumed)
    steps: int  # steps done in all
    first_loss: float | None  # of this run's first and last logging steps
    last_loss: float | None
    seconds: float


def check_images(labels: LabelSet) -> None:
    """Every image opens (headers only), so a bad file stops the run before the model loads."""
    bad = []
    for uri in labels.uris:
        try:
            open_image(read_uri_bytes(uri)).close()
        except (DecodeError, OSError, ValueError) as exc:
            bad.append(f"{uri}: {exc}")
    if bad:
        raise LabelsError(f"{len(bad)} labelled images cannot be opened (first: {bad[0]}); fix or drop those rows")


def language_model_layers(net: Any) -> list[str]:
    """Names of the language model's attention and MLP projections (nothing of the vision tower)."""
    lm = getattr(getattr(net, "model", None), "language_model", None) or getattr(net, "language_model", None)
    if lm is None:
        raise TrainingError(f"{type(net).__name__} has no `language_model` to put LoRA adapters on; "
                            "train a stock LLaVA/Qwen2-VL-style architecture")
    prefix = next(name for name, module in net.named_modules() if module is lm)
    names = [f"{prefix}.{name}" for name, module in lm.named_modules()
             if isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] in LM_LAYERS]
    if not names:
        raise TrainingError(f"the language model of {type(net).__name__} has none of the layers {LM_LAYERS}")
    return names


def _learning_rate(config: TrainConfig, step: int) -> float:
    """Linear warm-up, then a cosine decay to a tenth of `lr` at `max_steps`."""
    warmup = config.warmup_steps if config.warmup_steps is not None else min(100, config.max_steps // 10)
    if step <= warmup:
        return config.lr * step / max(warmup, 1)
    progress = (step - warmup) / max(config.max_steps - warmup, 1)
    return config.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(progress, 1.0))))


def _prepare_out(config: TrainConfig) -> dict | None:
    """The saved state to resume from, or None for a fresh run (refusing to overwrite one unasked)."""
    out = Path(config.out)
    state_path = out / STATE_FILE
    if config.resume and config.overwrite:
        raise TrainingError("--resume and --overwrite contradict each other: choose one")
    if config.resume and state_path.is_file():
        state = json.loads(state_path.read_text())
        if state["stage"] != config.stage:
            raise TrainingError(f"{out} holds a {state['stage']} run; resume it with --stage {state['stage']} "
                                f"or start the {config.stage} stage in a new folder with --from-adapter {out}")
        return state
    if config.resume and (out / ADAPTER_FILE).exists():
        raise TrainingError(f"{out} holds an adapter but no {STATE_FILE} to resume from; train it further with "
                            f"--from-adapter {out} and a new --out")
    if (state_path.exists() or (out / ADAPTER_FILE).exists()) and not config.resume and not config.overwrite:
        raise TrainingError(f"{out} already holds an adapter; pass --resume to continue it, --overwrite to "
                            "replace it, or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    if config.overwrite:
        for name in (STATE_FILE, OPTIMIZER_FILE, METRICS_FILE):
            (out / name).unlink(missing_ok=True)
    return None


def _save(net: Any, optimizer: torch.optim.Optimizer, config: TrainConfig, step: int, extra: dict) -> None:
    out = Path(config.out)
    net.save_pretrained(out, safe_serialization=True)
    torch.save(optimizer.state_dict(), out / (OPTIMIZER_FILE + ".tmp"))
    os.replace(out / (OPTIMIZER_FILE + ".tmp"), out / OPTIMIZER_FILE)
    state = {"step": step, "stage": config.stage, "config": asdict(config)} | extra
    (out / (STATE_FILE + ".tmp")).write_text(json.dumps(state, indent=2))
    os.replace(out / (STATE_FILE + ".tmp"), out / STATE_FILE)


def _keep_metrics_until(path: Path, step: int) -> None:
    """Drop logged lines after the saved step (a run that stopped between saves logs them again)."""
    if not path.exists():
        return
    lines = [line for line in path.read_text().splitlines() if line.strip() and json.loads(line)["step"] <= step]
    path.write_text("".join(line + "\n" for line in lines))


def _wrap(base: Any, config: TrainConfig, state: dict | None) -> Any:
    from peft import LoraConfig, PeftModel, get_peft_model

    source = config.out if state is not None else config.from_adapter
    if source:
        if not (Path(source) / ADAPTER_FILE).is_file():
            raise TrainingError(f"{source} has no {ADAPTER_FILE}; --from-adapter takes a folder written by "
                                "`vc-curate train`")
        return PeftModel.from_pretrained(base, source, is_trainable=True)
    lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha or 2 * config.lora_rank,
                      lora_dropout=config.lora_dropout, target_modules=language_model_layers(base))
    return get_peft_model(base, lora)


def _checkpoint_activations(net: Any) -> None:
    """Non-reentrant activation checkpointing (so frozen inputs need no gradients), by either API name."""
    kwargs = {"use_reentrant": False}
    if hasattr(net, "activation_checkpointing_enable"):  # transformers >= 5.2x
        net.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        net.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)


def train(config: TrainConfig, log: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> TrainResult:
    """Run `config.stage` until `config.max_steps` steps are done in all, saving to `config.out`."""
    if config.stage not in STAGES:
        raise TrainingError(f"--stage {config.stage}: use one of {', '.join(STAGES)}")
    for name in ("max_steps", "batch_size", "lora_rank", "log_every", "save_every"):
        if getattr(config, name) < 1:
            raise TrainingError(f"--{name.replace('_', '-')} must be at least 1")
    if not config.lr > 0:
        raise TrainingError("--lr must be above 0")
    state = _prepare_out(config)
    labels = read_label_set(config.data, config.group_by)
    check_images(labels)
    try:  # device, model, recipe and pairing problems are the user's to fix, and their messages say how
        device = resolve_device(config.device)
        loaded = load(config.model, revision=config.revision, adapter=None,
                      dtype=resolve_dtype(config.dtype, device), device=device,
                      trust_remote_code=config.trust_remote_code)
        recipe = recipe_for(loaded.model_type, config.recipe)
        use_recipe_template(loaded.processor, recipe)
        stage = STAGES[config.stage](labels, recipe, loaded.processor)
    except (ValueError, OSError) as exc:
        raise TrainingError(str(exc).strip().splitlines()[0]) from None
    rope_index = getattr(getattr(loaded.model, "model", None), "get_rope_index", None) is not None
    if config.gradient_checkpointing:
        _checkpoint_activations(loaded.model)
    net = _wrap(loaded.model, config, state)
    net.train()
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)
    start = 0
    metrics = Path(config.out) / METRICS_FILE
    if state is not None:
        optimizer.load_state_dict(torch.load(Path(config.out) / OPTIMIZER_FILE, weights_only=True))
        start = int(state["step"])
        _keep_metrics_until(metrics, start)
        log(f"resuming {config.out} at step {start}")
    encoder = Encoder(loaded.processor, recipe.system,
                      ImageCache(labels.uris, processor_long_side(loaded.processor.image_processor)),
                      template_options=recipe.template_options)
    extra = {"recipe": recipe.name, "group_by": labels.group_by, "images": len(labels),
             "groups": sorted(set(labels.groups))}
    log(f"{config.stage}: {len(labels)} images in {len(extra['groups'])} group(s), "
        f"{sum(p.numel() for p in params):,} trainable parameters, steps {start + 1}..{config.max_steps} on {device}")
    started = time.monotonic()
    window: list[dict[str, float]] = []
    first = last = None
    with metrics.open("a") as sink:
        for step in range(start + 1, config.max_steps + 1):
            rng = np.random.default_rng([config.seed, step])  # a step's batch does not depend on resuming
            torch.manual_seed(config.seed * 1_000_003 + step)
            plan = stage.plan(rng, config.batch_size)
            batch = collate([encoder.encode(t) for t in plan.turns], encoder.pad_id, rope_index)
            for group in optimizer.param_groups:
                group["lr"] = _learning_rate(config, step)
            loss, parts = step_loss(plan, forward_logits(net, batch), batch.labels)
            if not torch.isfinite(loss):
                raise TrainingError(f"the loss became {float(loss)} at step {step}; lower --lr or use "
                                    "--dtype float32")
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            window.append({"loss": float(loss.detach())} | parts)
            if step % config.log_every == 0 or step == config.max_steps:
                keys = dict.fromkeys(k for w in window for k in w)
                line = {"step": step, **{k: float(np.mean([w[k] for w in window if k in w])) for k in keys}}
                line |= {"lr": _learning_rate(config, step), "seconds": round(time.monotonic() - started, 3)}
                sink.write(json.dumps(line) + "\n")
                sink.flush()
                first = line["loss"] if first is None else first
                last = line["loss"]
                log(f"step {step}/{config.max_steps} loss {line['loss']:.4f}")
                window = []
            if step % config.save_every == 0 or step == config.max_steps:
                _save(net, optimizer, config, step, extra)
    if start >= config.max_steps:
        log(f"{config.out} already has {start} steps (--max-steps {config.max_steps}); nothing to do")
    return TrainResult(config.out, start, max(start, config.max_steps), first, last, time.monotonic() - started)

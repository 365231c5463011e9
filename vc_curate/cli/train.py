"""`vc-curate train`: fine-tune a critic (LoRA adapter) with one stage of VisualCritic's recipe."""

from __future__ import annotations

import argparse

from vc_curate.cli.main import UsageError

STAGE_NAMES = ("relativity", "multifunctional", "instruction")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "train", help="fine-tune a critic on labelled images (LoRA adapter for --scorer lmm)",
        description="Train one stage of VisualCritic's recipe on a labels table (`uri` or `filename`, `mos`, "
                    "optional `dataset`, `std`, attributes, `ai_generated`, `description`): relativity (which "
                    "of two images of one group is better), then multifunctional (ratings, attributes, "
                    "authenticity), then instruction (mixed prompts and descriptions), each stage starting "
                    "from the previous one's adapter (--from-adapter). Score with "
                    "`vc-curate score --scorer lmm --model BASE --adapter DIR`.")
    p.add_argument("--stage", required=True, choices=STAGE_NAMES)
    p.add_argument("--model", required=True, metavar="BASE", help="base model: Hugging Face id or local folder")
    p.add_argument("--data", required=True, metavar="LABELS", help="labels table, .csv or .parquet")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the adapter, metrics.jsonl and state")
    p.add_argument("--group-by", metavar="COL", help="labels column whose groups pairs and normalisation stay "
                                                     "within (default: `dataset` where present, else one group)")
    p.add_argument("--from-adapter", metavar="DIR", help="continue training this adapter (the previous stage's)")
    p.add_argument("--max-steps", type=_positive, default=1000, help="optimizer steps in all (default 1000)")
    p.add_argument("--lr", type=_positive_float, default=2e-4, help="peak learning rate (default 2e-4)")
    p.add_argument("--batch-size", type=_positive, default=8, help="pairs or questions per step (default 8)")
    p.add_argument("--lora-rank", type=_positive, default=16, help="LoRA rank (default 16; alpha is twice it)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    p.add_argument("--dtype", default="auto", help="auto (bf16/fp16 on GPU, fp32 on CPU), bfloat16, float16, float32")
    p.add_argument("--resume", action="store_true", help="continue the run saved in DIR up to --max-steps")
    p.add_argument("--overwrite", action="store_true", help="replace an adapter already in DIR")
    p.add_argument("--gradient-checkpointing", action="store_true", help="less GPU memory, ~30%% slower")
    p.add_argument("--log-every", type=_positive, default=10, metavar="N", help="steps per metrics.jsonl line")
    p.add_argument("--save-every", type=_positive, default=200, metavar="N", help="steps between checkpoints")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--recipe", help="recipe name or JSON file (default: the model family's)")
    p.add_argument("--revision", help="model revision (branch, tag or commit)")
    p.add_argument("--trust-remote-code", action="store_true", help="run the model repository's own code")
    return p


def run(args: argparse.Namespace) -> int:
    from vc_curate.evaluate.labels import LabelsError
    from vc_curate.training import TrainConfig, train
    from vc_curate.training.trainer import TrainingError

    config = TrainConfig(
        stage=args.stage, model=args.model, data=args.data, out=args.out, group_by=args.group_by,
        from_adapter=args.from_adapter, max_steps=args.max_steps, lr=args.lr, batch_size=args.batch_size,
        lora_rank=args.lora_rank, device=args.device, dtype=args.dtype, resume=args.resume,
        overwrite=args.overwrite, gradient_checkpointing=args.gradient_checkpointing, log_every=args.log_every,
        save_every=args.save_every, seed=args.seed, recipe=args.recipe, revision=args.revision,
        trust_remote_code=args.trust_remote_code)
    try:
        result = train(config)
    except (LabelsError, TrainingError) as exc:
        raise UsageError(str(exc)) from None
    if result.first_loss is not None:
        print(f"trained {args.stage} steps {result.start_step + 1}..{result.steps} in {result.seconds:.1f} s: "
              f"loss {result.first_loss:.4f} -> {result.last_loss:.4f}; adapter in {args.out} "
              f"(score with --scorer lmm --model {args.model} --adapter {args.out})")
    return 0

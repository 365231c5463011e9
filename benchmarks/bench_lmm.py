"""Throughput of the `lmm` scorer against the naive loop (one `generate` call per image and question).

Builds a randomly initialised checkpoint (tiny for CPU, ~1B for a GPU) offline, then scores real photos
from ../shared/data/photos: full records (quality, five attributes, authenticity) in images/s per batch
size, with peak GPU memory, next to the model card's way in the same run. Scores mean nothing (random
weights); speed does.

    python benchmarks/bench_lmm.py                                  # CPU, tiny Qwen2-VL
    python benchmarks/bench_lmm.py --kind llava --images 32
    python benchmarks/bench_lmm.py --device cuda --size 1b --batch-sizes 8 16 32 --images 256
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

from vc_curate import load_scorer
from vc_curate.scorers.lmm.prompts import LEVEL_VALUES
from tests.support.lmm_checkpoints import build_checkpoint

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"


def naive(scorer, paths: list[Path]) -> float:
    """Images/s of one `generate(max_new_tokens=1)` per image and question, reading the level-word scores."""
    plan, model, processor = scorer.plan, scorer.model, scorer.processor
    tokenizer = processor.tokenizer
    prompts = [(plan.prefix + s.text, s) for s in plan.levels]
    start = time.perf_counter()
    for path in paths:
        image = Image.open(path).convert("RGB")
        for text, s in prompts:
            enc = processor(images=[image], text=[text], return_tensors="pt").to(model.device)
            enc = {k: v.to(model.dtype) if v.is_floating_point() else v for k, v in enc.items()}
            out = model.generate(**enc, max_new_tokens=1, do_sample=False, output_logits=True,
                                 return_dict_in_generate=True, pad_token_id=scorer.pad_id)
            probs = out.logits[0][0, list(s.word_ids)].float().softmax(-1)
            _ = float(probs[:s.positives].sum()) if s.positives else float(probs @ torch.tensor(
                LEVEL_VALUES, device=probs.device))
    _sync(model.device)
    return len(paths) / (time.perf_counter() - start)


def ours(scorer, paths: list[Path], batch_size: int) -> tuple[float, float | None]:
    """Images/s of `score` (decode pool, shared prefix, one forward per batch) and peak GPU memory in GiB."""
    cuda = scorer.device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    scorer.score([str(p) for p in paths[:batch_size]], batch_size=batch_size)  # warm-up
    start = time.perf_counter()
    records = scorer.score([str(p) for p in paths], batch_size=batch_size)
    _sync(scorer.device)
    rate = len(paths) / (time.perf_counter() - start)
    failed = [r.error for r in records if r.error]
    if failed:
        raise SystemExit(f"{len(failed)} records failed, e.g. {failed[0]}")
    return rate, (torch.cuda.max_memory_allocated() / 2**30 if cuda else None)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kind", choices=["qwen2_vl", "llava"], default="qwen2_vl")
    p.add_argument("--size", choices=["tiny", "1b"], default="tiny")
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="auto")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument("--images", type=int, default=48, help="images per measurement (photos repeated)")
    p.add_argument("--naive-images", type=int, default=8)
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args()

    photos = sorted(PHOTOS.glob("*.jpg"))
    if not photos:
        raise SystemExit(f"no photos in {PHOTOS}: the benchmark needs ../shared beside the repository")
    paths = [photos[i % len(photos)] for i in range(args.images)]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = build_checkpoint(args.kind, Path(tmp) / args.kind, size=args.size)
        scorer = load_scorer("lmm", model=str(folder), device=args.device, dtype=args.dtype, workers=args.workers)
        params = sum(p.numel() for p in scorer.model.parameters()) / 1e6
        print(f"{args.kind} {args.size}: {params:.1f}M parameters, {scorer.model.dtype}, on {scorer.device}, "
              f"decode long side {scorer.decode_options().long_side}, built and loaded in "
              f"{time.perf_counter() - t0:.1f} s; {len(photos)} photos of 0.7-16 MP")
        base = naive(scorer, paths[:args.naive_images])
        print(f"naive loop (generate per image and question, 7 questions): {base:.2f} images/s")
        for bs in args.batch_sizes:
            rate, peak = ours(scorer, paths, bs)
            mem = f", peak GPU memory {peak:.2f} GiB" if peak is not None else ""
            print(f"lmm scorer, batch {bs:3d}: {rate:.2f} images/s ({rate / base:.1f}x naive){mem}")


if __name__ == "__main__":
    main()

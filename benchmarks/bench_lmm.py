"""Throughput of the `lmm` scorer against the authors' batched single-question loop, per batch size.

Builds a randomly initialised checkpoint (tiny for CPU, ~1B for a GPU) offline, then scores real photos
from ../shared/data/photos: full records (quality, five attributes, authenticity) in images/s, with peak
GPU memory, next to the Q-Align authors' way (each question a batched forward over the images, the image
re-encoded per question) at the same resolution, warmed up, in the same run. Scores mean nothing (random
weights); speed does.

    python benchmarks/bench_lmm.py                                  # CPU, tiny Qwen2-VL
    python benchmarks/bench_lmm.py --kind llava --images 32
    python benchmarks/bench_lmm.py --device cuda --size 1b --batch-sizes 8 16 32 --images 256
    python benchmarks/bench_lmm.py --kind gemma3 --passes packed cached    # both shared passes, same run
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkpoint builder lives in tests/support

from tests.support.lmm_checkpoints import KINDS, build_checkpoint  # noqa: E402
from vc_curate import load_scorer  # noqa: E402
from vc_curate.decode import decode_bytes  # noqa: E402
from vc_curate.scorers.lmm.cached import rate_cached  # noqa: E402
from vc_curate.scorers.lmm.prompts import LEVEL_VALUES  # noqa: E402
from vc_curate.scorers.lmm.rating import rate, rate_plain  # noqa: E402

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "data" / "photos"
PASSES = {"cached": rate_cached, "packed": rate, "plain": rate_plain}  # how the scorer rates (packing.choose_pass)


def authors_loop(scorer, images: list[bytes], batch_size: int) -> float:
    """Images/s of the Q-Align authors' way, batched: for each batch of images and each question, the whole
    prompt through the processor (left-padded) and one forward pass, reading the level words' logits. Images
    are decoded at the scorer's size (same resolution for both), one warm-up batch first."""
    plan, model, processor = scorer.plan, scorer.model, scorer.processor
    processor.tokenizer.padding_side = "left"
    values = torch.tensor(LEVEL_VALUES, device=model.device)

    def run(batch: list[bytes]) -> None:  # one image per prompt, nested as every family's processor takes it
        pil = [Image.fromarray(decode_bytes(data, scorer.decode_options()).pixels) for data in batch]
        for s in plan.levels:
            enc = processor(images=[[im] for im in pil], text=[plan.prefix + s.text] * len(pil), padding=True,
                            add_special_tokens=plan.special, return_tensors="pt").to(model.device)
            enc = {k: v.to(model.dtype) if v.is_floating_point() else v for k, v in enc.items()}
            with torch.inference_mode():
                probs = model(**enc, logits_to_keep=1).logits[:, -1, list(s.word_ids)].float().softmax(-1)
            _ = (probs[:, :s.positives].sum(-1) if s.positives else probs @ values).tolist()

    run(images[:batch_size])  # warm-up
    _sync(model.device)
    start = time.perf_counter()
    for i in range(0, len(images), batch_size):
        run(images[i:i + batch_size])
    _sync(model.device)
    return len(images) / (time.perf_counter() - start)


def ours(scorer, inputs: list, batch_size: int) -> tuple[float, float | None]:
    """Records/s of `score` (decode pool, shared prefix, one forward per batch) and peak GPU memory in GiB;
    `inputs` are anything `score` takes (paths, (uri, bytes) pairs)."""
    cuda = scorer.device.type == "cuda"
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    scorer.score(inputs[:batch_size], batch_size=batch_size)  # warm-up
    start = time.perf_counter()
    records = scorer.score(inputs, batch_size=batch_size)
    _sync(scorer.device)
    rate = len(inputs) / (time.perf_counter() - start)
    failed = [r.error for r in records if r.error]
    if failed:
        raise SystemExit(f"{len(failed)} records failed, e.g. {failed[0]}")
    return rate, (torch.cuda.max_memory_allocated() / 2**30 if cuda else None)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kind", choices=KINDS, default="qwen2_vl")
    p.add_argument("--size", choices=["tiny", "1b"], default="tiny")
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="auto")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument("--images", type=int, default=48, help="images per measurement (photos repeated)")
    p.add_argument("--baseline-images", type=int, default=16, help="images for the authors' loop")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--passes", nargs="+", choices=list(PASSES), default=None,
                   help="measure the scorer with each of these passes (default: the one it chose at load; a "
                        "pass the probe did not check is assumed exact here)")
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
        chosen = next(name for name, fn in PASSES.items() if fn is scorer.rate)
        print(f"{args.kind} {args.size}: {params:.1f}M parameters, {scorer.model.dtype}, on {scorer.device}, "
              f"decode long side {scorer.decode_options().long_side}, built and loaded in "
              f"{time.perf_counter() - t0:.1f} s; {len(photos)} photos of 0.7-16 MP; {chosen} pass chosen")
        for bs in args.batch_sizes:
            base = authors_loop(scorer, [p.read_bytes() for p in paths[:args.baseline_images]], bs)
            for name in args.passes or [chosen]:
                scorer.rate = PASSES[name]
                rate, peak = ours(scorer, [str(p) for p in paths], bs)
                mem = f", peak GPU memory {peak:.2f} GiB" if peak is not None else ""
                print(f"batch {bs:3d}: authors' loop {base:.2f} images/s; lmm scorer, {name} pass, {rate:.2f} "
                      f"images/s ({rate / base:.1f}x){mem}", flush=True)


if __name__ == "__main__":
    main()

"""GPU throughput of the `lmm` scorer on a randomly initialised ~1B Qwen2.5-VL-style model, for the device tool.

The model is built directly on the GPU in bf16 (no save or load of weights); only its config, tokenizer and
processor files go through a temporary folder. Images are synthetic photo-like JPEGs of about 1 MP, so the
script needs nothing beside the repository. For each batch size it prints full records/s (quality, five attributes, authenticity:
the default recipe) and peak GPU memory, next to the authors' batched single-question loop at the same
resolution. Scores mean nothing (random weights); speed does.

    python benchmarks/device_lmm.py                       # ~1B, batch sizes 8 16 32 64, the pass chosen at load
    python benchmarks/device_lmm.py --passes cached packed --batch-sizes 16 64   # both shared passes
    python benchmarks/device_lmm.py --size tiny --device cpu --images 8 --batch-sizes 4   # a dry run
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the model builder lives in tests/support

from bench_lmm import PASSES, authors_loop, ours  # noqa: E402
from tests.support.lmm_checkpoints import BUILDERS, SIZES, save_processor  # noqa: E402
from vc_curate.scorers.lmm import scorer as lmm_scorer  # noqa: E402
from vc_curate.scorers.lmm.loading import Loaded, load_processor  # noqa: E402


def photo(seed: int, size: tuple[int, int] = (1152, 864)) -> bytes:
    """A photo-like JPEG: smooth gradients, edges and noise."""
    w, h = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(w, h)
    rgb = np.stack([0.5 + 0.4 * np.sin(6 * x + seed), 0.5 + 0.4 * np.cos(5 * y + seed), (x + y > 0.8) * 0.5 + 0.2], -1)
    rgb = np.clip(rgb + rng.normal(0, 0.04, rgb.shape), 0, 1)
    out = io.BytesIO()
    Image.fromarray((rgb * 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


def scorer_on_device(size: str, device: str, batch_size: int, folder: Path):
    """An LMMScorer over a model built in place on `device`, its processor read from `folder`."""
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    with torch.device(device):
        model, parts = BUILDERS["qwen2_5_vl"]("qwen2_5_vl", SIZES[size], size)
    model = model.to(dtype).eval()
    save_processor(parts, folder)
    model.config.save_pretrained(folder)  # the processor loader reads the family from it
    loaded = Loaded(model, load_processor(str(folder)), "qwen2_5_vl", "random")
    lmm_scorer.load = lambda *a, **k: loaded  # the scorer's loader returns the model built here
    return lmm_scorer.LMMScorer(model=str(folder), device=device, batch_size=batch_size, workers=12)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=list(SIZES), default="1b")
    p.add_argument("--device", default="cuda")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[8, 16, 32, 64])
    p.add_argument("--images", type=int, default=256)
    p.add_argument("--baseline-images", type=int, default=64)
    p.add_argument("--passes", nargs="+", choices=list(PASSES), default=None,
                   help="measure each of these passes (default: the one chosen at load)")
    args = p.parse_args()
    images = [photo(i) for i in range(16)]
    inputs = [(f"mem://photo{i}.jpg", images[i % 16]) for i in range(args.images)]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        scorer = scorer_on_device(args.size, args.device, max(args.batch_sizes), Path(tmp))
        params = sum(q.numel() for q in scorer.model.parameters()) / 1e9
        chosen = next(name for name, fn in PASSES.items() if fn is scorer.rate)
        print(f"qwen2_5_vl {args.size}: {params:.2f}B parameters, {scorer.model.dtype}, {chosen} pass chosen, "
              f"decode long side {scorer.decode_options().long_side}, ready in {time.perf_counter() - t0:.1f} s; "
              f"torch {torch.__version__}", flush=True)
        for bs in args.batch_sizes:
            base = authors_loop(scorer, [data for _, data in inputs[:args.baseline_images]], bs)
            for name in args.passes or [chosen]:
                scorer.rate = PASSES[name]
                rate, peak = ours(scorer, inputs, bs)
                mem = f", peak {peak:.1f} GiB" if peak is not None else ""
                print(f"batch {bs:3d}: lmm scorer, {name} pass, {rate:.1f} records/s{mem}; authors' loop "
                      f"{base:.1f} images/s ({rate / base:.1f}x)", flush=True)


if __name__ == "__main__":
    main()

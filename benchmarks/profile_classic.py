"""Where the classic scorer's measures spend their time on one core, image by image as the CPU decode workers
measure them: milliseconds per image, then per measure function (cProfile, cumulative) and per torch operator
(torch.profiler, self time and calls per image). Decoding is done first and not timed.

    python benchmarks/profile_classic.py [--images GLOB] [--limit 32] [--top 12]

e.g. multi-megapixel photos (measured at the working size, after draft decoding):
    python benchmarks/profile_classic.py --images '../shared/data/photos/*.jpg'

Figures vary between runs (about 15 % on the development VM): compare several before believing a change.
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import pstats
import time
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

import vc_curate
from vc_curate.decode import decode_bytes
from vc_curate.scorers.classic.scorer import _Prepared

PACKAGE = str(Path(vc_curate.__file__).parent / "scorers" / "classic")


def prepared(scorer, files: list[str]) -> list:
    """Decoded images, ready for `_measure` (decoding is not what this script times)."""
    out = []
    for path in files:
        image = decode_bytes(Path(path).read_bytes(), scorer.decode_options())
        pixels = torch.from_numpy(image.pixels).permute(2, 0, 1)
        out.append(_Prepared(pixels, image))
    return out


def measure_all(scorer, items: list) -> None:
    for item in items:
        scorer._measure([item])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", default="../shared/data/livec-dev/images/*", help="glob of image files")
    ap.add_argument("--limit", type=int, default=32, help="the first N files (sorted)")
    ap.add_argument("--top", type=int, default=12, help="rows in each table")
    args = ap.parse_args()
    files = sorted(glob.glob(args.images))[: args.limit]
    if not files:
        raise SystemExit(f"no files match {args.images!r}")
    torch.set_num_threads(1)  # as in a CPU run: each decode worker measures on one thread
    scorer = vc_curate.load_scorer("classic", device="cpu")
    items = prepared(scorer, files)
    measure_all(scorer, items)  # warm-up: first-call costs are not what a long run pays

    t = time.perf_counter()
    measure_all(scorer, items)
    per_image = (time.perf_counter() - t) / len(items) * 1e3
    print(f"{len(items)} images from {args.images}: {per_image:.2f} ms per image to measure, one thread, "
          "unprofiled")

    profiler = cProfile.Profile()
    profiler.runcall(measure_all, scorer, items)
    stats = pstats.Stats(profiler)
    rows = [(cum / len(items) * 1e3, calls / len(items), f"{Path(file).stem}.{name}")
            for (file, _, name), (_, calls, _, cum, _) in stats.stats.items() if file.startswith(PACKAGE)]
    print("\nmeasure functions, cumulative ms per image (cProfile adds a little to each call):")
    for ms, calls, name in sorted(rows, reverse=True)[: args.top]:
        print(f"  {ms:7.2f} ms  {calls:6.1f} calls  {name}")

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        measure_all(scorer, items)
    events = prof.key_averages()
    calls = sum(e.count for e in events) / len(items)
    print(f"\ntorch operators: {calls:.0f} calls per image (views and nested calls included); by self time:")
    for e in sorted(events, key=lambda e: e.self_cpu_time_total, reverse=True)[: args.top]:
        ms = e.self_cpu_time_total / len(items) / 1e3
        print(f"  {ms:7.2f} ms  {e.count / len(items):6.1f} calls  {e.key}")


if __name__ == "__main__":
    main()

"""Throughput and peak memory of the classic scorer next to a bare one-thread PIL full decode and cleanvision,
on the same multi-megapixel JPEG photos, each measured in its own subprocess (peak RSS is per process).

    python benchmarks/bench_classic.py [--photos GLOB] [--limit N] [--passes 3] [--cleanvision-files 5]
                                       [--memory-sizes 1000,10000] [--workers N]

e.g. small files, where per-image overhead shows:
    python benchmarks/bench_classic.py --photos '../shared/data/livec-dev/images/*' --limit 200 --passes 1
"""

from __future__ import annotations

import argparse
import glob
import itertools
import json
import resource
import subprocess
import sys
import time


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_decode(files: list[str]) -> int:
    from PIL import Image

    for path in files:
        with Image.open(path) as im:
            im.convert("RGB").load()
    return len(files)


def run_scorer(scorer, files: list[str], n: int) -> int:
    stream = itertools.islice(itertools.cycle(files), n)  # a stream, never a list of n inputs
    errors = sum(rec.error is not None for rec in scorer.score_iter(stream))
    if errors:
        raise SystemExit(f"{errors} inputs failed to score")
    return n


def run_cleanvision(files: list[str]) -> int:
    from cleanvision import Imagelab

    Imagelab(filepaths=files, verbose=False).find_issues(verbose=False)
    return len(files)


def worker(kind: str, files: list[str], n: int, workers: int | None) -> None:
    """Child process: run one contender and print its figures as JSON (imports are not timed)."""
    if kind == "scorer":
        import vc_curate

        scorer = vc_curate.load_scorer("classic", workers=workers)
    t = time.perf_counter()
    if kind == "decode":
        done = run_decode(list(itertools.islice(itertools.cycle(files), n)))
    elif kind == "scorer":
        done = run_scorer(scorer, files, n)
    else:
        done = run_cleanvision(files[:n])
    elapsed = time.perf_counter() - t
    print(json.dumps({"images": done, "seconds": elapsed, "peak_rss_mb": _peak_rss_mb()}))


def measure(kind: str, files: list[str], n: int, workers: int | None = None) -> dict:
    pool = ["--workers", str(workers)] if workers else []
    out = subprocess.run([sys.executable, __file__, "--worker", kind, "--n", str(n), *pool, *files],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", default="../shared/data/photos/*.jpg", help="glob of JPEG photos")
    ap.add_argument("--limit", type=int, help="only the first N files (sorted)")
    ap.add_argument("--passes", type=int, default=2, help="times through the photos for the speed figures")
    ap.add_argument("--workers", type=int, help="the scorer's decode workers (default: one per core, at most 8)")
    ap.add_argument("--cleanvision-files", type=int, default=5, help="photos given to cleanvision (it is slow)")
    ap.add_argument("--memory-sizes", default="1000,10000",
                    help="input counts for the peak-memory check (0: none)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.files, args.n, args.workers)
        return
    files = sorted(glob.glob(args.photos))[: args.limit]
    if not files:
        raise SystemExit(f"no photos match {args.photos!r}")
    from PIL import Image

    mp = sum(Image.open(f).width * Image.open(f).height for f in files) / len(files) / 1e6
    n = len(files) * args.passes
    print(f"{len(files)} photos, {mp:.1f} megapixels on average; speed over {n} inputs")
    rows = [("bare PIL full decode, 1 thread", measure("decode", files, n)),
            ("classic scorer (vc-curate)", measure("scorer", files, n, args.workers))]
    try:
        import cleanvision  # noqa: F401
    except ImportError:
        print("cleanvision is not installed: skipped")
    else:
        rows.append((f"cleanvision (first {args.cleanvision_files})",
                     measure("cleanvision", files, args.cleanvision_files)))
    base = rows[0][1]["images"] / rows[0][1]["seconds"]
    print(f"{'':34}{'images/s':>10}{'x decode':>10}{'peak RSS MB':>13}")
    for name, r in rows:
        rate = r["images"] / r["seconds"]
        print(f"{name:34}{rate:10.2f}{rate / base:10.2f}{r['peak_rss_mb']:13.0f}")
    for size in [n for n in map(int, filter(None, args.memory_sizes.split(","))) if n > 0]:
        r = measure("scorer", files, size, args.workers)
        print(f"classic scorer peak RSS at {size:>6} inputs: {r['peak_rss_mb']:.0f} MB "
              f"({r['images'] / r['seconds']:.2f} images/s)")


if __name__ == "__main__":
    main()

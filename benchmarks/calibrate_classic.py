"""Print the classic scorer's calibration table: Spearman(severity, score) per degradation ladder, averaged
over source photos (the multi-megapixel ones in ../shared/data/photos and scikit-image's samples).

    python benchmarks/calibrate_classic.py [--photos 'GLOB'] [--no-samples] [--long-side N]
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

import vc_curate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's tests.support scaffolding
from tests.support.ladders import DEGRADATIONS, ladder_correlations  # noqa: E402

FIELDS = ("quality", "sharpness", "brightness", "noisiness", "contrast", "colorfulness")
SAMPLES = ("astronaut", "chelsea", "coffee", "rocket")  # natural photos shipped in scikit-image's wheel


def sources(pattern: str, samples: bool) -> dict[str, Image.Image]:
    out = {path.rsplit("/", 1)[-1]: Image.open(path).convert("RGB") for path in sorted(glob.glob(pattern))}
    if samples:
        import skimage.data

        out.update({name: Image.fromarray(getattr(skimage.data, name)()) for name in SAMPLES})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", default="../shared/data/photos/*.jpg", help="glob of source photos")
    ap.add_argument("--no-samples", action="store_true", help="leave out scikit-image's samples")
    ap.add_argument("--long-side", type=int, help="the scorer's working size (default: the scorer's own)")
    args = ap.parse_args()
    srcs = sources(args.photos, not args.no_samples)
    scorer = vc_curate.load_scorer("classic", **({"long_side": args.long_side} if args.long_side else {}))
    t = time.perf_counter()
    table = ladder_correlations(scorer, srcs, FIELDS)
    print(f"{len(srcs)} source photos, {time.perf_counter() - t:.0f} s; Spearman(severity, score), mean over sources")
    print(f"{'ladder':14}" + "".join(f"{f:>13}" for f in FIELDS) + "   worst quality")
    everything = []
    for deg in DEGRADATIONS:
        per = table[deg]
        everything += [v["quality"] for v in per.values()]
        worst = max(per, key=lambda s: per[s]["quality"])
        print(f"{deg:14}" + "".join(f"{np.mean([v[f] for v in per.values()]):13.3f}" for f in FIELDS)
              + f"   {per[worst]['quality']:.2f} ({worst})")
    print(f"{'all ladders':14}{np.mean(everything):13.3f}")


if __name__ == "__main__":
    main()

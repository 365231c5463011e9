"""Fit the classic scorer's quality model to human opinion on livec-dev and write the shipped parameters.

    python benchmarks/fit_classic.py [--data ../shared/data/livec-dev]
                                     [--out vc_curate/scorers/classic/params.json]

Only livec-dev is fitted on (agiqa3k-dev is for measuring; see its README). Prints the 5-fold cross-validated
agreement (folds by image) of the same fit first, so the file is never written without its figure.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import torch

import vc_curate
from vc_curate.evaluate.stats import pearson, spearman
from vc_curate.scorers.classic.fitting import cross_validated, fit, folds_by_image, inputs_of
from vc_curate.scorers.classic.quality import PARAMS_FILE

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "livec-dev")
    ap.add_argument("--out", type=Path, default=REPO / "vc_curate" / "scorers" / "classic" / PARAMS_FILE)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = list(csv.DictReader((args.data / "labels.csv").open()))
    scorer = vc_curate.load_scorer("classic", device="cpu")
    x, names = inputs_of(scorer, [args.data / r["filename"] for r in rows])
    y = torch.tensor([float(r["mos"]) for r in rows], dtype=torch.float64)
    pred = cross_validated(x, y, names, folds_by_image(len(y), 5))
    p, t = pred.numpy(), y.numpy()
    print(f"{len(y)} photos, {x.shape[1]} measured inputs and unnaturalness; 5-fold cross-validated Spearman "
          f"{float(spearman(p, t)):.3f}, Pearson {float(pearson(p, t)):.3f}")
    model = fit(x, y, names)
    args.out.write_text(json.dumps(model.to_dict(), separators=(",", ":")) + "\n")
    costs = ", ".join(f"{n[7:]} {model.defect_cost(n[7:]):.1f}" for n in names if n.startswith("defect:"))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB); full-strength defect costs: {costs}")


if __name__ == "__main__":
    main()

"""Tiny LLaVA and Qwen2-VL checkpoints (built offline by the lmm scorer's test builder) and labels tables:
a hand-made one over generated images, and a 24-image subset of the real AGIQA-3K dev labels."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import SHARED, encode, scene
from tests.support.lmm_checkpoints import build_checkpoint

AGIQA = SHARED / "data" / "agiqa3k-dev"


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("train-lmm")
    return {kind: str(build_checkpoint(kind, root / kind)) for kind in ("llava", "qwen2_vl")}


def write_csv(path, rows: list[dict]) -> str:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


@pytest.fixture(scope="session")
def labels_csv(tmp_path_factory) -> str:
    """12 generated images in two datasets on different MOS scales (1..5 and 0..100), with `filename`,
    `std`, the five attributes, `ai_generated` and some descriptions."""
    root = tmp_path_factory.mktemp("train-labels")
    (root / "images").mkdir()
    rows = []
    for i in range(12):
        name = f"images/scene{i}.png"
        (root / name).write_bytes(encode(scene((64 + 8 * (i % 3), 64), seed=i)))
        first = i < 6
        rank = i % 6
        rows.append({
            "filename": name, "dataset": "koniq-like" if first else "spaq-like",
            "mos": 1.0 + 0.8 * rank if first else 10.0 + 16.0 * rank, "std": 0.3 if first else 6.0,
            "brightness": 20 + 10 * rank, "colorfulness": 50, "contrast": 30 + 5 * rank, "sharpness": 10 * rank,
            "noisiness": 60 - 10 * rank, "ai_generated": i % 2,
            "description": "Sharp and well exposed." if rank == 5 else "",
        })
    return write_csv(root / "labels.csv", rows)


@pytest.fixture(scope="session")
def agiqa_csv(tmp_path_factory) -> str:
    """24 real AGIQA-3K images (6 per generator), `uri` pointing at them in place."""
    with open(AGIQA / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        pytest.fail(f"no labels in {AGIQA}: tests need ../shared beside the repository")
    picked: dict[str, list[dict]] = {}
    for row in rows:
        group = picked.setdefault(row["generator"], [])
        if len(group) < 6:
            group.append({"uri": str(AGIQA / "images" / row["filename"]), "mos": row["mos"], "std": row["std"],
                          "generator": row["generator"]})
    out = tmp_path_factory.mktemp("agiqa") / "labels.csv"
    return write_csv(out, [row for group in picked.values() for row in group])

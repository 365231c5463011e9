"""A small corpus on disk with every kind of input the job meets: good and poor images, broken files, a
WebDataset shard with sidecars, a Parquet table with an empty row, a corrupt shard and a non-image."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from PIL import Image

import vc_curate
from tests.conftest import encode, scene
from tests.vc_curate.hostile_files import write_tar


def good(seed: int, fmt: str = "JPEG") -> bytes:
    return encode(scene((160, 120), seed), fmt, **({"quality": 92} if fmt == "JPEG" else {}))


def poor(seed: int) -> bytes:
    return encode(scene((160, 120), seed).resize((20, 15)).resize((160, 120)), "JPEG", quality=30)


FLAT = encode(Image.new("RGB", (96, 64), (128, 128, 128)), "PNG")


@dataclass
class Corpus:
    """`expected`: uri -> "kept" | "rejected" | "errors" for every input; `keep_if` splits the scorable ones
    about in half by the bare library's own scores, so the test does not depend on the calibration."""

    root: Path
    expected: dict[str, str]
    threshold: float

    @property
    def keep_if(self) -> str:
        return f"quality >= {self.threshold!r}"

    def kind_of(self, data: bytes) -> str:
        [rec] = vc_curate.load_scorer("classic", device="cpu").score([("x", data)])
        return "errors" if rec.error else "kept" if rec.quality >= self.threshold else "rejected"


def split_point(values: list[float]) -> float:
    """Halfway between the two middle values: about half at or above, none equal to it."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return (ordered[mid - 1] + ordered[mid]) / 2


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    scorable = {"a.jpg": good(1), "b.png": good(2, "PNG"), "sub/c.jpg": good(4), "flat.png": FLAT,
                "blurred.jpg": poor(3), "shard.tar#0001.jpg": good(6), "table.parquet#0": good(7),
                "table.parquet#2": FLAT}
    for name in ("a.jpg", "b.png", "sub/c.jpg", "flat.png", "blurred.jpg"):
        (root / name).write_bytes(scorable[name])
    for name, data in (("broken.jpg", b"this is not an image"), ("truncated.jpg", good(5)[:200]),
                       ("corrupt.tar", b"\x00not a tar archive" * 40)):
        (root / name).write_bytes(data)
    (root / "notes.txt").write_text("not an input")
    write_tar(root / "shard.tar", [
        ("0001.jpg", scorable["shard.tar#0001.jpg"]),
        ("0001.json", json.dumps({"caption": "a scene"}).encode()),
        ("0002.jpg", b"garbage"), ("0002.json", json.dumps({"caption": "broken"}).encode()),
    ])
    pq.write_table(pa.table({"key": ["k0", "k1", "k2"], "url": ["u0", "u1", "u2"],
                             "jpg": [scorable["table.parquet#0"], b"", FLAT]}), root / "table.parquet")
    scores = vc_curate.load_scorer("classic", device="cpu").score(list(scorable.items()))
    threshold = split_point([r.quality for r in scores])
    expected = {f"{root}/{name}": "kept" if r.quality >= threshold else "rejected"
                for name, r in zip(scorable, scores)}
    for name in ("broken.jpg", "truncated.jpg", "corrupt.tar", "shard.tar#0002.jpg", "table.parquet#1"):
        expected[f"{root}/{name}"] = "errors"
    return Corpus(root, expected, threshold)


@pytest.fixture
def pipeline():
    """A real DirectRunner pipeline (Beam's default runner would try to download Prism)."""
    return TestPipeline(runner="DirectRunner")

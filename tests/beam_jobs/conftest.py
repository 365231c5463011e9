"""A small corpus on disk with every kind of input the job meets: good and poor images, broken files, a
WebDataset shard with sidecars, a Parquet table with an empty row, a corrupt shard and a non-image."""

from __future__ import annotations

import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from PIL import Image

from tests.conftest import encode, scene

KEEP_IF = "quality >= 25"  # the scenes score about 35-45 with the classic scorer, flat and blurred ones < 20


def good(seed: int, fmt: str = "JPEG") -> bytes:
    return encode(scene((160, 120), seed), fmt, **({"quality": 92} if fmt == "JPEG" else {}))


def poor(seed: int) -> bytes:
    return encode(scene((160, 120), seed).resize((20, 15)).resize((160, 120)), "JPEG", quality=30)


FLAT = encode(Image.new("RGB", (96, 64), (128, 128, 128)), "PNG")


def write_shard(path: Path, members: list[tuple[str, bytes]]) -> None:
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


@dataclass
class Corpus:
    root: Path
    expected: dict[str, str]  # uri -> "kept" | "rejected" | "errors"; every input of the corpus once


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    expected: dict[str, str] = {}

    def put(name: str, data: bytes, kind: str) -> None:
        (root / name).write_bytes(data)
        expected[str(root / name)] = kind

    put("a.jpg", good(1), "kept")
    put("b.png", good(2, "PNG"), "kept")
    put("sub/c.jpg", good(4), "kept")
    put("flat.png", FLAT, "rejected")
    put("blurred.jpg", poor(3), "rejected")
    put("broken.jpg", b"this is not an image", "errors")
    put("truncated.jpg", good(5)[:200], "errors")
    (root / "notes.txt").write_text("not an input")
    write_shard(root / "shard.tar", [
        ("0001.jpg", good(6)), ("0001.json", json.dumps({"caption": "a scene"}).encode()),
        ("0002.jpg", b"garbage"), ("0002.json", json.dumps({"caption": "broken"}).encode()),
    ])
    expected[f"{root}/shard.tar#0001.jpg"] = "kept"
    expected[f"{root}/shard.tar#0002.jpg"] = "errors"
    pq.write_table(pa.table({"key": ["k0", "k1", "k2"], "url": ["u0", "u1", "u2"],
                             "jpg": [good(7), b"", FLAT]}), root / "table.parquet")
    expected.update({f"{root}/table.parquet#0": "kept", f"{root}/table.parquet#1": "errors",
                     f"{root}/table.parquet#2": "rejected"})
    put("corrupt.tar", b"\x00not a tar archive" * 40, "errors")
    return Corpus(root, expected)


@pytest.fixture
def pipeline():
    """A real DirectRunner pipeline (Beam's default runner would try to download Prism)."""
    return TestPipeline(runner="DirectRunner")

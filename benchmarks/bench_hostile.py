"""Benchmark: time and peak memory of `vc-curate score` on each hostile input, next to a plain image scored
in the same run (the baseline: start-up, imports and the scorer's load are in every figure).

    python benchmarks/bench_hostile.py [--workers 2]

Each input is scored by its own `vc-curate score FILE --out OUT --quiet` process; memory is that process's
peak resident set (from wait4). Prints a Markdown table for docs/hardening.md.
"""

from __future__ import annotations

import argparse
import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

CLI = [sys.executable, "-c", "import sys; from vc_curate.cli.main import main; sys.exit(main())"]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(width: int = 640, height: int = 480) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _with(png: bytes, *chunks: bytes) -> bytes:
    return png[:33] + b"".join(chunks) + png[33:]


def _zeros_png(width: int, height: int, depth: int, colour: int) -> bytes:
    channels = {0: 1, 2: 3, 6: 4}[colour]
    row = b"\0" * (1 + -(-width * channels * depth // 8))
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _sparse_tar(folder: Path) -> Path:
    for name in "abcd":
        with open(folder / f"{name}.png", "wb") as f:
            f.truncate(2 << 30)
    subprocess.run(["tar", "-cSf", "sparse.tar", "a.png", "b.png", "c.png", "d.png"], cwd=folder, check=True)
    for name in "abcd":
        os.remove(folder / f"{name}.png")
    return folder / "sparse.tar"


def inputs(folder: Path) -> dict[str, Path]:
    png = _png()
    flipped = bytearray(png)
    flipped[png.index(b"IDAT") + 60] ^= 0xFF
    made = {
        "plain 640x480 PNG (baseline)": png,
        "zTXt of 1 MiB newlines (1.2 KB file)": _with(_png(8, 8), _chunk(b"zTXt", b"parameters\0\0"
                                                                    + zlib.compress(b"\n" * (1 << 20), 9))),
        "JPEG with a 60 KB comment of newlines": None,
        "zTXt bomb (64 MB inflated)": _with(png, _chunk(b"zTXt", b"c\0\0" + zlib.compress(b"A" * (64 << 20), 9))),
        "two 40 MB tEXt chunks": _with(png, _chunk(b"tEXt", b"a\0" + b"B" * (40 << 20)),
                                       _chunk(b"tEXt", b"b\0" + b"C" * (40 << 20))),
        "PNG with one IDAT byte flipped": bytes(flipped),
        "182 MP bilevel PNG": _zeros_png(13_500, 13_500, 1, 0),
        "16-bit RGBA PNG, 9000x9000 (1 MB file)": _zeros_png(9000, 9000, 16, 6),
        "16-bit RGBA PNG, 12000x12000 (refused)": _zeros_png(12_000, 12_000, 16, 6),
    }
    buf = io.BytesIO()
    Image.open(io.BytesIO(png)).save(buf, "JPEG", comment=b"\n" * 60_000)
    made["JPEG with a 60 KB comment of newlines"] = buf.getvalue()
    paths = {}
    for i, (name, data) in enumerate(made.items()):
        ext = ".jpg" if "JPEG" in name else ".png"
        paths[name] = folder / f"{i:02d}{ext}"
        paths[name].write_bytes(data)
    four = folder / "four"
    four.mkdir()
    for i in range(4):
        (four / f"{i}.png").write_bytes(made["16-bit RGBA PNG, 9000x9000 (1 MB file)"])
    paths["folder of four such 16-bit RGBA PNGs"] = four
    paths["tar of four sparse 2 GB members (10 KB)"] = _sparse_tar(folder)
    fifo = folder / "fifo.jpg"
    os.mkfifo(fifo)
    paths["FIFO named x.jpg"] = fifo
    return paths


def measure(path: Path, out: Path, workers: int) -> tuple[float, float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen([*CLI, "score", str(path), "--out", str(out), "--quiet", "--workers", str(workers)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    import pyarrow.parquet as pq
    rows = pq.read_table(out).to_pylist() if out.exists() else []
    outcomes = sorted({(r["error"] or f"scored, notes: {r.get('notes') or '-'}")[:80] for r in rows})
    outcome = f"{len(rows)} records: " + "; ".join(outcomes) if len(rows) > 1 else "; ".join(outcomes)
    return seconds, usage.ru_maxrss / 1024, outcome or f"exit {status >> 8}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| input | seconds | peak MB | record |\n|---|---:|---:|---|")
        for i, (name, path) in enumerate(inputs(folder).items()):
            seconds, peak, outcome = measure(path, folder / f"out{i}.parquet", args.workers)
            print(f"| {name} | {seconds:.1f} | {peak:,.0f} | {outcome} |", flush=True)


if __name__ == "__main__":
    main()

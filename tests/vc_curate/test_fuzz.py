"""Fuzzing: real images and containers, mutated (byte flips, truncations, chunk inflation), then read and scored.

Every mutant image gets exactly one record, every mutant container at least one and nothing else; each
mutant takes bounded time, and the whole run bounded memory. The seed and the count are fixed, so a failure
reproduces: `python -c "from tests.vc_curate.test_fuzz import fuzz; fuzz('/tmp/f', 0, 80)"`.
"""

from __future__ import annotations

import io
import json
import random
import resource
import struct
import subprocess
import sys
import tarfile
import time
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.conftest import encode, scene

SEED, COUNT = 20261130, 200
MAX_SECONDS_PER_MUTANT = 10.0  # a hang shows as minutes; scoring one small image takes milliseconds
MAX_PEAK_RSS_MB = 3000  # the fuzzing process, model included


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def seeds() -> dict[str, bytes]:
    """One real file per format and container, made by real encoders."""
    im = scene((96, 64), 3)
    png = encode(im, "PNG", pnginfo=_text_info())
    out = {"jpg": encode(im, "JPEG", quality=85, comment=b"Steps: 20, Sampler: Euler"), "png": png,
           "webp": encode(im, "WEBP", quality=80), "gif": encode(im.convert("P"), "GIF"),
           "tif": encode(im, "TIFF"), "bmp": encode(im, "BMP")}
    shard = io.BytesIO()
    with tarfile.open(fileobj=shard, mode="w") as tar:
        for name, data in (("k1.jpg", out["jpg"]), ("k1.json", b'{"caption": "x"}'), ("k2.png", png)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out["tar"] = shard.getvalue()
    table = io.BytesIO()
    pq.write_table(pa.table({"jpg": [out["jpg"], png], "key": ["a", "b"]}), table)
    out["parquet"] = table.getvalue()
    return out


def _text_info():
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7")
    return info


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["flip", "flip", "truncate", "inflate", "length"])
    buf = bytearray(data)
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del buf[rng.randrange(1, len(buf)):]
    elif kind == "inflate":  # a text chunk / comment / member that inflates to megabytes, spliced in
        filler = rng.choice([b"\n", b" ", b"A", b"Steps: 1, \n"]) * ((1 << 20) // 11 * rng.randint(1, 11))
        at = 33 if data.startswith(b"\x89PNG") else rng.randrange(2, len(buf))
        splice = (_chunk(b"zTXt", b"parameters\0\0" + zlib.compress(filler, 9)) if data.startswith(b"\x89PNG")
                  else b"\xff\xfe" + struct.pack(">H", 2 + min(len(filler), 60000)) + filler[:60000])
        buf[at:at] = splice
    else:  # a length or size field set huge
        at = rng.randrange(0, max(1, len(buf) - 4))
        buf[at:at + 4] = b"\x7f\xff\xff\xf0"
    return kind, bytes(buf)


def fuzz(folder: str, seed: int = SEED, count: int = COUNT) -> list[dict]:
    """Write `count` mutants to `folder`, score each on its own, and report records and seconds per mutant."""
    import vc_curate
    from vc_curate.inputs import expand_inputs

    rng = random.Random(seed)
    originals = seeds()
    scorer = vc_curate.load_scorer("classic", device="cpu", workers=2)
    Path(folder).mkdir(parents=True, exist_ok=True)
    results = []
    for i in range(count):
        ext = rng.choice(sorted(originals))
        how, data = mutate(originals[ext], rng)
        path = Path(folder) / f"m{i:03d}-{how}.{ext}"
        path.write_bytes(data)
        start = time.perf_counter()
        records = scorer.score(expand_inputs([str(path)]))
        results.append({"file": path.name, "container": ext in ("tar", "parquet"),
                        "uris": [r.uri for r in records], "seconds": time.perf_counter() - start})
    results.append({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    print(json.dumps(results))
    return results


def test_every_mutant_gets_its_records_in_bounded_time_and_memory(tmp_path):
    code = f"from tests.vc_curate.test_fuzz import fuzz; fuzz({str(tmp_path)!r}, {SEED}, {COUNT})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    *mutants, memory = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(mutants) == COUNT
    for m in mutants:
        path = str(tmp_path / m["file"])
        if m["container"]:
            assert m["uris"] and all(u == path or u.startswith(path + "#") for u in m["uris"]), m
        else:
            assert m["uris"] == [path], m
        assert m["seconds"] < MAX_SECONDS_PER_MUTANT, m
    assert memory["peak_rss_mb"] < MAX_PEAK_RSS_MB, memory

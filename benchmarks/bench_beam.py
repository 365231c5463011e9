"""Benchmark: `python -m beam_jobs.curate` (DirectRunner, multi-process mode, 2 workers) against the bare
library (`score_iter` + one Parquet file) on the same corpus, in one run; prints images/s and peak memory.

    python benchmarks/bench_beam.py [--copies 4 16] [--workers 2]

The corpus is N copies of ../shared/data/photos/*.jpg (real 0.7-16 megapixel photographs) in a temporary
folder; the classic scorer. Each side runs as its own process tree, timed from start to exit (imports and
scorer loading included); memory is the peak resident set of each process, sampled every 50 ms. With two
or more corpus sizes it also prints the marginal rate between the smallest and the largest, (n2 - n1) /
(t2 - t1), which cancels the fixed start-up cost (Beam's worker processes each import Beam and torch).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "photos"

BARE = """
import sys, pyarrow.parquet as pq, vc_curate
from vc_curate.inputs import expand_inputs
records = list(vc_curate.load_scorer("classic").score_iter(expand_inputs([sys.argv[1]])))
pq.write_table(vc_curate.records_to_table(records), sys.argv[2])
assert all(r.error is None for r in records), [r.error for r in records if r.error]
"""


def make_corpus(folder: Path, copies: int) -> int:
    photos = sorted(PHOTOS.glob("*.jpg"))
    if not photos:
        sys.exit(f"no photos in {PHOTOS}: the benchmark needs ../shared beside the repository")
    for c in range(copies):
        for photo in photos:
            shutil.copyfile(photo, folder / f"{c:03d}_{photo.name}")
    return copies * len(photos)


def measured(cmd: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS of the top process, peak RSS of its largest child) for one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    top, peaks, stop = psutil.Process(proc.pid), {}, threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                for p in [top, *top.children(recursive=True)]:
                    peaks[p.pid] = max(peaks.get(p.pid, 0), p.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode:
        sys.exit(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}):\n{err[-3000:]}")
    children = [rss for pid, rss in peaks.items() if pid != proc.pid]
    return wall, peaks.get(proc.pid, 0), max(children, default=0)


def run_both(tmp: Path, corpus: Path, workers: int) -> tuple[tuple, tuple]:
    bare = measured([sys.executable, "-c", BARE, str(corpus), str(tmp / "bare.parquet")])
    beam = measured([sys.executable, "-m", "beam_jobs.curate", "--input", str(corpus),
                     "--output_dir", str(tmp / "out"), "--keep_if", "quality >= 50",
                     "--runner", "DirectRunner", "--direct_num_workers", str(workers),
                     "--direct_running_mode", "multi_processing"])
    if len(list((tmp / "out").glob("*.parquet"))) < 3:
        sys.exit("the Beam job wrote no kept/rejected/errors files")
    return bare, beam


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[4, 16],
                        help="corpus sizes, in copies of the photos")
    parser.add_argument("--workers", type=int, default=2, help="DirectRunner worker processes")
    args = parser.parse_args()
    mib = 2**20
    print(f"{'images':>7} {'side':<30} {'wall s':>7} {'img/s':>7}  peak MiB")
    runs = []
    for copies in sorted(args.copies):
        with tempfile.TemporaryDirectory(prefix="bench_beam_") as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            n = make_corpus(corpus, copies)
            bare, beam = run_both(Path(tmp), corpus, args.workers)
        (wall_bare, rss_bare, _), (wall_beam, rss_main, rss_worker) = bare, beam
        print(f"{n:>7} {'bare library (score_iter)':<30} {wall_bare:>7.1f} {n / wall_bare:>7.2f}  "
              f"{rss_bare / mib:.0f}")
        side = f"beam DirectRunner x{args.workers} procs"
        print(f"{n:>7} {side:<30} {wall_beam:>7.1f} {n / wall_beam:>7.2f}  "
              f"{rss_worker / mib:.0f} per worker, {rss_main / mib:.0f} main")
        print(f"{n:>7} {'ratio beam / bare':<30} {'':>7} {wall_bare / wall_beam:>7.2f}", flush=True)
        runs.append((n, wall_bare, wall_beam))
    if len(runs) > 1:
        (n1, bare1, beam1), (n2, bare2, beam2) = runs[0], runs[-1]
        bare_rate, beam_rate = (n2 - n1) / (bare2 - bare1), (n2 - n1) / (beam2 - beam1)
        print(f"marginal {n1}->{n2} images: bare {bare_rate:.2f} img/s, beam {beam_rate:.2f} img/s, "
              f"ratio {beam_rate / bare_rate:.2f}")


if __name__ == "__main__":
    main()

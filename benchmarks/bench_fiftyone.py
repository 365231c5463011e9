"""The same samples through the `score_samples` operator and through the bare library, in one run.

    python benchmarks/bench_fiftyone.py [--n 1000] [--batch-size 16]

Starts a private mongod (scripts/fiftyone_db.py) unless FIFTYONE_DATABASE_URI is set. Images: the AGIQA-3K
dev JPEGs in ../shared/data, cycled to N samples. Goal: operator >= 0.8x the library's images/s.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import itertools
import json
import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO.parent / "shared" / "data" / "agiqa3k-dev" / "images"


def _fiftyone_db():
    spec = importlib.util.spec_from_file_location("fiftyone_db", REPO / "scripts" / "fiftyone_db.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(n: int, batch_size: int) -> dict:
    import fiftyone as fo
    import fiftyone.operators as foo

    import vc_curate

    paths = [str(p) for p in itertools.islice(itertools.cycle(sorted(IMAGES.glob("*.jpg"))), n)]
    for p in set(paths):  # warm the page cache so neither side pays the first read
        Path(p).read_bytes()

    scorer = vc_curate.load_scorer("classic", batch_size=batch_size)
    start = time.perf_counter()
    records = list(scorer.score_iter(paths))
    library_s = time.perf_counter() - start
    assert len(records) == n

    dataset = fo.Dataset()
    dataset.add_samples([fo.Sample(filepath=p) for p in paths])
    start = time.perf_counter()
    result = foo.execute_operator("@vc-curate/visualcritic/score_samples", dataset=dataset,
                                  params={"batch_size": batch_size})
    operator_s = time.perf_counter() - start
    result.raise_exceptions()
    assert dataset.count("vc_scorer") == n
    dataset.delete()
    return {
        "samples": n, "batch_size": batch_size, "cpus": os.cpu_count(),
        "library_images_per_s": round(n / library_s, 1), "operator_images_per_s": round(n / operator_s, 1),
        "operator_over_library": round(library_s / operator_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        if "FIFTYONE_DATABASE_URI" not in os.environ:
            os.environ.update(stack.enter_context(_fiftyone_db().private_mongod()))
        os.environ["FIFTYONE_PLUGINS_DIR"] = str(REPO)
        os.environ.setdefault("FIFTYONE_SHOW_PROGRESS_BARS", "false")
        print(json.dumps(run(args.n, args.batch_size), indent=2))


if __name__ == "__main__":
    main()

"""Rule evaluation speed: the Arrow-expression rules against the previous numpy/per-record code, same run.

    python benchmarks/bench_rules.py [--rows 1000000] [--sample 2000] [--old-commit 4d2e20f]

Builds a record table of `--rows` rows (1 % error records, 2 % null and 1 % NaN scores) and prints rows/s for:
the new `Rule.mask` over the whole table (what `vc-curate filter` and FiftyOne tagging do); the previous
commit's whole-table numpy mask (the old `filter`); the new Beam path (1,024-record batches of `Record`s to a
table to a mask) and the old Beam path (`Rule.matches`, a one-row table per record), both on `--sample`
records. The old code is read from `--old-commit` with `git show`, so run this inside the repository.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import types

import numpy as np
import pyarrow as pa

from beam_jobs.filtering import MAX_BATCH, compile_keep_if, records_table
from vc_curate.record import FIELDS, Record
from vc_curate.rules import compile_rule

RULES = (
    'quality >= 50 and authenticity != "ai-generated"',
    "(sharpness < 30 or noisiness > 60) and not (quality < 40) and width >= 512",
    "quality >= p80 and contrast > p20",
)


def record_table(rows: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)

    def score() -> pa.Array:
        values = rng.uniform(0, 100, rows).astype(np.float32)
        values[rng.random(rows) < 0.01] = np.nan
        return pa.array(values, mask=rng.random(rows) < 0.02)

    error = rng.random(rows) < 0.01
    columns = {
        "uri": pa.array([f"img/{i}.jpg" for i in range(rows)]),
        "width": pa.array(rng.integers(64, 4096, rows, dtype=np.int32)),
        "quality": score(), "sharpness": score(), "noisiness": score(), "contrast": score(),
        "authenticity": pa.array(rng.choice(["ai-generated", "photographic", "unknown"], rows)),
        "error": pa.array(np.where(error, "decode failed: truncated", None), pa.string()),
    }
    return pa.table(columns)


def rate(fn, rows: int, repeat: int = 3) -> float:
    """Rows per second: `rows` over the median of `repeat` timed calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return rows / statistics.median(times)


def old_rules(commit: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{commit}:vc_curate/rules.py"], capture_output=True, text=True,
                            check=True).stdout
    module = sys.modules["old_rules"] = types.ModuleType("old_rules")
    exec(compile(source, f"{commit}:vc_curate/rules.py", "exec"), module.__dict__)  # the project's own old code
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000, help="records for the per-record and Beam paths")
    parser.add_argument("--old-commit", default="4d2e20f", help="the commit with the previous vc_curate/rules.py")
    args = parser.parse_args()
    old = old_rules(args.old_commit)
    table = record_table(args.rows)
    sample = table.slice(0, args.sample)
    records = [Record.from_dict(row) for row in sample.to_pylist()]
    rows = [{name: row.get(name) for name in FIELDS} for row in sample.to_pylist()]
    print(f"{args.rows:,} rows; per-record and Beam paths on {args.sample:,}; rows/s (median of 3)")
    for text in RULES:
        new, previous = compile_rule(text, table.column_names), old.compile_rule(text, table.column_names)
        assert np.array_equal(new.mask(table), previous.mask(table)), text
        print(f"  {text}")
        whole_new, whole_old = rate(lambda: new.mask(table), args.rows), rate(lambda: previous.mask(table), args.rows)
        print(f"    whole table  Arrow expression {whole_new:14,.0f}   previous numpy mask {whole_old:12,.0f}"
              f"   x{whole_new / whole_old:.1f}")
        if new.uses_percentiles:
            continue  # the old Beam path gathered every record for these; `matches` refused them
        rule = compile_keep_if(text)

        def batches() -> None:
            for i in range(0, len(records), MAX_BATCH):
                rule.mask(records_table(records[i:i + MAX_BATCH], [*rule.fields, "error"]))

        per_batch = rate(batches, len(records))
        per_record = rate(lambda: [previous.matches(row) for row in rows], len(rows), repeat=1)
        print(f"    Beam         batches of {MAX_BATCH:,} {per_batch:14,.0f}   previous per record {per_record:12,.0f}"
              f"   x{per_batch / per_record:.0f}")


if __name__ == "__main__":
    main()

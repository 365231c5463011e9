"""A run refuses a non-empty `--output_dir` unless `--overwrite`, which replaces its earlier outputs."""

from __future__ import annotations

from apache_beam.io.filesystems import FileSystems

from beam_jobs.options import UsageError

KINDS = ("kept", "rejected", "errors", "skipped")


def _matches(pattern: str) -> list[str]:
    return [m.path for m in FileSystems.match([pattern])[0].metadata_list]


def prepare_output_dir(output_dir: str, overwrite: bool) -> None:
    """Refuse a folder that holds files; with `overwrite`, delete this job's earlier outputs (only those)."""
    existing = _matches(FileSystems.join(output_dir, "*"))
    if existing and not overwrite:
        raise UsageError(f"--output_dir {output_dir} is not empty ({len(existing)} files); choose a new"
                         " folder or pass --overwrite to replace its outputs")
    ours = [p for kind in KINDS for p in _matches(FileSystems.join(output_dir, f"{kind}-*.parquet"))]
    ours += _matches(FileSystems.join(output_dir, ".tmp-*"))
    if ours:
        FileSystems.delete(ours)

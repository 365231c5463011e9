"""Inputs that were dropped, misread or read whole: glob-like names, hard links, sparse members, big files."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import time

import pytest

import vc_curate
from tests.vc_curate.hostile_files import png
from vc_curate.inputs import ImageInput, expand_inputs, read_uri_bytes
from vc_curate.inputs.paths import MAX_BYTES_IN_FLIGHT


def test_a_path_that_exists_wins_over_glob_url_and_member_syntax(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = ["bracket[1].jpg", "c::d.jpg", "zip::a.jpg", "x.tar#y.jpg", "q?.png", "star*.png"]
    for i, name in enumerate(names):
        (tmp_path / name).write_bytes(png(i))
    items = list(expand_inputs(names))
    assert [i.uri for i in items] == [str(tmp_path / n) for n in names]
    records = vc_curate.load_scorer("classic", device="cpu").score(items)
    assert [r.error for r in records] == [None] * len(names)
    assert read_uri_bytes(str(tmp_path / "x.tar#y.jpg")) == png(3)


def _link_tar(path, members):
    with tarfile.open(path, "w") as tar:
        for name, data, target in members:
            info = tarfile.TarInfo(name)
            if target:
                info.type, info.linkname = tarfile.LNKTYPE, target
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def test_hard_linked_members_get_their_targets_bytes_or_an_error_naming_it(tmp_path):
    shard = tmp_path / "links.tar"
    _link_tar(shard, [("a.png", png(1), None), ("b.png", None, "a.png"), ("c.png", None, "a.png"),
                      ("d.png", None, "a.png"), ("e.png", None, "later.png"), ("later.png", png(2), None)])
    items = list(expand_inputs([str(shard)]))
    assert [i.uri.rsplit("#", 1)[1] for i in items] == ["a.png", "b.png", "c.png", "d.png", "e.png", "later.png"]
    assert [i.data == png(1) for i in items[:4]] == [True] * 4
    assert items[4].data is None and "hard link to 'later.png'" in items[4].error


@pytest.mark.skipif(shutil.which("tar") is None, reason="needs GNU tar to write sparse members")
def test_sparse_members_past_max_bytes_are_errors_never_read(tmp_path):
    for name in "abcd":
        with open(tmp_path / f"{name}.png", "wb") as f:
            f.truncate(2 << 30)  # 2 GB of holes: nothing on disk
    subprocess.run(["tar", "-cSf", "sparse.tar", "a.png", "b.png", "c.png", "d.png"], cwd=tmp_path, check=True)
    assert (tmp_path / "sparse.tar").stat().st_size < 20_000
    start = time.perf_counter()
    items = list(expand_inputs([str(tmp_path / "sparse.tar")]))
    assert time.perf_counter() - start < 5
    assert [i.data for i in items] == [None] * 4
    assert all("over the limit of 536,870,912 (raise it with --max-bytes)" in i.error for i in items)


def test_max_bytes_refuses_a_file_before_reading_it(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(png(1, (256, 256)))
    [rec] = vc_curate.load_scorer("classic", device="cpu", max_bytes=1000).score([str(big)])
    assert rec.error.startswith("read failed: TooLargeError:") and "--max-bytes" in rec.error
    [ok] = vc_curate.load_scorer("classic", device="cpu").score([str(big)])
    assert ok.error is None


def test_a_folder_tree_1100_levels_deep_is_walked(tmp_path):
    deep = str(tmp_path)
    for _ in range(1100):  # os.makedirs and pathlib recurse once per level
        deep += "/d"
        os.mkdir(deep)
    with open(deep + "/x.png", "wb") as f:
        f.write(png(1))
    try:
        assert [i.uri for i in expand_inputs([str(tmp_path)])] == [deep + "/x.png"]
    finally:  # pytest's own clean-up of tmp_path recurses once per level too
        os.remove(deep + "/x.png")
        while deep != str(tmp_path):
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def test_specs_that_name_nothing_get_an_error_record_each(tmp_path):
    (tmp_path / "ok.png").write_bytes(png(1))
    (tmp_path / "empty").mkdir()
    items = list(expand_inputs([str(tmp_path / "missing.png"), str(tmp_path / "ok.png"), str(tmp_path / "*.jpg"),
                                str(tmp_path / "empty")]))
    assert [i.error is None for i in items] == [False, True, False, False]
    assert all(i.error.startswith("read failed: nothing to score") for i in items if i.error)


def test_bytes_held_ahead_of_the_decoders_are_bounded_not_just_their_count():
    big = b"\0" * (64 << 20)  # one buffer shared by every input: the test itself stays small
    pulled = []

    def source():
        for i in range(40):
            pulled.append(i)
            yield ImageInput(uri=f"big{i}", data=big)

    scorer = vc_curate.load_scorer("classic", device="cpu", workers=2, batch_size=32)
    records = scorer.score_iter(source())
    next(records)
    assert len(pulled) <= 2 * (MAX_BYTES_IN_FLIGHT // len(big) + 1)  # a batch out, a window refilled; not 40
    assert len(list(records)) == 39


def test_many_images_under_one_key_are_not_all_held_for_a_sidecar(tmp_path, monkeypatch):
    import vc_curate.inputs.tar_source as tar_source
    monkeypatch.setattr(tar_source, "GROUP_BYTES", 3 * len(png(1)))
    shard = tmp_path / "one_key.tar"
    _link_tar(shard, [(f"k.{i}.png", png(1), None) for i in range(10)] + [("k.json", b'{"a": 1}', None)])
    items = tar_source.iter_tar_images(str(shard))
    first = next(items)  # yielded before the shard's end: the group was flushed early
    assert first.uri.endswith("#k.0.png") and first.extra == {}
    rest = list(items)
    assert len(rest) == 9 and rest[-1].extra == {"json": '{"a": 1}'}


def test_parquet_rows_are_read_in_batches_bounded_by_bytes(tmp_path, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    import vc_curate.inputs.parquet_source as parquet_source
    table = tmp_path / "t.parquet"
    pq.write_table(pa.table({"jpg": [png(i) for i in range(12)]}), table)
    monkeypatch.setattr(parquet_source, "BATCH_BYTES", 2 * len(png(0)))
    sizes = []
    real = pq.ParquetFile.iter_batches
    monkeypatch.setattr(pq.ParquetFile, "iter_batches",
                        lambda self, batch_size, **kw: sizes.append(batch_size) or real(self, batch_size, **kw))
    assert len(list(parquet_source.iter_parquet_images(str(table)))) == 12
    assert sizes and sizes[0] <= 3

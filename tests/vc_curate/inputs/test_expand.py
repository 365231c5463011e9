"""Input expansion over real files: folders, globs, fsspec memory://, WebDataset shards and Parquet tables."""

from __future__ import annotations

import io
import json
import tarfile

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import vc_curate
from tests.conftest import encode, scene
from vc_curate.inputs import expand_inputs, read_uri_bytes


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.jpg").write_bytes(encode(scene(), "JPEG"))
    (tmp_path / "sub" / "b.PNG").write_bytes(encode(scene(seed=1)))
    (tmp_path / "sub" / "deeper" / "no_extension").write_bytes(encode(scene(seed=2), "WEBP"))
    (tmp_path / "sub" / "notes.txt").write_text("not an image")
    (tmp_path / "sub" / "README").write_text("no extension, not an image")
    return tmp_path


def test_folder_is_recursive_by_extension_and_sniffing(folder):
    uris = [i.uri for i in expand_inputs([str(folder)])]
    assert uris == [str(folder / "a.jpg"), str(folder / "sub" / "b.PNG"),
                    str(folder / "sub" / "deeper" / "no_extension")]


def test_glob_and_explicit_files(folder, monkeypatch):
    monkeypatch.chdir(folder)
    uris = [i.uri for i in expand_inputs(["sub/*.PNG", "sub/notes.txt", "missing.jpg"])]
    # explicit files are inputs whatever they hold (the txt gets an error record), globs keep images only
    assert uris == [str(folder / "sub" / "b.PNG"), str(folder / "sub" / "notes.txt"), str(folder / "missing.jpg")]


def test_memory_filesystem():
    fs = fsspec.filesystem("memory")
    fs.pipe("/bucket/x/one.png", encode(scene()))
    fs.pipe("/bucket/x/two.jpg", encode(scene(seed=3), "JPEG"))
    items = list(expand_inputs(["memory://bucket/x"]))
    assert [i.uri for i in items] == ["memory:///bucket/x/one.png", "memory:///bucket/x/two.jpg"]  # fsspec canonical form
    records = vc_curate.load_scorer("classic", device="cpu").score(items)
    assert all(r.ok for r in records)


def _tar(path, members):
    with tarfile.open(path, "w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_webdataset_shard_members_and_sidecars(tmp_path):
    shard = tmp_path / "shard-000.tar"
    _tar(shard, [
        ("000001.jpg", encode(scene(), "JPEG")),
        ("000001.json", json.dumps({"caption": "a river", "width": 96}).encode()),
        ("000001.txt", b"a river"),
        ("000002.png", b"corrupt bytes"),
        ("000002.txt", b"broken"),
        ("000003.webp", encode(scene(seed=4), "WEBP")),
    ])
    items = list(expand_inputs([str(tmp_path)]))
    assert [i.uri for i in items] == [f"{shard}#000001.jpg", f"{shard}#000002.png", f"{shard}#000003.webp"]
    assert json.loads(items[0].extra["json"]) == {"caption": "a river", "width": 96}
    assert items[0].extra["txt"] == "a river" and items[1].extra == {"txt": "broken"} and items[2].extra == {}
    records = vc_curate.load_scorer("classic", device="cpu").score(items)
    assert [r.ok for r in records] == [True, False, True]
    assert read_uri_bytes(f"{shard}#000003.webp") == items[2].data


def test_truncated_shard_keeps_what_it_read_and_reports_the_rest(tmp_path):
    shard = tmp_path / "cut.tar"
    _tar(shard, [("a.jpg", encode(scene(), "JPEG")), ("b.jpg", encode(scene((400, 400), seed=1), "JPEG"))])
    data = shard.read_bytes()
    shard.write_bytes(data[: 512 + len(encode(scene(), "JPEG")) + 700])
    items = list(expand_inputs([str(shard)]))
    assert items[-1].error and "cannot read tar shard" in items[-1].error
    assert all(i.error is None for i in items[:-1])


def _img2dataset_table(n=4):
    rows = {
        "key": [f"{i:09d}" for i in range(n)],
        "url": [f"https://example.com/{i}.jpg" for i in range(n)],
        "caption": [f"caption {i}" for i in range(n)],
        "jpg": [encode(scene(seed=i), "JPEG") for i in range(n)],
        "width": [96] * n,
    }
    rows["jpg"][2] = None  # a failed download: no bytes
    return pa.table(rows)


def test_parquet_rows_carry_their_columns(tmp_path):
    path = tmp_path / "part-00000.parquet"
    pq.write_table(_img2dataset_table(), path, row_group_size=3)
    items = list(expand_inputs([str(path)]))
    assert [i.uri for i in items] == [f"{path}#{r}" for r in range(4)]
    assert items[1].extra == {"key": "000000001", "url": "https://example.com/1.jpg", "caption": "caption 1",
                              "width": 96}
    assert items[2].error and "no bytes" in items[2].error
    assert read_uri_bytes(f"{path}#3") == items[3].data  # crosses a row group
    records = vc_curate.load_scorer("classic", device="cpu").score(items)
    table = vc_curate.records_to_table(records)
    assert table.column("caption").to_pylist() == [f"caption {i}" for i in range(4)]
    assert table.column("src_width").to_pylist() == [96] * 4  # clashes with the record's width
    assert [r.ok for r in records] == [True, True, False, True]


def test_parquet_struct_image_column_and_choice(tmp_path):
    data = encode(scene(), "PNG")
    path = tmp_path / "hf.parquet"
    pq.write_table(pa.table({"image": [{"bytes": data, "path": "x.png"}], "label": [3],
                             "thumb": [data]}), path)
    [item] = expand_inputs([str(path)])
    assert item.data == data and item.extra == {"label": 3, "thumb": data, "image.path": "x.png"}
    [chosen] = expand_inputs([str(path)], image_column="thumb")
    assert chosen.data == data
    [bad] = expand_inputs([str(path)], image_column="label")
    assert "--image-column" in bad.error

"""The HTML report of real classic-scorer records: self-contained, histograms, galleries, errors."""

from __future__ import annotations

import base64
import io
import re
import tarfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from tests.conftest import encode, scene
from tests.vc_curate.evaluate.scored import SD_WEBUI_PNG, camera_jpeg, make_images, score_to_parquet
import vc_curate
from vc_curate.report import ReportError, build_report, read_scores, write_report


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    paths = make_images(folder / "images", 10)
    (folder / "images" / "camera.jpg").write_bytes(camera_jpeg(0))
    (folder / "images" / "empty.jpg").write_bytes(b"")
    (folder / "images" / "html.jpg").write_bytes(b"<html>404</html>")
    paths += [folder / "images" / name for name in ("camera.jpg", "empty.jpg", "html.jpg")]
    paths += [SD_WEBUI_PNG, folder / "images" / "gone.png"]
    score_to_parquet(paths, folder / "scores.parquet")
    return folder / "scores.parquet"


def sections(page: str) -> dict[str, str]:
    return dict(re.findall(r"<section><h2>(.*?)</h2>(.*?)</section>", page))


def test_report_is_one_self_contained_page(scores, tmp_path):
    out = tmp_path / "report.html"
    assert write_report(str(scores), str(out), top=3) == 15
    page = out.read_text()
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)  # nothing fetched from outside the file
    assert page.count("<svg") == 7  # six scores and ai_generated (the WebUI PNG and the camera JPEG have one)
    for src in re.findall(r'src="data:image/jpeg;base64,([^"]+)"', page):
        assert Image.open(io.BytesIO(base64.b64decode(src))).format == "JPEG"
    assert "<td>15</td>" in page and "3 (20.0%)" in page


def test_galleries_show_best_worst_and_most_likely_ai_with_critiques(scores):
    table = pq.read_table(scores)
    page = build_report(table, source=str(scores), top=3)
    parts = sections(page)
    assert set(parts) == {"Scores", "Best", "Worst", "Most likely AI-generated", "Errors"}
    ok = [r for r in table.to_pylist() if r["error"] is None and r["quality"] is not None]  # 1x1 PNG: none
    ranked = sorted(ok, key=lambda r: -r["quality"])
    assert re.findall(r'class="uri" title="([^"]+)"', parts["Best"]) == [r["uri"] for r in ranked[:3]]
    assert re.findall(r'class="uri" title="([^"]+)"', parts["Worst"]) == [r["uri"] for r in ranked[::-1][:3]]
    assert parts["Best"].count('<p class="critique">') == 3
    likely = re.findall(r'class="uri" title="([^"]+)"', parts["Most likely AI-generated"])
    assert likely == [str(SD_WEBUI_PNG), str(scores.parent / "images" / "camera.jpg")]
    assert "ai-generated (0.98)" in parts["Most likely AI-generated"]
    assert "Stable Diffusion WebUI" in parts["Most likely AI-generated"]


def test_errors_are_counted_and_grouped_by_kind(scores):
    errors = sections(build_report(pq.read_table(scores), top=2))["Errors"]
    assert "3 of 15 inputs could not be scored" in errors
    assert errors.count("<tr>") == 1 + 3  # header, and read (missing), decode (empty), decode (html) differ
    assert "gone.png" in errors


def test_images_that_moved_since_scoring_show_the_reason(scores, tmp_path):
    table = pq.read_table(scores)
    moved = table.set_column(0, "uri", pa.array([u.replace("/images/", "/moved/")
                                                 for u in table.column("uri").to_pylist()]))
    page = build_report(moved, top=2)
    assert "cannot show the image" in page and "No such file" in page


def test_thumbnails_of_shard_members_and_parquet_rows(tmp_path):
    shard = tmp_path / "shard.tar"
    with tarfile.open(shard, "w") as tar:
        for i in range(2):
            data = encode(scene((64, 48), seed=i), "JPEG")
            info = tarfile.TarInfo(f"{i:04d}.jpg")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    pq.write_table(pa.table({"jpg": [encode(scene((64, 48), seed=5), "PNG")], "key": ["k0"]}),
                   tmp_path / "part.parquet")
    inputs = vc_curate.expand_inputs([str(shard), str(tmp_path / "part.parquet")])
    table = vc_curate.records_to_table(vc_curate.load_scorer("classic").score(list(inputs)))
    assert any("#" in uri for uri in table.column("uri").to_pylist())
    page = build_report(table, top=2)
    assert page.count("data:image/jpeg;base64,") == 3 and "cannot show" not in page


def test_tables_that_are_not_scores_are_one_line_errors(tmp_path):
    with pytest.raises(ReportError, match="does not exist"):
        read_scores(str(tmp_path / "none.parquet"))
    pq.write_table(pa.table({"uri": ["a"], "mos": [1.0]}), tmp_path / "labels.parquet")
    with pytest.raises(ReportError, match="is not a scores table .*error, quality"):
        read_scores(str(tmp_path / "labels.parquet"))
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(ReportError, match="cannot read .* as Parquet") as caught:
        read_scores(str(tmp_path / "bad.parquet"))
    assert "\n" not in str(caught.value)


def test_an_empty_table_still_makes_a_page():
    page = build_report(vc_curate.records_to_table([]))
    assert "None: all 0 inputs were scored" in page and page.count("<svg") == 6

"""The HTML report of real classic-scorer records: self-contained, histograms, galleries, errors."""

from __future__ import annotations

import base64
import io
import re
import tarfile
import urllib.parse
from pathlib import Path

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
    (folder / "images" / "copy.png").write_bytes(paths[0].read_bytes())  # an exact duplicate
    paths += [SD_WEBUI_PNG, folder / "images" / "gone.png", folder / "images" / "copy.png"]
    score_to_parquet(paths, folder / "scores.parquet")
    return folder / "scores.parquet"


def sections(page: str) -> dict[str, str]:
    return dict(re.findall(r"<section><h2>(.*?)</h2>(.*?)</section>", page))


def shown_uris(section: str) -> list[str]:
    return re.findall(r'class="uri" title="([^"]+)"', section)


def test_report_is_one_self_contained_page(scores, tmp_path):
    out = tmp_path / "report.html"
    assert write_report(str(scores), str(out), top=3) == 16
    page = out.read_text()
    assert not re.search(r"""src=["'](?!data:)""", page)  # nothing fetched from outside the file
    assert page.count("<svg") == 7  # six scores and ai_generated (the WebUI PNG and the camera JPEG have one)
    for src in re.findall(r'src="data:image/jpeg;base64,([^"]+)"', page):
        assert Image.open(io.BytesIO(base64.b64decode(src))).format == "JPEG"
    assert "<td>16</td>" in page and "3 (18.8%)" in page


def test_galleries_show_highest_lowest_and_likely_ai_with_critiques(scores):
    table = pq.read_table(scores)
    page = build_report(table, source=str(scores), top=3)
    parts = sections(page)
    assert list(parts) == ["Scores", "Highest quality scores", "Lowest quality scores", "Likely AI-generated",
                           "By defect", "Exact duplicates", "Errors"]
    ok = [r for r in table.to_pylist() if r["error"] is None and r["quality"] is not None]  # 1x1 PNG: none
    ranked = sorted(ok, key=lambda r: -r["quality"])
    assert shown_uris(parts["Highest quality scores"]) == [r["uri"] for r in ranked[:3]]
    assert shown_uris(parts["Lowest quality scores"]) == [r["uri"] for r in ranked[::-1][:3]]
    assert f"quality {ranked[0]['quality']:.1f} to {ranked[2]['quality']:.1f}" in parts["Highest quality scores"]
    assert parts["Highest quality scores"].count('<p class="critique">') == 3
    # only the WebUI PNG is likely AI; the camera JPEG's low probability keeps it out
    assert shown_uris(parts["Likely AI-generated"]) == [str(SD_WEBUI_PNG)]
    assert ">ai-generated</span>" in parts["Likely AI-generated"] and ">P(AI) 0.98</span>" in page
    assert "Stable Diffusion WebUI" in parts["Likely AI-generated"]
    camera = next(r for r in ok if r["uri"].endswith("camera.jpg"))
    assert f">photographic</span><span class=\"pai\" title=\"probability that the image is AI-generated\">" \
           f"P(AI) {camera['ai_generated']:.2f}</span>" in build_report(table.slice(10, 1))


def test_every_score_has_one_decimal_and_images_link_to_their_files(scores):
    page = build_report(pq.read_table(scores), top=3)
    numbers = re.findall(r'<td class="num">([^<]+)</td>', sections(page)["Highest quality scores"])
    assert numbers and all(re.fullmatch(r"\d+\.\d", n) for n in numbers)
    assert all(re.fullmatch(r"\d+\.\d", q) for q in re.findall(r'<span class="q"[^>]*>([^<]+)</span>', page))
    assert all(re.fullmatch(r"median \d+\.\d", m) for m in re.findall(r">(median [^<]+)</text>", page)
               if "0." not in m[:9])
    links = re.findall(r'<a href="(file://[^"]+)" title="open the image"><img', page)
    assert links and all(Path(urllib.parse.unquote(link[7:])).is_file() for link in links)


def test_no_ai_section_without_ai_evidence(scores):
    table = pq.read_table(scores)
    keep = [i for i, uri in enumerate(table.column("uri").to_pylist()) if uri != str(SD_WEBUI_PNG)]
    page = build_report(table.take(keep), top=3)
    assert "Likely AI-generated" not in page and "Most likely" not in page
    assert "P(AI) 0." in page  # the camera JPEG still carries its probability


def test_exact_duplicates_are_listed_by_sha256(scores):
    duplicates = sections(build_report(pq.read_table(scores), top=2))["Exact duplicates"]
    assert "1 group of inputs with identical bytes" in duplicates and "1 copy beyond" in duplicates
    assert "img00.png" in duplicates and "copy.png" in duplicates and "img01.png" not in duplicates


def scored_record(uri: str, quality: float, defects: str | None) -> vc_curate.Record:
    return vc_curate.Record(uri=uri, sha256=uri, width=10, height=10, quality=quality, defects=defects,
                            scorer="test/1")


def test_by_defect_counts_images_per_defect_with_lowest_quality_examples():
    records = [scored_record("a.png", 20, "blur;noise"), scored_record("b.png", 60, "noise"),
               scored_record("c.png", 40, "noise;low-contrast"), scored_record("d.png", 80, ""),
               scored_record("e.png", 70, None), vc_curate.Record.failed("f.png", "read failed: gone")]
    part = sections(build_report(vc_curate.records_to_table(records), top=2))["By defect"]
    assert "Of 4 images checked for defects, 1 had none" in part
    counts = re.findall(r'<a href="#defect-([^"]+)">[^<]+</a></td><td class="num">(\d+)</td>', part)
    assert counts == [("noise", "3"), ("blur", "1"), ("low-contrast", "1")]
    noise = part[part.index('id="defect-noise"'):part.index('id="defect-blur"')]
    assert shown_uris(noise) == ["a.png", "c.png"]  # lowest quality first, at most `top`
    assert "noise · 3 images" in noise


def test_by_defect_says_when_the_scorer_names_none():
    records = [scored_record("a.png", 20, None)]
    part = sections(build_report(vc_curate.records_to_table(records)))["By defect"]
    assert "named no defects" in part


def test_errors_are_counted_and_grouped_by_kind(scores):
    errors = sections(build_report(pq.read_table(scores), top=2))["Errors"]
    assert "3 of 16 inputs could not be scored" in errors
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
    # every image in the best and worst grids, and again in the by-defect grids of a scorer that names defects
    assert page.count("data:image/jpeg;base64,") >= 3 and "cannot show" not in page


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
    assert "None: the input was scored" in build_report(vc_curate.records_to_table([scored_record("a", 1, "")]))

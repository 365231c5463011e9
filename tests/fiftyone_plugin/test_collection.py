"""score_collection on a real MongoDB: one result per sample, batched writes, skip and re-score."""

import fiftyone as fo
import pytest

import vc_curate
from vc_curate.fiftyone import OUTPUT_FIELDS, iter_score_collection, score_collection


@pytest.mark.slow
def test_every_sample_gets_a_result_like_the_bare_library(dataset, good_paths, bad_paths):
    final = score_collection(dataset)
    assert (final.done, final.total, final.errors) == (len(dataset), len(dataset), len(bad_paths))

    expected = {r.uri: r for r in vc_curate.load_scorer("classic").score(good_paths + bad_paths)}
    for sample in dataset:
        rec = expected[sample.filepath]
        for name in OUTPUT_FIELDS:
            want, got = getattr(rec, name), sample[f"vc_{name}"]
            assert got == want or abs(got - want) < 1e-4, (sample.filepath, name, got, want)
        if rec.error is None:
            assert 0 <= sample.vc_quality <= 100 and sample.vc_critique
            assert (sample.metadata.width, sample.metadata.height) == (rec.width, rec.height)
        else:
            assert sample.vc_quality is None and sample.metadata is None
    errors = dict(zip(*dataset.exists("vc_error").values(["filepath", "vc_error"])))
    assert sorted(errors) == sorted(bad_paths)
    assert errors[bad_paths[2]].startswith("read failed:") and errors[bad_paths[0]].startswith("decode failed:")
    assert dataset.get_field("vc_quality").description  # typed, described fields for the App


def test_writes_in_batches_and_reports_progress(dataset):
    steps = list(iter_score_collection(dataset, prefix="vcb", write_every=2))
    assert [p.done for p in steps] == [0, 2, 4, 6, 7]
    assert all(p.total == len(dataset) for p in steps) and steps[-1].fraction == 1.0
    assert dataset.count("vcb_scorer") == len(dataset)


def test_skip_scored_rescores_only_failures_and_clears_stale_values(dataset, bad_paths):
    score_collection(dataset)
    good = dataset.exists("vc_quality").first()
    good.vc_error = "stale"
    good.vc_quality = None
    good.save()
    again = score_collection(dataset, skip_scored=True)
    assert (again.total, again.skipped) == (len(bad_paths) + 1, len(dataset) - len(bad_paths) - 1)
    good.reload()
    assert good.vc_error is None and good.vc_quality is not None


def test_keeps_existing_metadata(dataset):
    dataset.compute_metadata()
    size = dataset.first().metadata.size_bytes
    score_collection(dataset[:1])
    assert dataset.first().metadata.size_bytes == size and dataset.first().metadata.width


def test_refuses_video_and_bad_prefix(dataset):
    video = fo.Dataset()
    video.add_sample(fo.Sample(filepath="/tmp/clip.mp4"))
    with pytest.raises(ValueError, match="image samples"):
        score_collection(video)
    video.delete()
    with pytest.raises(ValueError, match="prefix"):
        score_collection(dataset, prefix="bad prefix")


def test_metadata_is_complete_for_compute_metadata_users(dataset, good_paths):
    score_collection(dataset)
    for path in good_paths:
        metadata = dataset.match({"filepath": path}).first().metadata
        assert metadata == fo.ImageMetadata.build_for(path) and metadata.size_bytes and metadata.mime_type
    before = dataset.values("metadata")
    dataset.compute_metadata()  # nothing left for it to fill on scored samples
    assert dataset.values("metadata")[:len(good_paths)] == before[:len(good_paths)]


def test_skip_scored_rescores_records_of_another_scorer_version_unless_kept(dataset, bad_paths):
    score_collection(dataset)
    good = len(dataset) - len(bad_paths)
    old = dataset.exists("vc_quality").limit(2)
    old.set_values("vc_scorer", ["classic/0.0.1"] * 2)
    kept = score_collection(dataset, skip_scored=True, keep_other_versions=True)
    assert (kept.total, kept.skipped) == (len(bad_paths), good)
    assert dataset.count_values("vc_scorer")["classic/0.0.1"] == 2
    again = score_collection(dataset, skip_scored=True)
    assert (again.total, again.skipped) == (len(bad_paths) + 2, good - 2)
    assert "classic/0.0.1" not in dataset.distinct("vc_scorer")

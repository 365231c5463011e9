"""VisualCriticModel: bytes in through its GetItem, one dict of vc_* values out, never an exception."""

import sys

import numpy as np
import pytest

from vc_curate.fiftyone import VisualCriticModel


def test_get_item_and_predict_all_give_one_result_per_file(good_paths, bad_paths):
    model = VisualCriticModel("classic")
    get_item = model.build_get_item()
    items = model.collate_fn([get_item({"filepath": p}) for p in good_paths + bad_paths])
    assert items[0].data == open(good_paths[0], "rb").read()
    assert items[-1].error.startswith("read failed: FileNotFoundError")
    labels = model.predict_all(items)
    assert len(labels) == len(good_paths) + len(bad_paths)
    for lab in labels[:len(good_paths)]:
        assert 0 <= lab["quality"] <= 100 and lab["scorer"].startswith("classic/") and "error" not in lab
    for lab in labels[len(good_paths):]:
        assert lab["error"] and "quality" not in lab
    generated = labels[[p.endswith("sd_webui_parameters.png") for p in good_paths].index(True)]
    assert generated["authenticity"] == "ai-generated" and "png:" in generated["provenance"]  # bytes reached it


def test_predict_takes_an_array():
    pixels = (np.random.default_rng(0).random((64, 48, 3)) * 255).astype(np.uint8)
    assert 0 <= VisualCriticModel().predict(pixels)["quality"] <= 100


def torchvision_imports() -> bool:
    try:
        import torchvision  # noqa: F401
        return True
    except Exception:  # absent, or a build that does not match torch
        return False


@pytest.fixture
def importable_torchvision():
    """The real torchvision where it imports, else the import-only stand-in (see torchvision_stand_in.py).

    Only for the data-loader logic: the stand-in lets `fiftyone.utils.torch` import, and raises if anything
    calls into torchvision. Every module imported meanwhile is dropped afterwards, so no later test sees it.
    """
    if torchvision_imports():
        yield
        return
    from tests.fiftyone_plugin import torchvision_stand_in

    before = set(sys.modules)
    torchvision_stand_in.install()
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_apply_model_stores_vc_fields_with_an_error_for_unreadable_files(dataset, bad_paths, importable_torchvision):
    dataset.apply_model(VisualCriticModel(), label_field="vc", batch_size=2, num_workers=0)
    assert dataset.count("vc_scorer") == len(dataset)
    assert sorted(dataset.exists("vc_error").values("filepath")) == sorted(bad_paths)
    assert dataset.count("vc_quality") == len(dataset) - len(bad_paths)


@pytest.mark.skipif(torchvision_imports(), reason="torchvision imports here, so apply_model does not refuse")
def test_without_torchvision_apply_model_stops_at_once_pointing_at_score_collection(dataset):
    assert "torchvision" not in sys.modules  # the real environment, no stand-in
    with pytest.raises(ImportError) as caught:
        dataset.apply_model(VisualCriticModel(), label_field="vc")
    message = str(caught.value)
    assert "\n" not in message and "torchvision build that matches torch" in message
    assert "score_collection" in message
    assert "vc_scorer" not in dataset.get_field_schema()  # nothing was scored or written


def test_importing_vc_curate_does_not_import_fiftyone():
    import subprocess

    code = "import sys, vc_curate, vc_curate.cli.main; assert 'fiftyone' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0

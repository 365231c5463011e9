"""Tiny randomly initialised checkpoints of real architectures, built offline once per session, and scorers."""

from __future__ import annotations

import json
import warnings

import pytest

from tests.conftest import encode, scene
from tests.support.lmm_checkpoints import KINDS, build_checkpoint

PACKED_KINDS = tuple(k for k in KINDS if k not in ("qwen3_5", "mllama"))  # the rest cannot pack (the cached pass)


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("lmm")
    return {kind: str(build_checkpoint(kind, root / kind)) for kind in KINDS}


@pytest.fixture(scope="session")
def scorers(checkpoints):
    """One fp32 CPU scorer per architecture (loading is the slow part; tests must not change them)."""
    from vc_curate import load_scorer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {kind: load_scorer("lmm", model=path, device="cpu", dtype="float32", workers=2)
                for kind, path in checkpoints.items()}


@pytest.fixture(scope="session")
def short_recipe(tmp_path_factory) -> str:
    """The default recipe with a short critique cap, as a JSON recipe file (also exercises that path)."""
    from dataclasses import asdict

    from vc_curate.scorers.lmm.recipes import RECIPES

    data = asdict(RECIPES["visualcritic"]) | {"name": "short", "critique_tokens": 6}
    path = tmp_path_factory.mktemp("recipe") / "short.json"
    path.write_text(json.dumps(data))
    return str(path)


def mixed_images(n: int = 6) -> list[tuple[str, bytes]]:
    """Images of different sizes and aspect ratios (different sequence lengths for Qwen2-VL)."""
    sizes = [(96, 64), (64, 160), (200, 120), (56, 56), (150, 60), (120, 120), (80, 200), (64, 96)]
    return [(f"mem://scene{i}.png", encode(scene(sizes[i % len(sizes)], seed=i), "PNG")) for i in range(n)]

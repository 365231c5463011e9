"""ScorerModelHandler inside a real RunInference: one record per input, same fields as the bare scorer."""

from __future__ import annotations

import pickle

import apache_beam as beam
from apache_beam.ml.inference.base import RunInference
from apache_beam.testing.util import assert_that, equal_to

import vc_curate
from beam_jobs.handler import ScorerModelHandler
from tests.beam_jobs.conftest import FLAT, good
from vc_curate.inputs import ImageInput


def test_batch_size_comes_from_the_scorer_or_the_flag():
    default = ScorerModelHandler("classic").batch_elements_kwargs()
    size = vc_curate.registry.scorer_class("classic").default_batch_size  # declared by the scorer
    assert default == {"min_batch_size": size, "max_batch_size": size}
    handler = ScorerModelHandler("classic", batch_size=3, large_model=True)
    assert handler.batch_elements_kwargs()["max_batch_size"] == 3
    assert handler.share_model_across_processes()
    assert pickle.loads(pickle.dumps(handler)).scorer_options == {"batch_size": 3}


def summary(r):
    quality = round(r.quality, 3) if r.quality is not None else None
    return r.uri, r.sha256, quality, (r.error or "").split(":")[0], r.extra.get("caption")


def test_run_inference_scores_bytes_like_the_bare_library(pipeline):
    inputs = [ImageInput(f"mem/{i}.jpg", data=good(i), extra={"caption": f"c{i}"}) for i in range(5)]
    inputs += [ImageInput("mem/flat.png", data=FLAT), ImageInput("mem/broken.jpg", data=b"nope")]
    bare = vc_curate.load_scorer("classic").score(inputs)
    expected = [summary(r) for r in bare]
    with pipeline as p:
        records = (p | beam.Create(inputs)
                   | RunInference(ScorerModelHandler("classic", batch_size=3, device="cpu"))
                   | beam.Map(summary))
        assert_that(records, equal_to(expected))
    assert expected[-1][3] == "decode failed"

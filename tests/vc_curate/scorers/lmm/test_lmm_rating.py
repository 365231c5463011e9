"""The shared-prefix forward pass reads what separate per-question passes read, whatever the batch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from tests.conftest import scene
from tests.vc_curate.scorers.lmm.conftest import KINDS, mixed_images
from vc_curate.decode import decode_bytes
from vc_curate.record import SCORES
from vc_curate.scorers.lmm.batching import Backoff, buckets
from vc_curate.scorers.lmm.prompts import LEVEL_VALUES
from vc_curate.scorers.lmm.rating import _tree_mask, rate


def _naive(scorer, image: Image.Image, suffix) -> float:
    """The model card's way: the full prompt through the processor, one forward pass per question."""
    text = scorer.plan.prefix + scorer.processor.tokenizer.decode(list(suffix.ids))
    enc = scorer.processor(images=[image], text=[text], return_tensors="pt")
    with torch.inference_mode():
        logits = scorer.model(**enc).logits[0, -1].float()
    probs = logits[list(suffix.word_ids)].softmax(-1)
    if suffix.positives:
        return float(probs[:suffix.positives].sum())
    return float(probs @ torch.tensor(LEVEL_VALUES))


@pytest.mark.parametrize("kind", KINDS)
def test_prefix_and_suffixes_tokenize_as_the_whole_prompt(scorers, kind):
    scorer = scorers[kind]
    image = scene((120, 80))
    prepared = scorer.prepare(decode_bytes(_png(image)))
    for suffix in scorer.plan.levels + (scorer.plan.critique,):
        text = scorer.plan.prefix + scorer.processor.tokenizer.decode(list(suffix.ids))
        whole = scorer.processor(images=[image], text=[text], return_tensors="pt")["input_ids"][0]
        assert whole.tolist() == prepared.ids.tolist() + list(suffix.ids)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_one_pass_equals_one_forward_per_question(scorers, kind):
    scorer = scorers[kind]
    images = [scene((120, 80), seed=1), scene((64, 160), seed=2), scene((90, 90), seed=3)]
    decoded = [np.asarray(im) for im in images]
    prepared = [scorer.prepare(decode_bytes(_png(im))) for im in images]
    got = rate(scorer.model, prepared, scorer.plan.levels, scorer.pad_id)
    for image, pixels, values in zip(images, decoded, got):
        for suffix in scorer.plan.levels:
            assert values[suffix.field] == pytest.approx(_naive(scorer, Image.fromarray(pixels), suffix), abs=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_batch_1_and_batch_n_agree_and_runs_are_deterministic(scorers, kind):
    scorer = scorers[kind]
    inputs = mixed_images(7)
    one = scorer.score(inputs, batch_size=1)
    many = scorer.score(inputs, batch_size=7)
    again = scorer.score(inputs, batch_size=3)
    assert all(r.ok for r in one + many + again)
    for a, b, c in zip(one, many, again):
        for field in SCORES:
            assert abs(getattr(a, field) - getattr(b, field)) < 1e-3
            assert abs(getattr(a, field) - getattr(c, field)) < 1e-3
        assert abs(a.ai_generated - b.ai_generated) < 1e-5
    assert [r.to_dict() for r in scorer.score(inputs, batch_size=3)] == [r.to_dict() for r in again]


def test_tree_mask_keeps_questions_apart():
    seg = torch.tensor([[-1, 0, 0, 1, 1, 2, 2]])
    m = _tree_mask(seg)[0, 0]
    assert m[0].tolist() == [True] + [False] * 6  # a pad sees only itself (no empty row, no NaN)
    assert m[2].tolist() == [False, True, True, False, False, False, False]  # prefix: causal over the prefix
    assert m[4].tolist() == [False, True, True, True, True, False, False]  # question 1: prefix and itself
    assert m[6].tolist() == [False, True, True, False, False, True, True]  # question 2 does not see question 1


def test_buckets_group_similar_lengths_and_keep_every_index():
    lengths = [100, 510, 105, 500, 98, 1000]
    groups = buckets(lengths, max_rows=8)
    assert sorted(i for g in groups for i in g) == list(range(6))
    assert [sorted(g) for g in groups] == [[0, 2, 4], [1, 3], [5]]
    assert all(len(g) <= 2 for g in buckets(lengths, max_rows=2))


def test_backoff_halves_on_out_of_memory_and_loses_nothing():
    calls = []

    def fn(items):
        calls.append(len(items))
        if len(items) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated: more than 2 rows)")
        return [x * 10 for x in items]

    backoff = Backoff()
    assert backoff.run(list(range(7)), fn) == [x * 10 for x in range(7)]
    assert backoff.max_rows == 2
    calls.clear()
    assert backoff.run(list(range(5)), fn) == [0, 10, 20, 30, 40]
    assert max(calls) == 2  # later batches are split up front, not retried


def test_backoff_gives_up_at_one_row():
    def fn(items):
        raise torch.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(torch.OutOfMemoryError):
        Backoff().run([1, 2], fn)


def _png(image: Image.Image) -> bytes:
    from tests.conftest import encode

    return encode(image, "PNG")

"""The packed and cached passes read what separate per-question passes read, whatever the batch."""

from __future__ import annotations

import warnings

import pytest
import torch
from PIL import Image

from tests.conftest import scene
from tests.support.lmm_checkpoints import KINDS
from tests.vc_curate.scorers.lmm.conftest import PACKED_KINDS, PLAIN_KINDS, mixed_images
from vc_curate import load_scorer
from vc_curate.decode import decode_bytes
from vc_curate.record import SCORES
from vc_curate.scorers.lmm.batching import Backoff, buckets
from vc_curate.scorers.lmm.prompts import LEVEL_VALUES
from vc_curate.scorers.lmm.cached import encode_prefix, fork, rate_cached
from vc_curate.scorers.lmm.generation import generate
from vc_curate.scorers.lmm.rating import image_blocks, plain_index, rate, rate_plain, segments, tree_mask


def _naive(scorer, image: Image.Image, suffix) -> float:
    """The model card's way: the whole prompt through the processor, one unpadded forward pass per question."""
    text = scorer.plan.prefix + suffix.text
    enc = scorer.processor(images=[image], text=[text], add_special_tokens=scorer.plan.special, return_tensors="pt")
    with torch.inference_mode():
        logits = scorer.model(**enc).logits[0, -1].float()
    probs = logits[list(suffix.word_ids)].softmax(-1)
    if suffix.positives:
        return 100 * float(probs[:suffix.positives].sum())
    return float(probs @ torch.tensor(LEVEL_VALUES))


@pytest.mark.parametrize("kind", KINDS)
def test_prefix_and_suffixes_tokenize_as_the_whole_prompt_with_one_bos(scorers, kind):
    scorer = scorers[kind]
    image = scene((120, 80))
    prepared = scorer.prepare(decode_bytes(_png(image)))
    tok = scorer.processor.tokenizer
    for suffix in scorer.plan.levels + (scorer.plan.critique,):
        text = scorer.plan.prefix + suffix.text
        whole = scorer.processor(images=[image], text=[text], add_special_tokens=scorer.plan.special,
                                 return_tensors="pt")["input_ids"][0]
        assert whole.tolist() == prepared.ids.tolist() + list(suffix.ids)
    if tok.bos_token_id is not None:  # first, or first after the image (PaliGemma's layout)
        image = tok.convert_tokens_to_ids(scorer.processor.image_token)
        assert prepared.ids.tolist().count(tok.bos_token_id) == 1
        assert next(i for i in prepared.ids.tolist() if i != image) == tok.bos_token_id


@pytest.mark.parametrize("kind", ["idefics3", "gemma3"])
def test_templates_that_write_bos_are_not_given_a_second(scorers, kind):
    assert scorers[kind].plan.special is False
    assert scorers["llava"].plan.special is True  # LLaVA's template leaves BOS to the tokenizer


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_scores_equal_one_plain_forward_per_question(scorers, kind):
    """Every pass the family may use reads what the model card reads: the cached pass (the GPU's choice) where
    a prefix can be shared, the packed pass where the family packs (the CPU's choice, checked at load)."""
    scorer = scorers[kind]
    expected = rate if kind in PACKED_KINDS else rate_plain if kind in PLAIN_KINDS else rate_cached
    assert scorer.rate is expected  # fp32 on the CPU, no generation
    images = [scene((120, 80), seed=1), scene((64, 160), seed=2), scene((90, 90), seed=3)]
    prepared = [scorer.prepare(decode_bytes(_png(im))) for im in images]
    passes = ([rate_plain] if kind in PLAIN_KINDS else [rate_cached]) + ([rate] if kind in PACKED_KINDS else [])
    for rate_with in passes:
        got = rate_with(scorer.model, prepared, scorer.plan.levels, scorer.pad_id)
        for image, values in zip(images, got):
            for suffix in scorer.plan.levels:
                scale = 100 if suffix.positives else 1
                assert scale * values[suffix.field] == pytest.approx(_naive(scorer, image, suffix), abs=1e-3)


@pytest.mark.parametrize("kind", ["qwen2_vl", "gemma3", "qwen3_5", "mllama"])
def test_answers_generated_from_the_cached_prefix_equal_those_from_the_whole_prompt(scorers, kind):
    """M-RoPE positions, sliding windows, linear attention and cross-attention caches continue as the image
    encoded again would; the prefix's own cache is left as it was, for the next question."""
    scorer = scorers[kind]
    items = [scorer.prepare(decode_bytes(data)) for _, data in mixed_images(3)]
    whole = generate(scorer.model, scorer.processor, items, scorer.plan.critique, 8, scorer.pad_id)
    prefix = encode_prefix(scorer.model, items, scorer.pad_id)
    for _ in range(2):
        assert generate(scorer.model, scorer.processor, items, scorer.plan.critique, 8, scorer.pad_id,
                        prefix=prefix) == whole


def test_a_fork_copies_rows_and_leaves_the_cache_as_it_was(scorers):
    scorer = scorers["gemma3"]  # full and sliding-window layers
    items = [scorer.prepare(decode_bytes(data)) for _, data in mixed_images(2)]
    cache = encode_prefix(scorer.model, items, scorer.pad_id).cache
    before = [(layer.keys.clone(), layer.values.clone()) for layer in cache.layers]
    forked = fork(cache, torch.tensor([1, 1, 0]))
    for layer, (keys, values) in zip(forked.layers, before):
        assert torch.equal(layer.keys, keys[[1, 1, 0]]) and torch.equal(layer.values, values[[1, 1, 0]])
    for layer in forked.layers:  # what continuing a fork does to it
        layer.update(layer.keys[:, :, :1], layer.values[:, :, :1])
    for layer, (keys, values) in zip(cache.layers, before):
        assert torch.equal(layer.keys, keys) and torch.equal(layer.values, values)


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


@pytest.mark.parametrize("kind", ["qwen3_5", "mllama"])
def test_families_that_cannot_pack_use_the_cached_pass_without_a_warning(checkpoints, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scorer = load_scorer("lmm", model=checkpoints[kind], device="cpu", dtype="float32")
    assert scorer.rate is rate_cached


def test_a_prefix_lm_is_scored_plainly_with_one_warning(checkpoints):
    """PaliGemma's questions change how the prompt before them is read: no prefix can be shared."""
    with pytest.warns(UserWarning, match="one forward pass per question") as caught:
        scorer = load_scorer("lmm", model=checkpoints["paligemma"], device="cpu", dtype="float32")
    (message,) = [str(w.message) for w in caught if "lmm:" in str(w.message)]
    assert scorer.rate is rate_plain and "prefix-LM" in message and "the image is encoded for each question" in message


def test_generating_answers_prefers_the_cached_pass_on_the_cpu_too(checkpoints):
    """The prefix cache is made for the answers anyway, so the ratings read it instead of a packed pass."""
    scorer = load_scorer("lmm", model=checkpoints["llava"], device="cpu", dtype="float32", critique=True)
    assert scorer.rate is rate_cached


def test_a_failed_probe_switches_to_the_next_exact_pass_with_one_warning(checkpoints, scorers, monkeypatch):
    """A mask that lets questions read each other (as a changed transformers release might) is caught at load."""
    from vc_curate.scorers.lmm import rating

    leaky = rating.tree_mask
    monkeypatch.setattr(rating, "tree_mask", lambda seg, blocks=None: leaky(seg.clamp(max=1), blocks))
    with pytest.warns(UserWarning, match="differs from plain per-question passes on a probe image") as caught:
        scorer = load_scorer("lmm", model=checkpoints["llava"], device="cpu", dtype="float32")
    assert len([w for w in caught if "lmm:" in str(w.message)]) == 1
    assert "the cached pass is exact and used" in str(caught[0].message)
    assert scorer.rate is rate_cached
    inputs = mixed_images(2)
    for a, b in zip(scorer.score(inputs), scorers["llava"].score(inputs)):
        assert a.quality == pytest.approx(b.quality, abs=1e-3)


def test_when_no_shared_pass_is_exact_each_question_is_a_plain_pass(checkpoints, monkeypatch):
    from vc_curate.scorers.lmm import packing, rating

    def off(model, items, suffixes, pad_id):
        return [{f: v + 1.0 for f, v in values.items()} for values in rating.rate_plain(model, items, suffixes, pad_id)]

    monkeypatch.setattr(packing, "rate", off)
    monkeypatch.setattr(packing, "rate_cached", off)
    with pytest.warns(UserWarning, match="one forward pass per question .*the image is encoded for each question"):
        scorer = load_scorer("lmm", model=checkpoints["llava"], device="cpu", dtype="float32")
    assert scorer.rate is rate_plain


def test_tree_mask_keeps_questions_apart():
    seg = torch.tensor([[-1, 0, 0, 1, 1, 2, 2]])
    assert segments(torch.tensor([2]), torch.tensor([2, 2]), 7).tolist() == seg.tolist()
    m = tree_mask(seg)[0, 0]
    assert m[0].tolist() == [True] + [False] * 6  # a pad sees only itself (no empty row, no NaN)
    assert m[2].tolist() == [False, True, True, False, False, False, False]  # prefix: causal over the prefix
    assert m[4].tolist() == [False, True, True, True, True, False, False]  # question 1: prefix and itself
    assert m[6].tolist() == [False, True, True, False, False, True, True]  # question 2 does not see question 1


def test_image_tokens_attend_both_ways_within_their_block():
    types = torch.tensor([[0, 0, 1, 1, 1, 0, 0]])
    blocks = image_blocks(types)
    assert blocks.tolist() == [[-1, -1, 1, 1, 1, -1, -1]]
    m = tree_mask(segments(torch.tensor([6]), torch.tensor([1]), 7), blocks)[0, 0]
    assert m[2].tolist() == [True, True, True, True, True, False, False]  # sees the whole image, not beyond
    assert m[1].tolist() == [True, True, False, False, False, False, False]  # text before stays causal


def test_plain_index_counts_each_question_from_the_end_of_its_prefix():
    index = plain_index(torch.tensor([2, 3]), torch.tensor([2, 1]), 6)
    assert index[0, 1:].tolist() == [0, 1, 2, 3, 2]
    assert index[1].tolist() == [0, 1, 2, 3, 4, 3]


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

"""What each stage asks and expects, on a tiny model's real tokenizer and chat template; and that training
reads the very rating-word probabilities the `lmm` scorer reads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vc_curate.scorers.lmm.loading import load_processor
from vc_curate.scorers.lmm.prompts import LEVEL_VALUES, plan_prompts
from vc_curate.scorers.lmm.recipes import RECIPES
from vc_curate.scorers.lmm.scorer import processor_long_side
from vc_curate.training.labels import read_label_set
from vc_curate.training.losses import level_moments
from vc_curate.training.normalise import normalise
from vc_curate.training.sequences import Encoder, ImageCache, collate, forward_logits
from vc_curate.training.stages import STAGES, Instruction, Multifunctional, Relativity

RECIPE = RECIPES["visualcritic"]


@pytest.fixture(scope="module")
def processor(checkpoints):
    return load_processor(checkpoints["llava"])


def test_relativity_asks_which_of_two_images_of_one_group_is_better(labels_csv, processor):
    labels = read_label_set(labels_csv)
    step = Relativity(labels, RECIPE, processor).plan(np.random.default_rng(0), 6)
    assert len(step.turns) == 18 and len(step.pairs) == 6
    for a, b, p in step.pairs:
        dialogue = step.turns[a - 1]
        first, second = dialogue.images
        assert labels.groups[first] == labels.groups[second]
        assert dialogue.answer == ("first." if labels.mos[first] > labels.mos[second] else "second.")
        assert (p > 0.5) == (labels.mos[first] > labels.mos[second])
        assert step.turns[a].images == (first,) and step.turns[b].images == (second,)
        assert step.turns[a].choices and not step.turns[a].target and not step.turns[a].answer


def test_multifunctional_targets_are_the_normalised_labels(labels_csv, processor):
    labels = read_label_set(labels_csv)
    stage = Multifunctional(labels, RECIPE, processor)
    step = stage.plan(np.random.default_rng(0), 64)
    quality = normalise(labels.mos, labels.groups)
    asked = set()
    for turn in step.turns:
        row = turn.images[0]
        if turn.question == RECIPE.authenticity.question:
            asked.add("ai_generated")
            expected = stage.yes_target if labels.ai_generated[row] == 1 else stage.no_target
            assert turn.target == expected and sum(turn.target) == 1
            continue
        field = next(q.field for q in RECIPE.ratings if q.question == turn.question)
        asked.add(field)
        value = quality[row] if field == "quality" else normalise(labels.attributes[field], labels.groups)[row]
        assert np.dot(turn.target, LEVEL_VALUES) == pytest.approx(value)
        assert turn.choices == stage.ratings[field].choices
    assert asked == {"quality", "brightness", "colorfulness", "contrast", "sharpness", "noisiness", "ai_generated"}


def test_multifunctional_without_attributes_or_authenticity_asks_quality_only(agiqa_csv, processor):
    step = Multifunctional(read_label_set(agiqa_csv, "generator"), RECIPE, processor).plan(np.random.default_rng(0), 20)
    assert {t.question for t in step.turns} == {RECIPE.ratings[0].question}


def test_instruction_mixes_prompts_and_uses_the_labels_descriptions(labels_csv, processor):
    labels = read_label_set(labels_csv)
    step = Instruction(labels, RECIPE, processor).plan(np.random.default_rng(0), 200)
    assert all(t.answer for t in step.turns) and len({t.question for t in step.turns}) > 15
    described = [t for t in step.turns if t.answer == "Sharp and well exposed."]
    assert described and all(labels.descriptions[t.images[0]] for t in described)
    composed = [t for t in step.turns if t.answer.endswith("quality overall.") or "quality overall. It is" in t.answer]
    assert composed  # images without a description get one composed from their labels
    assert any(t.answer in ("Yes.", "No.") for t in step.turns)
    assert any(t.answer.startswith("The quality of this image is ") for t in step.turns)


def test_number_recipes_are_refused(labels_csv, processor):
    with pytest.raises(ValueError, match="level-word recipe"):
        Multifunctional(read_label_set(labels_csv), RECIPES["visualcritic-number"], processor)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["llava", "qwen2_vl"])
def test_training_reads_exactly_what_the_scorer_reads(checkpoints, labels_csv, kind):
    from vc_curate import load_scorer

    labels = read_label_set(labels_csv)
    scorer = load_scorer("lmm", model=checkpoints[kind], device="cpu", dtype="float32", workers=1)
    stage = STAGES["relativity"](labels, scorer.recipe, scorer.processor)
    encoder = Encoder(scorer.processor, scorer.recipe.system,
                      ImageCache(labels.uris, processor_long_side(scorer.processor.image_processor)))
    step = stage.plan(np.random.default_rng(0), 3)  # rows of one and two images, padded to one width
    rope = hasattr(scorer.model.model, "get_rope_index")
    with torch.no_grad():
        logits = forward_logits(scorer.model, collate([encoder.encode(t) for t in step.turns], encoder.pad_id, rope))
    rows = [i for i, t in enumerate(step.turns) if t.choices]
    mean, _ = level_moments(logits, rows, step.turns)
    records = scorer.score([labels.uris[step.turns[i].images[0]] for i in rows])
    np.testing.assert_allclose(mean.numpy() * 100, [r.quality for r in records], atol=1e-3)


@pytest.mark.parametrize("name", ["visualcritic", "q-sit"])
def test_training_targets_the_level_tokens_the_scorer_reads(labels_csv, processor, name):
    """Also for words read as each tokenizes alone (`q-sit`): the tokens taught are the tokens scored."""
    stage = Multifunctional(read_label_set(labels_csv), RECIPES[name], processor)
    scored = {s.field: s.word_ids for s in plan_prompts(RECIPES[name], processor).levels}
    assert {f: r.choices for f, r in stage.ratings.items()} == {f: scored[f] for f in stage.ratings}

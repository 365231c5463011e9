"""Published critics' recipes: each renders the authors' prompt exactly, and its rule gives the authors' number."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import pytest
import torch

from tests.conftest import encode, scene
from tests.vc_curate.scorers.lmm.conftest import mixed_images
from vc_curate import load_scorer
from vc_curate.decode import decode_bytes
from vc_curate.scorers.lmm.generation import sample
from vc_curate.scorers.lmm.prompts import plan_prompts, render
from vc_curate.scorers.lmm.rating import read_levels
from vc_curate.scorers.lmm.recipes import RECIPES, parse_number

# VisualQuality-R1 (Wu et al., 2025), as its authors' README prompts Qwen2.5-VL-7B, with add_vision_id=True.
VQ_R1_CHAT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
    "Picture 1: <|vision_start|><|image_pad|><|vision_end|>"
    "You are doing the image quality assessment task. Here is the question: What is your overall rating on the "
    "quality of this picture? The rating should be a float between 1 and 5, rounded to two decimal places, with 1 "
    "representing very poor quality and 5 representing excellent quality. First output the thinking process in "
    "<think> </think> tags and then output the final answer with only one score in <answer> </answer> tags."
    "<|im_end|>\n<|im_start|>assistant\n"
)
# Q-Align (Wu et al., ICML 2024): "How would you rate the quality of this image?", answered
# "The quality of the image is <level>", here through a general instruction model's template (Qwen2.5-VL).
# Q-Insight (Li et al., NeurIPS 2025), as its authors' demo prompts Qwen2.5-VL-7B: system prompt, then the
# question before the image.
Q_INSIGHT_CHAT = (
    "<|im_start|>system\nA conversation between User and Assistant. The user asks a question, and the Assistant "
    "solves it. The assistant first thinks about the reasoning process in the mind and then provides the user with "
    "the answer. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, "
    "respectively, i.e., <think> reasoning process here </think><answer> answer here </answer><|im_end|>\n"
    "<|im_start|>user\nWhat is your overall rating on the quality of this picture? The rating should be a float "
    "between 1 and 5, rounded to two decimal places, with 1 representing very poor quality and 5 representing "
    'excellent quality. Return the final answer in JSON format with the following keys: "rating": The score.'
    "<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n<|im_start|>assistant\n"
)
# Q-ReAlign (Q-Future, 2026; Qwen3.5), as its authors' README scores with Qwen3.5's template: Q-Align's question
# after the image, thinking off (as the authors train and evaluate), the stem right after the empty thinking block.
Q_REALIGN_CHAT = (
    "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>How would you rate the quality of this image?"
    "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nThe quality of the image is"
)
# Q-SiT (Zhang et al., 2025; LLaVA-OneVision), as its authors' README scores: their prompt (" \n" line breaks
# included), the image written first by the family's template, then the stem "The quality of this image is ".
Q_SIT_CHAT = (
    "<|im_start|>user <image>\nAssume you are an image quality evaluator. \nYour rating should be chosen from the "
    "following five categories: Excellent, Good, Fair, Poor, and Bad (from high to low). \nHow would you rate the "
    "quality of this image?<|im_end|>\n<|im_start|>assistant\nThe quality of this image is "
)
Q_ALIGN_CHAT = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
    "<|vision_start|><|image_pad|><|vision_end|>How would you rate the quality of this image?<|im_end|>\n"
    "<|im_start|>assistant\nThe quality of the image is"
)


def test_visualquality_r1_renders_the_authors_prompt(scorers):
    plan = plan_prompts(RECIPES["visualquality-r1"], scorers["qwen2_5_vl"].processor)
    (quality,) = plan.numbers
    assert plan.prefix + quality.text == VQ_R1_CHAT


def test_q_insight_renders_the_authors_prompt_text_before_the_image(scorers):
    plan = plan_prompts(RECIPES["q-insight"], scorers["qwen2_5_vl"].processor)
    (quality,) = plan.numbers
    assert quality.whole and quality.text == Q_INSIGHT_CHAT


@pytest.mark.parametrize("answer, expected", [
    ('<think>Noisy sky.</think><answer>```json\n{"rating": 3.40}\n```</answer>', 60.0),
    ('<answer>{"rating": 2}</answer> <answer>{"rating": 4.25}</answer>', 81.25),
])
def test_q_insight_reads_the_rating_of_the_json_answer(answer, expected):
    (question,) = RECIPES["q-insight"].ratings
    assert parse_number(answer, question) == pytest.approx(expected)


def test_q_insight_without_a_rating_key_is_unparsable():
    (question,) = RECIPES["q-insight"].ratings
    with pytest.raises(ValueError, match='no "rating" number'):
        parse_number('<answer>{"score": 4}</answer>', question)


def test_text_first_questions_are_asked_as_whole_prompts_and_records_stand(checkpoints, tmp_path):
    import json
    from dataclasses import asdict

    data = asdict(RECIPES["q-insight"]) | {"name": "q-insight-short", "number_tokens": 4}
    path = tmp_path / "q.json"
    path.write_text(json.dumps(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = load_scorer("lmm", model=checkpoints["qwen2_5_vl"], device="cpu", dtype="float32", recipe=str(path))
    one, many = scorer.score(mixed_images(3), batch_size=1), scorer.score(mixed_images(3), batch_size=3)
    for a, b in zip(one, many):  # a random model writes no JSON: null with a note, the same for every batch size
        assert a.ok and a.quality is None and "quality: unparsable answer" in a.notes
        assert (b.quality, b.notes) == (a.quality, a.notes) and b.ai_generated == pytest.approx(a.ai_generated)


def test_q_align_renders_the_authors_question_and_stem(scorers):
    plan = plan_prompts(RECIPES["q-align"], scorers["qwen2_5_vl"].processor)
    quality = next(s for s in plan.levels if s.field == "quality")
    assert plan.prefix + quality.text == Q_ALIGN_CHAT
    assert [s.field for s in plan.levels] == ["quality", "ai_generated"]  # attributes are not invented


@pytest.mark.parametrize("answer, expected", [
    ("<think>Sharp, but 2 regions are noisy.</think> <answer>3.72</answer>", 68.0),
    ("<answer>2</answer> on reflection <answer>4.50</answer>", 87.5),  # the last answer counts
    ("<think>first 1 then 5</think><answer> 1.00 </answer>", 0.0),
])
def test_visualquality_r1_reads_the_number_in_the_last_answer(answer, expected):
    (question,) = RECIPES["visualquality-r1"].ratings
    assert parse_number(answer, question) == pytest.approx(expected)


@pytest.mark.parametrize("answer", ["<think>It is a 4</think> 4", "<answer>good</answer>", "<answer>7</answer>"])
def test_visualquality_r1_without_a_rating_in_its_answer_is_unparsable(answer):
    (question,) = RECIPES["visualquality-r1"].ratings
    with pytest.raises(ValueError, match="unparsable answer"):
        parse_number(answer, question)


def test_q_align_rule_is_the_expected_level_of_five_words(scorers):
    plan = plan_prompts(RECIPES["q-align"], scorers["qwen2_5_vl"].processor)
    quality = plan.levels[0]
    logits = torch.full((1, 1, 5000), -1e4)
    # P(excellent)=0.5, P(good)=0.25, P(fair)=0.25: Q-Align's weights 5,4,3 -> 4.25 on 1..5 -> 81.25 on 0..100
    for word_id, p in zip(quality.word_ids, (0.5, 0.25, 0.25)):
        logits[0, 0, word_id] = math.log(p)
    assert read_levels(logits, (quality,), 1)[0]["quality"] == pytest.approx(81.25)


def test_quality_only_recipe_leaves_attributes_null(checkpoints):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = load_scorer("lmm", model=checkpoints["qwen2_5_vl"], device="cpu", dtype="float32", recipe="q-align")
    (rec,) = scorer.score(mixed_images(1))
    assert rec.ok and 0 <= rec.quality <= 100 and rec.brightness is None and rec.noisiness is None
    assert rec.critique.endswith("quality overall.")
    assert set(scorer.fields) == {"quality", "ai_generated", "critique"}  # it says what it fills


def test_sampled_answers_are_seeded_from_the_image(scorers):
    scorer = scorers["qwen2_5_vl"]
    plan = plan_prompts(RECIPES["visualquality-r1"], scorer.processor)
    how = replace(RECIPES["visualquality-r1"].ratings[0], samples=2)
    a, b = (scorer.prepare(decode_bytes(encode(scene((96, 64), seed=s), "PNG"))) for s in (1, 2))
    first = sample(scorer.model, scorer.processor, a, plan.numbers[0], 6, how, scorer.pad_id)
    torch.manual_seed(123)  # the global random state plays no part
    assert sample(scorer.model, scorer.processor, a, plan.numbers[0], 6, how, scorer.pad_id) == first
    assert sample(scorer.model, scorer.processor, b, plan.numbers[0], 6, how, scorer.pad_id) != first


def test_q_realign_renders_the_authors_prompt_with_thinking_off(scorers):
    processor = scorers["qwen3_5"].processor
    plan = plan_prompts(RECIPES["q-realign"], processor)
    quality = plan.levels[0]
    assert plan.prefix + quality.text == Q_REALIGN_CHAT
    assert [s.field for s in plan.levels] == ["quality", "ai_generated"]  # attributes are not invented
    # the authors read each word's first token of " " + word
    tok = processor.tokenizer
    assert tok.convert_ids_to_tokens(list(quality.word_ids)) == ["Ġexcellent", "Ġgood", "Ġfair", "Ġpoor", "Ġbad"]


def test_q_sit_renders_the_authors_prompt(scorers):
    processor = scorers["llava_onevision"].processor
    plan = plan_prompts(RECIPES["q-sit"], processor)
    quality = plan.levels[0]
    assert plan.prefix + quality.text == Q_SIT_CHAT
    # The authors list their text before the image; the family's template writes images first either way.
    (question,) = RECIPES["q-sit"].ratings
    assert render(processor, question.question, stem=question.stem, text_first=True) == Q_SIT_CHAT
    # The stem's trailing space is a token of its own; the words are read as each tokenizes alone, capitalised.
    tok = processor.tokenizer
    assert tok.convert_ids_to_tokens(list(quality.ids[-2:])) == ["Ġis", "Ġ"]
    assert tok.convert_ids_to_tokens(list(quality.word_ids)) == ["Excellent", "Good", "Fair", "Poor", "Bad"]


def test_q_realign_rule_is_the_weighted_level_of_five_words(scorers):
    (quality, _) = plan_prompts(RECIPES["q-realign"], scorers["qwen3_5"].processor).levels
    logits = torch.full((1, 1, 5000), -1e4)
    logits[0, 0, quality.ids[0]] = 50.0  # any other token, however likely, plays no part
    # P(excellent)=0.6, P(good)=0.3, P(bad)=0.1: weights 1, .75, .5, .25, 0 -> 0.825 -> 82.5 on 0..100
    for word_id, p in zip(quality.word_ids[:2] + quality.word_ids[4:], (0.6, 0.3, 0.1)):
        logits[0, 0, word_id] = math.log(p)
    assert read_levels(logits, (quality,), 1)[0]["quality"] == pytest.approx(82.5)


def test_q_sit_rule_is_the_softmax_of_the_five_logits_weighted(scorers):
    (quality, _) = plan_prompts(RECIPES["q-sit"], scorers["llava_onevision"].processor).levels
    logits = torch.full((1, 1, 5000), -1e4)
    # raw logits Excellent 2, Good 1, Fair 0, Poor -1, Bad -3: softmax 0.6411, 0.2359, 0.0868, 0.0319, 0.0043,
    # weighted 1, .75, .5, .25, 0 -> 0.8694 on 0..1 (the authors' scale) -> 86.94 on 0..100
    for word_id, logit in zip(quality.word_ids, (2.0, 1.0, 0.0, -1.0, -3.0)):
        logits[0, 0, word_id] = logit
    assert read_levels(logits, (quality,), 1)[0]["quality"] == pytest.approx(86.939, abs=1e-3)


def _authors_q_realign(model, processor, image) -> float:
    """Q-ReAlign's README loop: the chat template, the stem appended, one forward pass, five words weighted."""
    question = {"type": "text", "text": "How would you rate the quality of this image?"}
    messages = [{"role": "user", "content": [{"type": "image"}, question]}]
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False, enable_thinking=False)
    inputs = processor(text=[text + "The quality of the image is"], images=[image], return_tensors="pt")
    ids = [processor.tokenizer(" " + w, add_special_tokens=False).input_ids[0]
           for w in ("excellent", "good", "fair", "poor", "bad")]
    probs = model(**inputs).logits[0, -1, ids].softmax(-1)
    return float(probs @ torch.tensor([1.0, 0.75, 0.5, 0.25, 0.0]))


def _authors_q_sit(model, processor, image) -> float:
    """Q-SiT's README loop: text before the image, the stem's ids appended, five capitalised words weighted."""
    (question,) = RECIPES["q-sit"].ratings
    conversation = [{"role": "user", "content": [{"type": "text", "text": question.question}, {"type": "image"}]}]
    prompt = processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
    inputs = processor(images=image, text=prompt, return_tensors="pt")
    stem = processor.tokenizer("The quality of this image is ", return_tensors="pt")["input_ids"]
    inputs["input_ids"] = torch.cat([inputs["input_ids"], stem], dim=-1)
    inputs["attention_mask"] = torch.ones_like(inputs["input_ids"])
    ids = [i[0] for i in processor.tokenizer(["Excellent", "Good", "Fair", "Poor", "Bad"])["input_ids"]]
    probs = model(**inputs).logits[0, -1, ids].softmax(-1)
    return float(probs @ torch.tensor([1.0, 0.75, 0.5, 0.25, 0.0]))


@pytest.mark.parametrize("kind, name, authors", [("qwen3_5", "q-realign", _authors_q_realign),
                                                 ("llava_onevision", "q-sit", _authors_q_sit)])
def test_recipe_scores_what_the_authors_loop_scores(checkpoints, kind, name, authors):
    """The scorer's quality (0..100) is the authors' own loop's score (0..1) on the same model and image."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scorer = load_scorer("lmm", model=checkpoints[kind], device="cpu", dtype="float32", recipe=name)
    images = [scene((120, 80), seed=1), scene((64, 96), seed=2)]
    prepared = [scorer.prepare(decode_bytes(encode(im, "PNG"))) for im in images]
    got = scorer.rate(scorer.model, prepared, scorer.plan.levels, scorer.pad_id)
    with torch.inference_mode():
        expected = [100 * authors(scorer.model, scorer.processor, im) for im in images]
    assert [g["quality"] for g in got] == pytest.approx(expected, abs=1e-3)
    (rec,) = scorer.score(mixed_images(1))
    assert rec.ok and 0 <= rec.quality <= 100 and rec.brightness is None and rec.notes is None


@pytest.mark.parametrize("name", ["visualcritic", "visualcritic-number", "q-align"])
def test_recipes_read_straight_after_the_stem_render_with_thinking_off(scorers, name):
    """A model that can think (Qwen3.5) would otherwise answer inside an open <think> block."""
    plan = plan_prompts(RECIPES[name], scorers["qwen3_5"].processor)
    for question in plan.levels + plan.numbers:
        text = plan.prefix + question.text
        assert "<think>\n\n</think>\n\n" in text and not text.rstrip().endswith("<think>"), text[-200:]


def test_template_options_reach_only_templates_that_read_them(scorers):
    """A recipe's `enable_thinking` on a template without thinking is left out: transformers 5 took it for a
    processor argument and logged a warning on every prompt."""
    seen = []
    for kind in ("qwen2_vl", "qwen3_5"):
        processor = scorers[kind].processor
        calls = []
        original = processor.apply_chat_template

        def spy(*args, _original=original, _calls=calls, **kwargs):
            _calls.append(kwargs)
            return _original(*args, **kwargs)

        processor.apply_chat_template = spy
        try:
            render(processor, "How good is it?", options=(("enable_thinking", False),))
        finally:
            del processor.apply_chat_template
        seen.append("enable_thinking" in calls[0])
    assert seen == ["enable_thinking" in str(scorers[k].processor.chat_template) for k in ("qwen2_vl", "qwen3_5")]
    assert seen[1]  # the thinking model's template still gets it

"""Recipes as data: level words, their first tokens per tokenizer, numeric answers, JSON recipes."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import pytest

from vc_curate.scorers.lmm.prompts import first_tokens, plan_prompts
from vc_curate.scorers.lmm.recipes import RECIPES, Number, parse_number, recipe_for, recipe_from_json
from tests.support.lmm_checkpoints import KINDS


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", list(RECIPES))
def test_every_question_has_five_distinct_first_tokens(scorers, kind, name):
    processor = scorers[kind].processor
    plan = plan_prompts(RECIPES[name], processor)
    tok = processor.tokenizer
    for s in plan.levels:
        if s.field == "ai_generated":
            assert s.positives >= 1 and len(s.word_ids) > s.positives
            continue
        assert len(set(s.word_ids)) == 5, (s.field, tok.convert_ids_to_tokens(list(s.word_ids)))
    levels = [s for s in plan.levels if s.field != "ai_generated"]
    if name == "visualcritic":
        quality = next(s for s in levels if s.field == "quality")
        # the token as the tokenizer writes the word after the stem: with its leading-space marker
        assert tok.convert_ids_to_tokens(list(quality.word_ids))[0] in ("▁excellent", "Ġexcellent")


def test_words_sharing_a_first_token_are_refused(scorers):
    tok = scorers["qwen2_vl"].processor.tokenizer
    with pytest.raises(ValueError, match="start with the same token"):
        first_tokens(tok, "The brightness of this image is", ("very high", "high", "medium", "low", "very low"),
                     "brightness")


def test_default_recipe_per_family():
    assert recipe_for("qwen2_vl").name == "visualcritic"
    assert recipe_for("some_new_family").name == "visualcritic"
    assert recipe_for("llava", "visualcritic-number").name == "visualcritic-number"
    paligemma = recipe_for("paligemma")  # the same questions, with a chat template (PaliGemma ships none)
    assert paligemma.name == "visualcritic-paligemma" and paligemma.chat_template
    assert paligemma.ratings == recipe_for("llava").ratings
    with pytest.raises(ValueError, match="unknown recipe"):
        recipe_for("llava", "nope")


def test_recipe_from_json_and_its_errors(tmp_path):
    path = tmp_path / "mine.json"
    q = {"question": "Q?", "stem": "It is", "words": ["a", "b", "c", "d", "e"]}
    ratings = [dict(q, field=f) for f in ("quality", "brightness", "colorfulness", "contrast", "sharpness")]
    ratings.append({"field": "noisiness", "question": "Noise 0-10?", "low": 0, "high": 10})
    data = {"ratings": ratings, "critique": "Describe.",
            "authenticity": {"question": "AI?", "positive": ["Yes"], "negative": ["No"]}}
    path.write_text(json.dumps(data))
    recipe = recipe_for("llava", str(path))
    assert recipe.name == "mine" and isinstance(recipe.ratings[-1], Number) and recipe.chat_template is None
    path.write_text(json.dumps(data | {"chat_template": "{{ messages }}"}))
    assert recipe_from_json(path).chat_template == "{{ messages }}"
    path.write_text(json.dumps({"ratings": ratings[:2], **{k: data[k] for k in ("critique", "authenticity")}}))
    assert [r.field for r in recipe_from_json(path).ratings] == ["quality", "brightness"]  # the rest stay null
    for wrong in (ratings[1:], ratings + ratings[:1], [*ratings, dict(q, field="colour")]):
        path.write_text(json.dumps({"ratings": wrong, **{k: data[k] for k in ("critique", "authenticity")}}))
        with pytest.raises(ValueError, match="must rate quality and, once each"):
            recipe_from_json(path)
    path.write_text(json.dumps({"ratings": ratings}))
    with pytest.raises(ValueError, match="missing or malformed"):
        recipe_from_json(path)


@pytest.mark.parametrize("name", list(RECIPES))
def test_every_built_in_recipe_round_trips_through_json(tmp_path, name):
    """A built-in recipe written out as JSON reads back the same (words read alone, template options included)."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(asdict(RECIPES[name])))
    assert replace(recipe_from_json(path), families=RECIPES[name].families) == RECIPES[name]


@pytest.mark.parametrize("answer, expected", [("4", 75.0), ("Score: 3.", 50.0), ("5/5", 100.0), ("1", 0.0),
                                              (" 2.5 out of 5", 37.5), ("On a scale from 1 to 5: 4", 75.0),
                                              ("3 (1-5)", 50.0)])
def test_parse_number_reads_the_rating_not_the_scale(answer, expected):
    q = Number("quality", "Rate 1-5", "", 1.0, 5.0)
    assert parse_number(answer, q) == pytest.approx(expected)


@pytest.mark.parametrize("answer", ["excellent", "between 3 and 4? 3, maybe 4", "2024 photos, 9/10"])
def test_parse_number_refuses_answers_without_one_rating(answer):
    with pytest.raises(ValueError, match="unparsable answer"):
        parse_number(answer, Number("quality", "Rate 1-5", "", 1.0, 5.0))

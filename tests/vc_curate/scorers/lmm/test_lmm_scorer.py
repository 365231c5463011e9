"""The lmm scorer through its public API: loading, records, authenticity, critiques, adapters, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.conftest import SHARED, encode, scene
from tests.support.lmm_checkpoints import KINDS
from tests.vc_curate.scorers.lmm.conftest import mixed_images
from vc_curate import load_scorer
from vc_curate.decode import open_image
from vc_curate.provenance import read_evidence
from vc_curate.record import SCORES
from vc_curate.options import option_specs
from vc_curate.scorers.lmm import LMMScorer
from vc_curate.scorers.lmm.loading import ModelLoadError

PROVENANCE = SHARED / "fixtures" / "provenance"


def test_options_are_the_documented_names():
    options = [spec.name for spec in option_specs(LMMScorer.Options)]
    for name in ("model", "revision", "adapter", "dtype", "critique", "trust_remote_code", "recipe",
                 "image_min_pixels", "image_max_pixels", "device", "batch_size", "workers", "max_pixels",
                 "watermarks", "c2pa_trust_anchors"):
        assert name in options


@pytest.mark.parametrize("kind", KINDS)
def test_records_scores_authenticity_and_bad_inputs(scorers, kind):
    scorer = scorers[kind]
    inputs = mixed_images(2) + [("mem://broken.jpg", b"<html>404</html>")]
    good, other, bad = scorer.score(inputs)
    for rec in (good, other):
        assert rec.error is None and rec.scorer == scorer.version
        assert all(0 <= getattr(rec, f) <= 100 for f in SCORES)
        assert 0 < rec.ai_generated < 1
        assert rec.provenance == f"lmm:{rec.ai_generated:.2f}"
        assert rec.authenticity == ("ai-generated" if rec.ai_generated >= 0.5 else "photographic")
        assert rec.critique.endswith(".") and "quality overall" in rec.critique  # composed from the scores
    assert (good.width, good.height) == (96, 64)
    assert bad.error.startswith("decode failed") and bad.quality is None and bad.scorer == scorer.version


def test_version_names_model_and_revision(scorers):
    assert scorers["qwen2_vl"].version.startswith("lmm/") and "qwen2_vl@local" in scorers["qwen2_vl"].version


def test_decode_size_follows_the_processor(scorers):
    assert scorers["llava"].decode_options().long_side == 112  # 56 px crop: allow a 2:1 aspect ratio
    assert scorers["qwen2_vl"].decode_options().long_side == 224  # a budget of 112*112 pixels
    assert scorers["llava_next"].decode_options().long_side == 112  # its largest tiling, 2x2 tiles of 56 px


@pytest.mark.parametrize("name", ["sd_webui_parameters.png", "no_manifest.jpg"])
def test_explicit_provenance_wins_over_the_model(scorers, name):
    data = (PROVENANCE / name).read_bytes()
    evidence = read_evidence(data, open_image(data))
    (rec,) = scorers["qwen2_vl"].score([(name, data)])
    model_item = next(i for i in rec.provenance.split(";") if i.startswith("lmm:"))
    model_p = float(model_item[4:])
    if evidence.ai_generated is not None:
        assert rec.ai_generated == pytest.approx(evidence.ai_generated)
    else:
        assert rec.ai_generated == pytest.approx(model_p, abs=0.005)
    assert rec.provenance.split(";")[:len(evidence.items)] == list(evidence.items)


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_generated_critiques_are_batched_greedy_and_capped(checkpoints, short_recipe, kind):
    scorer = load_scorer("lmm", model=checkpoints[kind], device="cpu", critique=True, recipe=short_recipe)
    assert scorer.version.endswith("recipe=short")
    inputs = mixed_images(3)
    one = scorer.score(inputs, batch_size=1)
    many = scorer.score(inputs, batch_size=3)
    assert [r.critique for r in one] == [r.critique for r in many]
    longest = max(len(scorer.processor.tokenizer.decode([i])) for i in range(len(scorer.processor.tokenizer)))
    for rec in many:  # random tokens need not re-tokenize alike, so the cap is checked in characters
        assert rec.ok and rec.critique
        assert len(rec.critique) <= 6 * longest


@pytest.mark.slow
def test_an_unparsable_answer_nulls_its_field_with_a_note_not_the_record(checkpoints):
    scorer = load_scorer("lmm", model=checkpoints["llava"], device="cpu", recipe="visualcritic-number")
    records = scorer.score(mixed_images(2), batch_size=2)
    assert len(records) == 2
    for rec in records:  # a random model rarely answers with a number: parsed, or null with a note
        assert rec.ok and 0 < rec.ai_generated < 1
        for field in SCORES:
            assert getattr(rec, field) is not None or f"{field}: unparsable answer" in rec.notes


def test_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist; point --model at a local folder"):
        load_scorer("lmm", model=str(tmp_path / "nowhere"), device="cpu")


def test_unreachable_hub_id_says_what_to_do(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # no network here; skip retries
    with pytest.raises(ModelLoadError, match="point --model at a local folder"):
        load_scorer("lmm", model="no-such-org/no-such-critic", device="cpu")


def test_pickled_weights_are_refused(checkpoints, tmp_path):
    from safetensors.torch import load_file

    src = Path(checkpoints["llava"])
    for f in src.iterdir():
        if f.suffix != ".safetensors":
            (tmp_path / f.name).write_bytes(f.read_bytes())
    torch.save(load_file(src / "model.safetensors"), tmp_path / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="only \\*.safetensors weights are loaded"):
        load_scorer("lmm", model=str(tmp_path), device="cpu")


def test_unknown_recipe_is_a_value_error(checkpoints):
    with pytest.raises(ValueError, match="unknown recipe"):
        load_scorer("lmm", model=checkpoints["llava"], device="cpu", recipe="nope")


@pytest.mark.slow
def test_lora_adapter_changes_the_scores(checkpoints, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForImageTextToText

    base = AutoModelForImageTextToText.from_pretrained(checkpoints["llava"])
    peft = get_peft_model(base, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    peft.save_pretrained(tmp_path / "adapter")
    inputs = mixed_images(2)
    plain = load_scorer("lmm", model=checkpoints["llava"], device="cpu").score(inputs)
    tuned_scorer = load_scorer("lmm", model=checkpoints["llava"], device="cpu", adapter=str(tmp_path / "adapter"))
    tuned = tuned_scorer.score(inputs)
    assert tuned_scorer.version.endswith("+adapter")
    assert all(r.ok for r in tuned)
    assert any(abs(a.quality - b.quality) > 1e-4 for a, b in zip(plain, tuned))


def test_adapter_without_safetensors_is_refused(checkpoints, tmp_path):
    (tmp_path / "adapter_config.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="no adapter_model.safetensors"):
        load_scorer("lmm", model=checkpoints["llava"], device="cpu", adapter=str(tmp_path))


def test_pixel_budget_option_bounds_visual_tokens_and_decode_size(checkpoints):
    import warnings

    from vc_curate.decode import decode_bytes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = load_scorer("lmm", model=checkpoints["qwen2_5_vl"], device="cpu", image_max_pixels=56 * 56)
        default = load_scorer("lmm", model=checkpoints["qwen2_5_vl"], device="cpu")
    assert small.decode_options().long_side == 112 < default.decode_options().long_side == 224
    data = mixed_images(1)[0][1]
    tokens = [len(s.prepare(decode_bytes(data, s.decode_options())).ids) for s in (small, default)]
    assert tokens[0] < tokens[1]
    (rec,) = small.score(mixed_images(1))
    assert rec.ok


def test_pixel_budget_follows_the_recipe_and_is_refused_where_the_size_is_fixed(checkpoints):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q_align = load_scorer("lmm", model=checkpoints["qwen2_5_vl"], device="cpu", recipe="q-align",
                              image_max_pixels=None)
    assert q_align.processor.image_processor.size.longest_edge == 448 * 448
    with pytest.raises(ValueError, match="dynamic-resolution processors"):
        load_scorer("lmm", model=checkpoints["llava"], device="cpu", image_max_pixels=100_000)


def test_processors_keep_their_saved_settings_without_torchvision(scorers):
    import importlib.util
    import sys

    assert scorers["llava_onevision"].processor.num_image_tokens == 16  # from processor_config.json
    assert scorers["internvl"].processor.image_seq_length == 4
    assert type(scorers["qwen2_vl"].processor).__name__ == "Qwen2VLProcessor"
    smol = scorers["smolvlm"].processor
    assert type(smol).__name__ == "SmolVLMProcessor" and smol.image_seq_len == 4
    assert smol.image_processor.do_image_splitting and smol.image_processor.max_image_size == {"longest_edge": 56}
    pixtral = scorers["mistral3"].processor
    assert type(pixtral).__name__ == "PixtralProcessor"
    assert (pixtral.patch_size, pixtral.spatial_merge_size) == (14, 2)
    if importlib.util.find_spec("torchvision") is None:  # the PIL module stood in only while Pixtral's was imported
        assert "transformers.models.pixtral.image_processing_pixtral" not in sys.modules


def test_smolvlm_splits_an_image_into_tiles_and_a_global_view(scorers):
    from vc_curate.decode import decode_bytes

    scorer = scorers["smolvlm"]
    prepared = scorer.prepare(decode_bytes(encode(scene((200, 120)), "PNG"), scorer.decode_options()))
    tokens = scorer.processor.tokenizer.convert_ids_to_tokens(prepared.ids.tolist())
    assert {"<row_1_col_1>", "<row_1_col_2>", "<row_2_col_2>", "<global-img>"} <= set(tokens)
    assert tokens.count("<image>") == 5 * scorer.processor.image_seq_len  # four tiles and the whole image


def test_paligemma_is_given_its_recipes_template_and_reads_its_processors_own_prompt(scorers, checkpoints):
    """The scorer's prompt is what PaliGemma's own processor makes of the question (image tokens, BOS, the
    question, the closing newline), followed by the answer's stem; its attention is eager (Gemma 2 has no SDPA)."""
    from transformers import PaliGemmaProcessor

    from vc_curate.decode import decode_bytes

    scorer = scorers["paligemma"]
    assert scorer.recipe.name == "visualcritic-paligemma" and scorer.version.endswith("recipe=visualcritic-paligemma")
    assert scorer.model.config.get_text_config()._attn_implementation == "eager"
    image = scene((120, 80))
    prepared = scorer.prepare(decode_bytes(encode(image, "PNG"), scorer.decode_options()))
    own = PaliGemmaProcessor.from_pretrained(checkpoints["paligemma"])
    for suffix in scorer.plan.levels:
        asked = own(images=[image], text=["<image>" + suffix.question.question], return_tensors="pt")
        stem = own.tokenizer(suffix.question.stem, add_special_tokens=False)["input_ids"]
        assert prepared.ids.tolist() + list(suffix.ids) == asked["input_ids"][0].tolist() + stem


def test_a_processor_that_needs_torchvision_for_images_says_so(checkpoints, monkeypatch):
    import transformers

    from vc_curate.scorers.lmm import loading

    def needs_torchvision(*args, **kwargs):
        raise ValueError("this processor requires `torchvision` to be installed")

    monkeypatch.setattr(transformers.AutoProcessor, "from_pretrained", needs_torchvision)
    monkeypatch.setattr(loading, "_images_only_processor", needs_torchvision)
    with pytest.raises(ModelLoadError, match="needs torchvision for more than its video half") as caught:
        loading.load_processor(checkpoints["internvl"])
    assert "hf download" not in str(caught.value)  # the folder is complete: no advice to download it again

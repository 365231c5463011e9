"""Randomly initialised checkpoints of real multimodal architectures, built offline for tests and benchmarks.

Real model classes, real image processors and chat templates written in the shape each family's template
renders, and a BPE tokenizer trained on the spot: every recipe word is one token (as in a real vocabulary)
and thousands of other English words are in it too, so first-token checks meet realistic neighbours.
Saved with `save_pretrained` so the scorer's ordinary loading path reads them. The scores mean nothing.
"""

from __future__ import annotations

import json
import pydoc
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from vc_curate.scorers.lmm.recipes import RECIPES

# Chat templates, written here in the shape each family's own template renders (not copied from it).
CHATML_IMAGE = "<|vision_start|><|image_pad|><|vision_end|>"


def _chatml(image: str, default_system: str | None, generation: str) -> str:
    system = ("{% if loop.first and message['role'] != 'system' %}<|im_start|>system\n" + default_system
              + "<|im_end|>\n{% endif %}") if default_system else ""
    return (
        "{% set images = namespace(count=0) %}{% for message in messages %}" + system +
        "<|im_start|>{{ message['role'] }}\n"
        "{% if message['content'] is string %}{{ message['content'] }}"
        "{% else %}{% for part in message['content'] %}"
        "{% if part['type'] == 'image' %}{% set images.count = images.count + 1 %}"
        "{% if add_vision_id %}Picture {{ images.count }}: {% endif %}" + image +
        "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
        "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n" + generation + "{% endif %}"
    )


QWEN_TEMPLATE = _chatml(CHATML_IMAGE, "You are a helpful assistant.", "")
# Qwen3.5: no default system prompt; the generation prompt opens a thinking block unless thinking is off.
QWEN3_5_TEMPLATE = _chatml(CHATML_IMAGE, None, "{% if enable_thinking is defined and not enable_thinking %}"
                           "<think>\n\n</think>\n\n{% else %}<think>\n{% endif %}")
# LLaVA-OneVision (Qwen2 language model): "<|im_start|>user <image>\n...".
ONEVISION_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }} "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'image' %}<image>\n{% endif %}{% endfor %}"
    "{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}"
    "{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# LLaVA-1.5 / LLaVA-NeXT (Vicuna): "USER: <image>\n... ASSISTANT:".
LLAVA_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'][0]['text'] if message['content'] is not string else message['content'] }} "
    "{% else %}{{ message['role'].upper() }}: "
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'image' %}<image>\n{% endif %}{% endfor %}"
    "{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}"
    "{% endif %} {% endif %}{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)
# Idefics3 / SmolVLM: "<|begin_of_text|>User:<image>...<end_of_utterance>\nAssistant:" (BOS in the template).
IDEFICS3_TEMPLATE = (
    "<|begin_of_text|>{% for message in messages %}{{ message['role'] | capitalize }}"
    "{% if message['content'] is string %}: {{ message['content'] }}"
    "{% else %}{{ ':' if message['content'][0]['type'] == 'image' else ': ' }}"
    "{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}"
    "{% elif part['type'] == 'image' %}<image>{% endif %}{% endfor %}{% endif %}<end_of_utterance>\n{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)
# SmolVLM: the same shape, opened by its own BOS, "<|im_start|>".
SMOLVLM_TEMPLATE = IDEFICS3_TEMPLATE.replace("<|begin_of_text|>", "<|im_start|>", 1)
# Gemma 3: "<bos><start_of_turn>user\n<start_of_image>...<end_of_turn>\n<start_of_turn>model\n"; the system
# text is folded into the first user turn.
GEMMA3_TEMPLATE = (
    "{{ bos_token }}{% set system = '' %}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{% set system = message['content'][0]['text'] + '\n\n' %}"
    "{% else %}<start_of_turn>{{ 'model' if message['role'] == 'assistant' else message['role'] }}\n"
    "{% if loop.index0 == 1 %}{{ system }}{% endif %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'image' %}<start_of_image>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}<end_of_turn>\n"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)
# InternVL 3 (Qwen2 language model): ChatML, each image as "<IMG_CONTEXT>" on its own line before the text.
INTERNVL_TEMPLATE = _chatml("<IMG_CONTEXT>\n", "You are a helpful assistant.", "")
# Mistral Small 3.1 (Mistral3, a Pixtral tower): BOS written by the template, a default system prompt,
# "[INST][IMG]...[/INST]"; no generation prompt (the answer follows [/INST]).
MISTRAL3_TEMPLATE = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set system = messages[0]['content'][0]['text'] %}"
    "{% set messages = messages[1:] %}{% else %}{% set system = 'You are a helpful assistant.' %}{% endif %}"
    "[SYSTEM_PROMPT]{{ system }}[/SYSTEM_PROMPT]{% for message in messages %}"
    "{% if message['role'] == 'user' %}[INST]{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}"
    "{% elif part['type'] == 'image' %}[IMG]{% endif %}{% endfor %}{% endif %}[/INST]"
    "{% else %}{{ message['content'] if message['content'] is string else message['content'][0]['text'] }}"
    "{{ eos_token }}{% endif %}{% endfor %}"
)
# Llama 3.2 Vision (Mllama): header blocks, "<|image|>" before the text.
MLLAMA_TEMPLATE = (
    "<|begin_of_text|>{% for message in messages %}<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'image' %}<|image|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}<|eot_id|>{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)

QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                 "<|image_pad|>", "<|video_pad|>"]
IDEFICS3_SPECIALS = (["<|begin_of_text|>", "<|end_of_text|>", "<unk>", "<image>", "<fake_token_around_image>",
                      "<global-img>", "<end_of_utterance>", "<pad>"]
                     + [f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)])
SMOLVLM_SPECIALS = (["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<unk>", "<image>", "<fake_token_around_image>",
                     "<global-img>", "<end_of_utterance>"]
                    + [f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)])

# Size presets: "tiny" for tests and CPU benchmarks; "1b" roughly a Qwen2-VL-2B-class LM at ~1B for GPU runs.
SIZES = {
    "tiny": dict(hidden=64, layers=2, heads=4, kv_heads=2, ffn=128, vision=32, vision_layers=2, vocab=3000),
    "1b": dict(hidden=1536, layers=22, heads=12, kv_heads=2, ffn=6144, vision=1024, vision_layers=24, vocab=8000),
}
KINDS = ("llava", "llava_next", "qwen2_vl", "qwen2_5_vl", "qwen3_vl", "idefics3", "smolvlm", "gemma3",
         "llava_onevision", "qwen3_5", "mllama", "internvl", "mistral3", "paligemma")


@lru_cache(maxsize=1)
def _corpus() -> tuple[str, ...]:
    """Recipe text (so its words become single tokens) and much ordinary English from Python's own docs."""
    lines = ["The image is sharp and well exposed, with vivid colour and little noise.",
             "It is blurry, dark and noisy; compression artefacts are visible.", "0 1 2 3 4 5 6 7 8 9 10 100",
             "You are a helpful assistant.", "USER: <image>\nASSISTANT: user\nassistant\nsystem\nmodel\nUser:"
             " Assistant:", "<think> </think> <answer> </answer> {\"score\": 3.5}"]
    for r in RECIPES.values():
        for text in (r.critique, r.system or "", r.authenticity.question, r.authenticity.stem,
                     " ".join(r.authenticity.positive + r.authenticity.negative)):
            lines.append(text)
        for q in r.ratings:
            lines += [q.question, q.stem + " " + " ".join(getattr(q, "words", ()))]
            lines += list(q.words) if getattr(q, "words_alone", False) else []  # read as tokenized alone
    recipe_text = lines * 20
    import argparse, email.message, json as json_module, logging, pathlib, textwrap, unittest  # noqa: E401
    docs = [pydoc.render_doc(m, renderer=pydoc.plaintext) for m in (argparse, email.message, json_module, logging,
                                                                    pathlib, textwrap, unittest)]
    return tuple(recipe_text + [line for d in docs for line in d.splitlines() if line.strip()])


def build_tokenizer(style: str, specials: list[str], vocab: int) -> Tokenizer:
    """A byte-level BPE (Qwen/Llama-3/GPT-2 style, `Ġ` spaces) or a metaspace BPE with `▁` spaces, either with
    a `▁` prepended to every text (`metaspace`: Llama-2/Vicuna) or not (`metaspace-bare`: Gemma)."""
    if style == "bytelevel":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=specials,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    else:
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=False))
        prepend = [normalizers.Prepend("▁")] if style == "metaspace" else []
        tok.normalizer = normalizers.Sequence(prepend + [normalizers.Replace(" ", "▁")])
        tok.pre_tokenizer = pre_tokenizers.Sequence([  # newline runs are tokens of their own, as in real vocabularies
            pre_tokenizers.Split(Regex("\n+"), behavior="isolated"),
            pre_tokenizers.Split("▁", behavior="merged_with_next")])
        tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=specials)
    tok.train_from_iterator(_corpus(), trainer)
    return tok


def _text(s: dict[str, int], vocab: int, **extra: Any) -> dict[str, Any]:
    return dict(hidden_size=s["hidden"], num_hidden_layers=s["layers"], num_attention_heads=s["heads"],
                num_key_value_heads=s["kv_heads"], intermediate_size=s["ffn"], vocab_size=vocab,
                max_position_embeddings=8192, tie_word_embeddings=False, **extra)


def _mrope(s: dict[str, int]) -> dict[str, Any]:
    half = s["hidden"] // s["heads"] // 2
    return dict(rope_type="default", mrope_section=[half // 4, half // 4, half - 2 * (half // 4)], rope_theta=1e6)


def _qwen_vl(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """Qwen2-VL, Qwen2.5-VL, Qwen3-VL and Qwen3.5 (hybrid linear attention): byte-level BPE, ChatML, M-RoPE."""
    import transformers as tf

    raw = build_tokenizer("bytelevel", QWEN_SPECIALS, s["vocab"])
    ids = {t: raw.token_to_id(t) for t in QWEN_SPECIALS}
    template = QWEN3_5_TEMPLATE if kind == "qwen3_5" else QWEN_TEMPLATE
    tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=raw, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                           chat_template=template)
    specials = dict(bos_token_id=None, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    text = _text(s, raw.get_vocab_size(), rope_parameters=_mrope(s), **specials)
    vision = dict(depth=s["vision_layers"], hidden_size=s["vision"], num_heads=4, patch_size=14,
                  spatial_merge_size=2, temporal_patch_size=2)
    tokens = dict(image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
                  vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    if kind == "qwen2_vl":
        vision = dict(depth=s["vision_layers"], embed_dim=s["vision"], hidden_size=s["hidden"], num_heads=4,
                      mlp_ratio=2, patch_size=14, spatial_merge_size=2, temporal_patch_size=2)
        config, model_class, processor = tf.Qwen2VLConfig, tf.Qwen2VLForConditionalGeneration, "Qwen2VLProcessor"
    elif kind == "qwen2_5_vl":
        vision |= dict(out_hidden_size=s["hidden"], intermediate_size=2 * s["vision"], window_size=56,
                       fullatt_block_indexes=[s["vision_layers"] - 1])
        config, model_class = tf.Qwen2_5_VLConfig, tf.Qwen2_5_VLForConditionalGeneration
        processor = "Qwen2_5_VLProcessor"
    elif kind == "qwen3_vl":
        text |= dict(head_dim=16, rope_parameters=dict(_mrope(s), mrope_section=[2, 3, 3], mrope_interleaved=True))
        vision |= dict(out_hidden_size=s["hidden"], intermediate_size=2 * s["vision"], num_position_embeddings=64,
                       deepstack_visual_indexes=[])
        config, model_class, processor = tf.Qwen3VLConfig, tf.Qwen3VLForConditionalGeneration, "Qwen3VLProcessor"
    else:
        text |= dict(layer_types=["linear_attention", "full_attention"] * (s["layers"] // 2), head_dim=16,
                     linear_num_key_heads=2, linear_num_value_heads=4, linear_key_head_dim=16,
                     linear_value_head_dim=16, rope_parameters=dict(_mrope(s) | {"partial_rotary_factor": 0.25}))
        text["rope_parameters"]["mrope_section"] = [2, 1, 1]
        vision |= dict(out_hidden_size=s["hidden"], intermediate_size=2 * s["vision"], num_position_embeddings=64,
                       deepstack_visual_indexes=[])
        config, model_class, processor = tf.Qwen3_5Config, tf.Qwen3_5ForConditionalGeneration, "Qwen3VLProcessor"
    config = config(text_config=text, vision_config=vision, **tokens)
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    pixels = 112 * 112 if size == "tiny" else 1280 * 28 * 28
    images = tf.Qwen2VLImageProcessor(min_pixels=56 * 56, max_pixels=pixels)
    return model_class(config), dict(tokenizer=tokenizer, image_processor=images, template=template,
                                     processor={"processor_class": processor})


def _llava(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """LLaVA-1.5 and LLaVA-NeXT (Vicuna: metaspace BPE with BOS; NeXT tiles by `image_grid_pinpoints`, each a
    multiple of the tower's image size) and LLaVA-OneVision (Qwen2: byte-level BPE, ChatML)."""
    import transformers as tf

    side = 56 if size == "tiny" else 336
    grid = [[side, side], [side, 2 * side], [2 * side, side], [2 * side, 2 * side]]
    vision = dict(model_type="siglip_vision_model" if kind == "llava_onevision" else "clip_vision_model",
                  hidden_size=s["vision"], intermediate_size=2 * s["vision"], num_hidden_layers=s["vision_layers"],
                  num_attention_heads=4, image_size=side, patch_size=14)
    if kind in ("llava", "llava_next"):
        raw = build_tokenizer("metaspace", ["<unk>", "<s>", "</s>", "<image>", "<pad>"], s["vocab"])
        tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=raw, bos_token="<s>", eos_token="</s>",
                                               unk_token="<unk>", pad_token="<pad>", chat_template=LLAVA_TEMPLATE,
                                               add_bos_token=True)
        specials = dict(bos_token_id=raw.token_to_id("<s>"), eos_token_id=raw.token_to_id("</s>"),
                        pad_token_id=raw.token_to_id("<pad>"))
        common = dict(text_config=_text(s, raw.get_vocab_size(), model_type="llama", **specials),
                      vision_config=vision | dict(projection_dim=s["vision"]),
                      image_token_id=raw.token_to_id("<image>"), vision_feature_select_strategy="default",
                      vision_feature_layer=-2)
        crop = dict(size={"shortest_edge": side}, crop_size={"height": side, "width": side})
        if kind == "llava":
            config = tf.LlavaConfig(**common)
            model = tf.LlavaForConditionalGeneration(config)
            images = tf.CLIPImageProcessor(**crop)
        else:
            config = tf.LlavaNextConfig(**common, image_grid_pinpoints=grid)
            model = tf.LlavaNextForConditionalGeneration(config)
            images = tf.LlavaNextImageProcessor(**crop, image_grid_pinpoints=grid)
        processor = dict(processor_class="LlavaProcessor" if kind == "llava" else "LlavaNextProcessor",
                         patch_size=14, vision_feature_select_strategy="default", num_additional_image_tokens=1)
        template = LLAVA_TEMPLATE
    else:
        raw = build_tokenizer("bytelevel", QWEN_SPECIALS + ["<image>", "<video>"], s["vocab"])
        tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=raw, eos_token="<|im_end|>",
                                               pad_token="<|endoftext|>", chat_template=ONEVISION_TEMPLATE)
        specials = dict(bos_token_id=None, eos_token_id=raw.token_to_id("<|im_end|>"),
                        pad_token_id=raw.token_to_id("<|endoftext|>"))
        config = tf.LlavaOnevisionConfig(
            text_config=_text(s, raw.get_vocab_size(), model_type="qwen2", **specials), vision_config=vision,
            image_token_id=raw.token_to_id("<image>"), video_token_id=raw.token_to_id("<video>"),
            vision_feature_select_strategy="full", vision_feature_layer=-1,
            image_grid_pinpoints=grid)
        model = tf.LlavaOnevisionForConditionalGeneration(config)
        images = tf.LlavaOnevisionImageProcessor(
            size={"height": side, "width": side}, crop_size={"height": side, "width": side},
            image_grid_pinpoints=config.image_grid_pinpoints)
        processor = dict(processor_class="LlavaOnevisionProcessor", num_image_tokens=(side // 14) ** 2,
                         vision_feature_select_strategy="full")
        template = ONEVISION_TEMPLATE
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    return model, dict(tokenizer=tokenizer, image_processor=images, template=template, processor=processor)


def _idefics3(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """Idefics3 (Llama-3-style BOS) and SmolVLM (its own BOS, images split into tiles plus a global view),
    both with the BOS written by the chat template itself."""
    import transformers as tf

    smol = kind == "smolvlm"
    names, template = (SMOLVLM_SPECIALS, SMOLVLM_TEMPLATE) if smol else (IDEFICS3_SPECIALS, IDEFICS3_TEMPLATE)
    bos, pad = ("<|im_start|>", "<|im_end|>") if smol else ("<|begin_of_text|>", "<pad>")
    raw = build_tokenizer("bytelevel", names, s["vocab"])
    tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=raw, bos_token=bos, eos_token="<end_of_utterance>",
                                           unk_token="<unk>", pad_token=pad, chat_template=template,
                                           add_bos_token=True)
    specials = dict(bos_token_id=raw.token_to_id(bos), eos_token_id=raw.token_to_id("<end_of_utterance>"),
                    pad_token_id=raw.token_to_id(pad))
    side = 56 if size == "tiny" else 384
    config_class, model_class = ((tf.SmolVLMConfig, tf.SmolVLMForConditionalGeneration) if smol
                                 else (tf.Idefics3Config, tf.Idefics3ForConditionalGeneration))
    config = config_class(
        text_config=_text(s, raw.get_vocab_size(), model_type="llama", **specials),
        vision_config=dict(hidden_size=s["vision"], intermediate_size=2 * s["vision"],
                           num_hidden_layers=s["vision_layers"], num_attention_heads=4, image_size=side, patch_size=14),
        scale_factor=2, image_token_id=raw.token_to_id("<image>"))
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    seq = (side // 14) ** 2 // 4
    if smol:  # up to 2x2 tiles of `side` pixels, each with its <row_i_col_j> token, then the global view
        images = tf.SmolVLMImageProcessor(do_image_splitting=True, size={"longest_edge": 2 * side},
                                          max_image_size={"longest_edge": side})
    else:
        images = tf.Idefics3ImageProcessor(do_image_splitting=False, size={"longest_edge": side},
                                           max_image_size={"longest_edge": side})
    return model_class(config), dict(
        tokenizer=tokenizer, image_processor=images, template=template,
        processor=dict(processor_class="SmolVLMProcessor" if smol else "Idefics3Processor", image_seq_len=seq))


def _gemma3(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """Gemma 3: BOS written by the template, bidirectional attention over each image's tokens, sliding layers."""
    import transformers as tf

    names = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>", "<start_of_image>",
             "<end_of_image>", "<image_soft_token>"]
    raw = build_tokenizer("metaspace-bare", names, s["vocab"])
    ids = {t: raw.token_to_id(t) for t in names}
    tokenizer = tf.PreTrainedTokenizerFast(
        tokenizer_object=raw, bos_token="<bos>", eos_token="<eos>", unk_token="<unk>", pad_token="<pad>",
        chat_template=GEMMA3_TEMPLATE, add_bos_token=True,
        extra_special_tokens={"boi_token": "<start_of_image>", "eoi_token": "<end_of_image>",
                              "image_token": "<image_soft_token>"})
    specials = dict(bos_token_id=ids["<bos>"], eos_token_id=ids["<end_of_turn>"], pad_token_id=ids["<pad>"])
    side = 56 if size == "tiny" else 896
    config = tf.Gemma3Config(
        text_config=_text(s, raw.get_vocab_size(), head_dim=16, query_pre_attn_scalar=16, sliding_window=8,
                          layer_types=["sliding_attention", "full_attention"] * (s["layers"] // 2), **specials),
        vision_config=dict(hidden_size=s["vision"], intermediate_size=2 * s["vision"],
                           num_hidden_layers=s["vision_layers"], num_attention_heads=4, image_size=side, patch_size=14),
        mm_tokens_per_image=4 if size == "tiny" else 256, boi_token_index=ids["<start_of_image>"],
        eoi_token_index=ids["<end_of_image>"], image_token_index=ids["<image_soft_token>"])
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    images = tf.Gemma3ImageProcessor(size={"height": side, "width": side})
    return tf.Gemma3ForConditionalGeneration(config), dict(
        tokenizer=tokenizer, image_processor=images, template=GEMMA3_TEMPLATE,
        processor=dict(processor_class="Gemma3Processor", image_seq_length=config.mm_tokens_per_image))


def _mllama(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """Llama 3.2 Vision: the image reaches the text through cross-attention layers."""
    import transformers as tf

    names = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
             "<|image|>", "<|finetune_right_pad_id|>", "<unk>"]
    raw = build_tokenizer("bytelevel", names, s["vocab"])
    ids = {t: raw.token_to_id(t) for t in names}
    tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=raw, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>",
                                           unk_token="<unk>", pad_token="<|finetune_right_pad_id|>",
                                           chat_template=MLLAMA_TEMPLATE, add_bos_token=True)
    specials = dict(bos_token_id=ids["<|begin_of_text|>"], eos_token_id=ids["<|eot_id|>"],
                    pad_token_id=ids["<|finetune_right_pad_id|>"])
    side = 56 if size == "tiny" else 560
    config = tf.MllamaConfig(
        text_config=dict(_text(s, raw.get_vocab_size(), **specials), num_hidden_layers=3, cross_attention_layers=[1]),
        vision_config=dict(hidden_size=s["vision"], intermediate_size=2 * s["vision"], num_hidden_layers=2,
                           num_global_layers=1, attention_heads=4, image_size=side, patch_size=14, max_num_tiles=2,
                           vision_output_dim=2 * s["vision"], intermediate_layers_indices=[0],
                           supported_aspect_ratios=[[1, 1], [1, 2], [2, 1]]),
        image_token_index=ids["<|image|>"])
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    images = tf.MllamaImageProcessor(size={"height": side, "width": side}, max_image_tiles=2)
    return tf.MllamaForConditionalGeneration(config), dict(
        tokenizer=tokenizer, image_processor=images, template=MLLAMA_TEMPLATE,
        processor=dict(processor_class="MllamaProcessor"))


def _mistral3(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """Mistral Small 3.1 (Mistral3): a Pixtral tower at any aspect ratio (rows of [IMG] closed by [IMG_BREAK],
    the image by [IMG_END]), 2x2 patches merged, a byte-level (Tekken-style) BPE, BOS written by the template."""
    import transformers as tf

    names = ["<unk>", "<s>", "</s>", "<pad>", "[INST]", "[/INST]", "[IMG]", "[IMG_BREAK]", "[IMG_END]",
             "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]"]
    raw = build_tokenizer("bytelevel", names, s["vocab"])
    ids = {t: raw.token_to_id(t) for t in names}
    tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=raw, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                           pad_token="<pad>", chat_template=MISTRAL3_TEMPLATE, add_bos_token=True)
    specials = dict(bos_token_id=ids["<s>"], eos_token_id=ids["</s>"], pad_token_id=ids["<pad>"])
    side = 112 if size == "tiny" else 1540
    config = tf.Mistral3Config(
        text_config=_text(s, raw.get_vocab_size(), model_type="mistral", sliding_window=None, **specials),
        vision_config=dict(model_type="pixtral", hidden_size=s["vision"], intermediate_size=2 * s["vision"],
                           num_hidden_layers=s["vision_layers"], num_attention_heads=4, image_size=side, patch_size=14),
        image_token_index=ids["[IMG]"], spatial_merge_size=2, vision_feature_layer=-1, tie_word_embeddings=False)
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    images = tf.PixtralImageProcessor(size={"longest_edge": side}, patch_size={"height": 14, "width": 14})
    return tf.Mistral3ForConditionalGeneration(config), dict(
        tokenizer=tokenizer, image_processor=images, template=MISTRAL3_TEMPLATE,
        processor=dict(processor_class="PixtralProcessor", patch_size=14, spatial_merge_size=2))


def _paligemma(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """PaliGemma 2: a SigLIP tower and a Gemma 2 language model (a prefix LM: the prompt attends both ways),
    Gemma's metaspace BPE with the location and segmentation tokens in its vocabulary; no chat template (the
    scorer's recipe gives one)."""
    import transformers as tf
    from transformers.models.paligemma.processing_paligemma import EXTRA_TOKENS

    names = ["<pad>", "<eos>", "<bos>", "<unk>", "<image>"]
    raw = build_tokenizer("metaspace-bare", names, s["vocab"])
    raw.add_tokens(EXTRA_TOKENS)
    ids = {t: raw.token_to_id(t) for t in names}
    tokenizer = tf.PreTrainedTokenizerFast(tokenizer_object=raw, bos_token="<bos>", eos_token="<eos>",
                                           unk_token="<unk>", pad_token="<pad>", add_bos_token=True,
                                           extra_special_tokens={"image_token": "<image>"})
    specials = dict(bos_token_id=ids["<bos>"], eos_token_id=ids["<eos>"], pad_token_id=ids["<pad>"])
    side = 56 if size == "tiny" else 448
    vocab = raw.get_vocab_size()
    config = tf.PaliGemmaConfig(
        text_config=_text(s, vocab, model_type="gemma2", head_dim=16, query_pre_attn_scalar=16, sliding_window=8,
                          **specials),
        vision_config=dict(hidden_size=s["vision"], intermediate_size=2 * s["vision"],
                           num_hidden_layers=s["vision_layers"], num_attention_heads=4, image_size=side, patch_size=14,
                           vision_use_head=False),
        image_token_index=ids["<image>"], vocab_size=vocab, projection_dim=s["hidden"], hidden_size=s["hidden"])
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    images = tf.SiglipImageProcessor(size={"height": side, "width": side}, image_seq_length=(side // 14) ** 2)
    return tf.PaliGemmaForConditionalGeneration(config), dict(
        tokenizer=tokenizer, image_processor=images, template=None,
        processor=dict(processor_class="PaliGemmaProcessor"))


def _internvl(kind: str, s: dict[str, int], size: str) -> tuple[Any, dict[str, Any]]:
    """InternVL 3: an InternViT tower with pixel-shuffle, tiles of a fixed size, a Qwen2 language model."""
    import transformers as tf

    names = QWEN_SPECIALS + ["<img>", "</img>", "<IMG_CONTEXT>", "<video>"]
    raw = build_tokenizer("bytelevel", names, s["vocab"])
    ids = {t: raw.token_to_id(t) for t in names}
    tokenizer = tf.PreTrainedTokenizerFast(
        tokenizer_object=raw, eos_token="<|im_end|>", pad_token="<|endoftext|>", chat_template=INTERNVL_TEMPLATE,
        extra_special_tokens={"start_image_token": "<img>", "end_image_token": "</img>",
                              "context_image_token": "<IMG_CONTEXT>", "video_token": "<video>"})
    specials = dict(bos_token_id=None, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    side = 56 if size == "tiny" else 448
    seq = (side // 14) ** 2 // 4
    config = tf.InternVLConfig(
        text_config=_text(s, raw.get_vocab_size(), model_type="qwen2", **specials),
        vision_config=dict(hidden_size=s["vision"], intermediate_size=2 * s["vision"],
                           num_hidden_layers=s["vision_layers"], num_attention_heads=4, image_size=[side, side],
                           patch_size=[14, 14]),
        image_token_id=ids["<IMG_CONTEXT>"], image_seq_length=seq, downsample_ratio=0.5)
    for c in (config, config.text_config):
        for k, v in specials.items():
            setattr(c, k, v)
    images = tf.GotOcr2ImageProcessor(size={"height": side, "width": side}, crop_to_patches=True, max_patches=4)
    return tf.InternVLForConditionalGeneration(config), dict(
        tokenizer=tokenizer, image_processor=images, template=INTERNVL_TEMPLATE,
        processor=dict(processor_class="InternVLProcessor", image_seq_length=seq))


BUILDERS: dict[str, Callable[[str, dict[str, int], str], tuple[Any, dict[str, Any]]]] = {
    "llava": _llava, "llava_next": _llava, "llava_onevision": _llava,
    "qwen2_vl": _qwen_vl, "qwen2_5_vl": _qwen_vl, "qwen3_vl": _qwen_vl, "qwen3_5": _qwen_vl,
    "idefics3": _idefics3, "smolvlm": _idefics3, "gemma3": _gemma3, "mllama": _mllama, "internvl": _internvl,
    "mistral3": _mistral3, "paligemma": _paligemma,
}


def build_checkpoint(kind: str, folder: str | Path, size: str = "tiny", seed: int = 0) -> Path:
    """Save a randomly initialised `kind` (one of KINDS) model with its processor's files to `folder`.

    The processor is saved as its pieces (tokenizer, image processor, chat template, processor_config.json),
    the way the processor itself saves them: several processors cannot be built here, where torchvision
    (which their video half needs) cannot be installed.
    """
    folder = Path(folder)
    torch.manual_seed(seed)
    model, parts = BUILDERS[kind](kind, SIZES[size], size)
    with torch.no_grad():  # zero-initialised projections and gates would cut the image off from the text
        for p in model.parameters():
            if not p.any():
                p.normal_(0, 1.0 if p.numel() == 1 else 0.02)
    config = model.config
    model.generation_config.pad_token_id = config.get_text_config().pad_token_id
    model.generation_config.eos_token_id = config.get_text_config().eos_token_id
    model.save_pretrained(folder)
    save_processor(parts, folder)
    return folder


def save_processor(parts: dict[str, Any], folder: Path) -> None:
    """The processor's files as the processor itself saves them."""
    parts["tokenizer"].save_pretrained(folder)
    parts["image_processor"].save_pretrained(folder)
    if parts["template"] is not None:
        (folder / "chat_template.jinja").write_text(parts["template"])
    (folder / "processor_config.json").write_text(json.dumps(parts["processor"]))

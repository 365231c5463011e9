"""Randomly initialised LLaVA and Qwen2-VL checkpoints built offline, for tests and benchmarks.

Real architectures, real (trained-on-the-spot) BPE tokenizers, real image processors and chat templates,
saved with `save_pretrained` so the scorer's ordinary loading path reads them. The scores mean nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

from vc_curate.scorers.lmm.recipes import RECIPES

QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                 "<|image_pad|>", "<|video_pad|>"]
LLAVA_SPECIALS = ["<unk>", "<s>", "</s>", "<image>", "<pad>"]

# ChatML-style, the shape Qwen2-VL's template renders (written here, not copied).
QWEN_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
# LLaVA-1.5 style: "USER: <image>\n... ASSISTANT:".
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

# Size presets: "tiny" for tests and CPU benchmarks; "1b" roughly a Qwen2-VL-2B-class LM at ~1B for GPU runs.
SIZES = {
    "tiny": dict(hidden=64, layers=2, heads=4, kv_heads=2, ffn=128, vision=32, vision_layers=2, vocab=600),
    "1b": dict(hidden=1536, layers=22, heads=12, kv_heads=2, ffn=6144, vision=1024, vision_layers=24, vocab=8000),
}


def _corpus() -> list[str]:
    lines = ["The image is sharp and well exposed, with vivid colour and little noise.",
             "It is blurry, dark and noisy; compression artefacts are visible.", "0 1 2 3 4 5 6 7 8 9 10 100",
             "You are a helpful assistant.", "USER: <image>\nASSISTANT: user\nassistant\nsystem\n"]
    for r in RECIPES.values():
        lines += [r.critique, r.authenticity.question, " ".join(r.authenticity.positive + r.authenticity.negative)]
        for q in r.ratings:
            lines += [q.question, q.stem + " " + " ".join(getattr(q, "words", ()))]
    return lines


def build_tokenizer(kind: str, vocab: int) -> Tokenizer:
    """A byte-level BPE (Qwen/GPT-2 style, `Ġ` spaces) or a metaspace BPE (Llama style, `▁` spaces, BOS)."""
    if kind == "qwen2_vl":
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=QWEN_SPECIALS,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    else:
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=False))
        tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
        tok.pre_tokenizer = pre_tokenizers.Split("▁", behavior="merged_with_next")
        tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=LLAVA_SPECIALS)
    tok.train_from_iterator(_corpus() * 3, trainer)
    return tok


def build_checkpoint(kind: str, folder: str | Path, size: str = "tiny", seed: int = 0) -> Path:
    """Save a randomly initialised `kind` ("llava" or "qwen2_vl") model with its processor to `folder`."""
    from transformers import (CLIPImageProcessor, LlavaConfig, LlavaForConditionalGeneration, LlavaProcessor,
                              PreTrainedTokenizerFast, Qwen2VLConfig, Qwen2VLForConditionalGeneration,
                              Qwen2VLImageProcessor)

    s = SIZES[size]
    folder = Path(folder)
    torch.manual_seed(seed)
    raw = build_tokenizer(kind, s["vocab"])
    vocab = raw.get_vocab_size()
    text = dict(hidden_size=s["hidden"], num_hidden_layers=s["layers"], num_attention_heads=s["heads"],
                num_key_value_heads=s["kv_heads"], intermediate_size=s["ffn"], vocab_size=vocab,
                max_position_embeddings=8192)
    if kind == "qwen2_vl":
        tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                            chat_template=QWEN_TEMPLATE)
        half = s["hidden"] // s["heads"] // 2
        config = Qwen2VLConfig(
            text_config=dict(text, bos_token_id=None, eos_token_id=raw.token_to_id("<|im_end|>"),
                             pad_token_id=raw.token_to_id("<|endoftext|>"), rope_parameters=dict(rope_type="default", mrope_section=[half // 4, half // 4, half - 2 * (half // 4)], rope_theta=1e6),
                             tie_word_embeddings=False),
            vision_config=dict(depth=s["vision_layers"], embed_dim=s["vision"], hidden_size=s["hidden"],
                               num_heads=4, mlp_ratio=2, patch_size=14, spatial_merge_size=2, temporal_patch_size=2),
            image_token_id=raw.token_to_id("<|image_pad|>"), video_token_id=raw.token_to_id("<|video_pad|>"),
            vision_start_token_id=raw.token_to_id("<|vision_start|>"),
            vision_end_token_id=raw.token_to_id("<|vision_end|>"),
        )
        config.text_config.bos_token_id = config.bos_token_id = None
        config.text_config.eos_token_id = config.eos_token_id = raw.token_to_id("<|im_end|>")
        config.text_config.pad_token_id = config.pad_token_id = raw.token_to_id("<|endoftext|>")
        model = Qwen2VLForConditionalGeneration(config)
        pixels = 112 * 112 if size == "tiny" else 1280 * 28 * 28
        image_processor = Qwen2VLImageProcessor(min_pixels=56 * 56, max_pixels=pixels)
        processor = None  # its video half needs torchvision: the pieces are saved as the processor would save them
    else:
        tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, bos_token="<s>", eos_token="</s>",
                                            unk_token="<unk>", pad_token="<pad>", chat_template=LLAVA_TEMPLATE,
                                            add_bos_token=True)
        side = 56 if size == "tiny" else 336
        config = LlavaConfig(
            text_config=dict(text, model_type="llama", tie_word_embeddings=False),
            vision_config=dict(model_type="clip_vision_model", hidden_size=s["vision"], intermediate_size=2 * s["vision"],
                               num_hidden_layers=s["vision_layers"], num_attention_heads=4, image_size=side, patch_size=14,
                               projection_dim=s["vision"]),
            image_token_id=raw.token_to_id("<image>"), vision_feature_select_strategy="default",
            vision_feature_layer=-2,
        )
        config.text_config.bos_token_id = raw.token_to_id("<s>")
        config.text_config.eos_token_id = config.eos_token_id = raw.token_to_id("</s>")
        config.text_config.pad_token_id = config.pad_token_id = raw.token_to_id("<pad>")
        model = LlavaForConditionalGeneration(config)
        image_processor = CLIPImageProcessor(size={"shortest_edge": side}, crop_size={"height": side, "width": side})
        processor = LlavaProcessor(image_processor=image_processor, tokenizer=tokenizer, patch_size=14,
                                   vision_feature_select_strategy="default", num_additional_image_tokens=1,
                                   chat_template=LLAVA_TEMPLATE)
    model.generation_config.pad_token_id = config.pad_token_id
    model.generation_config.eos_token_id = config.eos_token_id
    model.save_pretrained(folder)
    if processor is not None:
        processor.save_pretrained(folder)
    else:
        tokenizer.save_pretrained(folder)
        image_processor.save_pretrained(folder)
        (folder / "chat_template.jinja").write_text(QWEN_TEMPLATE)
        (folder / "processor_config.json").write_text(json.dumps({"processor_class": "Qwen2VLProcessor"}))
    return folder

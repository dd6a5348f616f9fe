"""A GGUF file as a transformers model directory: dequantised once, cached by the file's sha256.

transformers reads GGUF and dequantises it to fp32 (slow: 15-60 s); the result trains with PEFT and
generates with the transformers backend. `save_pretrained` refuses a model that still carries its GGUF
quantizer, so the quantizer and its config are dropped first (the weights are plain fp32 by then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rustcoder.models.fetch import ResolvedModel
from rustcoder.paths import build_once, cache_dir


def converted_from_gguf(model: ResolvedModel) -> Path:
    """A model directory dequantised from a GGUF file, made once and cached by the file's sha256."""

    def convert(staging: Path) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        folder, name = str(model.path.parent), model.path.name
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        loaded: Any = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
        loaded.hf_quantizer = None  # it is plain fp32 now; save_pretrained would refuse otherwise
        if hasattr(loaded.config, "quantization_config"):
            del loaded.config.quantization_config
        loaded.save_pretrained(staging)
        tokenizer.save_pretrained(staging)

    return build_once(cache_dir() / "hf-from-gguf" / model.sha256[:16], "config.json", convert)


def transformers_dir(model: ResolvedModel) -> Path:
    """The transformers model directory of `model`: itself, or for a GGUF its dequantised copy."""
    return converted_from_gguf(model) if model.is_gguf else model.path

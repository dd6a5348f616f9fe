"""A tiny random-weight Qwen2 model with the real Qwen2.5-Coder tokenizer (chat template, FIM tokens), built
in code once and cached, so that tuning runs end to end in seconds."""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from pathlib import Path

from rustcoder.paths import cache_dir

QWEN = "qwen2.5-coder-0.5b-instruct"


def tiny_model_dir() -> Path:
    target = cache_dir() / "test-models" / "tiny-qwen2"
    if (target / "config.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / "config.json").exists():
            return target
        import torch
        from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

        from rustcoder.models.fetch import resolve_model

        gguf = resolve_model(QWEN).path
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        config = Qwen2Config(
            vocab_size=len(tokenizer),
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            max_position_embeddings=2048,
            tie_word_embeddings=True,
            eos_token_id=tokenizer.eos_token_id,
            bos_token_id=tokenizer.bos_token_id,
        )
        torch.manual_seed(0)
        model = Qwen2ForCausalLM(config)
        staging = Path(tempfile.mkdtemp(prefix="staging-", dir=target.parent))
        try:
            model.save_pretrained(staging)
            tokenizer.save_pretrained(staging)
            staging.replace(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target

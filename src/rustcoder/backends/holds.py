"""A request's holds (`base.EndHold`) applied to llama.cpp's logits: while the text so far may not end,
the model's end-of-generation tokens are masked, so that sampling, greedy or not, picks another token."""

from __future__ import annotations

import math
from typing import Any

from rustcoder.backends.base import GenRequest, held


def end_tokens(llm: Any) -> list[int]:
    """The ids of a `llama_cpp.Llama`'s end-of-generation tokens (EOS, EOT, the FIM end markers ...)."""
    import llama_cpp

    vocab = llama_cpp.llama_model_get_vocab(llm._model.model)
    return [i for i in range(llm.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, i)]


def mask(logits: Any, ends: list[int]) -> None:
    """Set the end tokens' logits (an array or a ctypes float pointer) to minus infinity."""
    for token in ends:
        logits[token] = -math.inf


class HoldProcessor:
    """A llama-cpp-python logits processor for `create_completion`: masks the end tokens while `request`'s
    holds keep the text generated after the first `prompt_tokens` tokens from ending."""

    def __init__(self, llm: Any, request: GenRequest, prompt_tokens: int, ends: list[int]) -> None:
        self.llm, self.request, self.start, self.ends = llm, request, prompt_tokens, ends

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        text = self.llm.detokenize([int(t) for t in input_ids[self.start :]]).decode("utf-8", "replace")
        if held(self.request, text):
            mask(scores, self.ends)
        return scores

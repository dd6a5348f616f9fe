"""Prompt-lookup decoding for greedy generation with llama.cpp (`--lookup-draft N`).

Code completion copies a lot from its context: names, the suffix's lines, a pattern from the line above.
After each token, the longest recent n-gram of the text so far (3 tokens, else 2) is looked up
earlier in the prompt and the output; the N tokens that followed it there are a draft. The token and
its draft are decoded in one batch, and the draft is kept as far as the model's own greedy choices agree
with it, so the text is the model's greedy text, several tokens per decode where the context predicts
them. (Logits come from a batch of several tokens, whose float sums may round differently from a
one-token decode: a near-tie can go the other way, as with llama.cpp's own speculative decoding.)

llama-cpp-python's `LlamaPromptLookupDecoding` needs `logits_all`, which copies every prompt token's
logits (vocabulary × prompt floats) on each evaluation; this asks llama.cpp only for the batch's.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Sequence
from typing import Any

from rustcoder.backends.kv_sessions import shared

NGRAM = 3
MIN_NGRAM = 2
"""A single token recurs too often to predict what follows it: drafts from 1-grams were mostly rejected."""


def draft(history: Sequence[int], count: int, ngram: int = NGRAM, shortest: int = MIN_NGRAM) -> list[int]:
    """The `count` tokens that followed the latest earlier occurrence of `history`'s last n-gram
    (longest n first, down to `shortest`), or [] when it has none."""
    for n in range(min(ngram, len(history) - 1), shortest - 1, -1):
        tail = list(history[-n:])
        for start in range(len(history) - n - 1, -1, -1):
            if history[start] == tail[0] and list(history[start : start + n]) == tail:
                return list(history[start + n : start + n + count])
    return []


class LookupDecoder:
    """Greedy generation on a `llama_cpp.Llama`'s own context and KV cache, with prompt-lookup drafts;
    keeps the Llama's record of its cache (`input_ids`, `n_tokens`) exact, so prefix reuse and KV
    sessions go on working."""

    def __init__(self, llm: Any, draft_tokens: int) -> None:
        import llama_cpp

        self.llm = llm
        self.draft_tokens = draft_tokens
        self.vocab = llama_cpp.llama_model_get_vocab(llm._model.model)
        self.n_vocab = llm.n_vocab()
        self.drafted = 0
        """Draft tokens proposed and accepted since the decoder was made (for benchmarks)."""
        self.accepted = 0

    def _argmax(self, index: int) -> int:
        import llama_cpp
        import numpy as np

        pointer = llama_cpp.llama_get_logits_ith(self.llm._ctx.ctx, index)
        return int(np.ctypeslib.as_array(pointer, shape=(self.n_vocab,)).argmax())

    def _decode(self, tokens: list[int]) -> None:
        """Append `tokens` to the cache, with logits for each."""
        llm = self.llm
        start = llm.n_tokens
        llm._ctx.kv_cache_seq_rm(-1, start, -1)
        llm._batch.set_batch(batch=tokens, n_past=start, logits_all=True)
        llm._ctx.decode(llm._batch)
        llm.input_ids[start : start + len(tokens)] = tokens
        llm.n_tokens = start + len(tokens)

    def generate(self, prompt: list[int], max_tokens: int) -> Iterator[str]:
        """The greedy continuation of `prompt`, piece by piece (reusing the cache's common prefix)."""
        import llama_cpp

        llm = self.llm
        keep = min(shared(llm.input_ids[: llm.n_tokens], prompt), len(prompt) - 1)
        llm.n_tokens = keep
        llm.eval(prompt[keep:])  # logits for the prompt's last token
        text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        history = list(prompt)
        made = 0
        queue = [self._argmax(-1)]  # tokens to emit; the last is not in the cache yet
        while True:
            for token in queue:
                if llama_cpp.llama_vocab_is_eog(self.vocab, token):
                    return
                history.append(token)
                made += 1
                piece = text.decode(llm.detokenize([token]))
                if made >= max_tokens:
                    yield piece + text.decode(b"", final=True)
                    return
                yield piece
            # a draft never reaches the last token allowed: that one is emitted, never decoded
            proposal = draft(history, min(self.draft_tokens, max_tokens - made - 1))
            self._decode([queue[-1], *proposal])
            taken = 0
            while taken < len(proposal) and self._argmax(taken) == proposal[taken]:
                taken += 1
            self.drafted += len(proposal)
            self.accepted += taken
            if taken < len(proposal):  # the rejected draft leaves the cache
                llm.n_tokens -= len(proposal) - taken
                llm._ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)
            queue = [*proposal[:taken], self._argmax(taken)]

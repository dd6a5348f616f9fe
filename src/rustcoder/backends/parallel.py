"""Several samples of one prompt decoded together on llama.cpp: the prompt evaluated once, its KV cells
shared by every sequence (llama.cpp's sequence copy), then one token of each live sequence per decode
call, so that N samples cost one prompt evaluation and decode steps whose matrix products serve N rows
at once (on a CPU a decode step of N rows takes far less than N single-row steps).

Each sequence samples as llama-cpp-python's `create_completion` does (top-k 40, top-p, min-p 0.05,
temperature, its own seed; greedy at temperature 0) and ends like the sequential path: stop strings,
end rules and the loop guard through its own `StopScanner`, the model's end-of-generation tokens
(masked while the request's holds say the text is unfinished), or the token budget. Runs on a context
of its own (unified KV cells, `n_seq_max` sequences), made on first use, so the main context's cached
prompt is left as it was.
"""

from __future__ import annotations

import codecs
import ctypes
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rustcoder.backends.base import Generation, GenRequest, StopScanner, held
from rustcoder.backends.holds import end_tokens, mask
from rustcoder.errors import BackendError, ContextOverflowError

TOP_K = 40
MIN_P = 0.05
"""llama-cpp-python's `create_completion` defaults, which the sequential path samples with."""


@dataclass(slots=True)
class _Sequence:
    request: GenRequest
    sampler: Any
    scanner: StopScanner
    decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))
    parts: list[str] = field(default_factory=list)
    raw: str = ""
    """The text so far, before stop strings and end rules (what the request's holds judge)."""
    tokens: int = 0
    first: float = 0.0
    total: float = 0.0
    done: bool = False
    exhausted: bool = False


class ParallelDecoder:
    """Decodes up to `sequences` samples of one prompt at a time on `llm`'s model (not thread-safe: the
    backend calls it under its model lock)."""

    def __init__(self, llm: Any, sequences: int, context: int, threads: int) -> None:
        import llama_cpp
        from llama_cpp import _internals

        internals: Any = _internals
        self.llm = llm
        self.sequences = sequences
        params = llama_cpp.llama_context_params.from_buffer_copy(llm.context_params)  # as the main one
        params.n_ctx = context
        params.n_batch = max(llm.n_batch, sequences)
        params.n_ubatch = params.n_batch
        params.n_seq_max = sequences
        params.kv_unified = True  # the prompt's cells are shared by every sequence
        params.n_threads = threads
        params.n_threads_batch = threads
        self.context = context
        self.ctx = internals.LlamaContext(model=llm._model, params=params, verbose=False)
        if llm._lora_adapter is not None:
            adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(llm._lora_adapter)
            scales = (ctypes.c_float * 1)(llm.lora_scale)
            if llama_cpp.llama_set_adapters_lora(self.ctx.ctx, adapters, 1, scales):
                raise BackendError("llama.cpp could not apply the LoRA adapter to the parallel context")
        self.batch = internals.LlamaBatch(n_tokens=params.n_batch, embd=0, n_seq_max=sequences, verbose=False)
        self.vocab = llama_cpp.llama_model_get_vocab(llm._model.model)
        self.ends: list[int] | None = None

    def _sampler(self, request: GenRequest) -> Any:
        from llama_cpp import _internals

        internals: Any = _internals  # llama-cpp-python's internals are untyped
        sampler = internals.LlamaSampler()
        if request.temperature == 0:
            sampler.add_greedy()
        else:
            sampler.add_top_k(TOP_K)
            sampler.add_top_p(request.top_p, 1)
            sampler.add_min_p(MIN_P, 1)
            sampler.add_temp(request.temperature)
            sampler.add_dist(request.seed)
        return sampler

    def generate(self, tokens: list[int], requests: Sequence[GenRequest]) -> list[Generation]:
        """One generation per request (at most `sequences`), all continuing `tokens`."""
        import llama_cpp

        if len(requests) > self.sequences:
            raise ValueError(f"{len(requests)} requests for {self.sequences} parallel sequences")
        budget = max(r.max_tokens for r in requests)
        if len(tokens) + len(requests) * budget > self.context:
            raise ContextOverflowError(
                f"a prompt of {len(tokens)} tokens and {len(requests)} samples of up to {budget} tokens "
                f"exceed the parallel context of {self.context}"
            )
        started = time.perf_counter()
        memory = llama_cpp.llama_get_memory(self.ctx.ctx)
        llama_cpp.llama_memory_clear(memory, True)
        step = int(self.llm.n_batch)
        for at in range(0, len(tokens), step):
            self.batch.set_batch(tokens[at : at + step], n_past=at, logits_all=False)
            self._decode()
        for s in range(1, len(requests)):
            llama_cpp.llama_memory_seq_cp(memory, 0, s, -1, -1)
        live = [_Sequence(r, self._sampler(r), StopScanner(r.stop, r.loop_span, r.ends)) for r in requests]
        logits_at = [self.batch.batch.n_tokens - 1] * len(live)  # every sequence samples the prompt's last
        position = len(tokens)
        while True:
            now = time.perf_counter() - started
            chosen: list[tuple[int, int]] = []
            for s, seq in enumerate(live):
                if seq.done:
                    continue
                if seq.request.holds and held(seq.request, seq.raw):
                    mask(self._logits(logits_at[s]), self._end_tokens())
                token = seq.sampler.sample(self.ctx, logits_at[s])
                if seq.tokens == 0:
                    seq.first = now
                seq.tokens += 1
                if llama_cpp.llama_vocab_is_eog(self.vocab, token):
                    self._end(seq, now)
                    continue
                piece = seq.decoder.decode(self.llm.detokenize([token]))
                seq.raw += piece
                seq.parts.append(seq.scanner.feed(piece))
                if seq.scanner.ended or seq.tokens >= seq.request.max_tokens:
                    seq.exhausted = not seq.scanner.ended
                    self._end(seq, now)
                    continue
                chosen.append((s, token))
            if not chosen:
                break
            for i, (s, token) in enumerate(chosen):
                self.batch.batch.token[i] = token
                self.batch.batch.pos[i] = position
                self.batch.batch.seq_id[i][0] = s
                self.batch.batch.n_seq_id[i] = 1
                self.batch.batch.logits[i] = True
                logits_at[s] = i
            self.batch.batch.n_tokens = len(chosen)
            self._decode()
            position += 1
        return [
            Generation(
                "".join(seq.parts),
                seq.scanner.finish(seq.exhausted),
                seq.scanner.hit or seq.scanner.ended_by,
                len(tokens),
                seq.tokens,
                seq.first,
                seq.total,
                0,
            )
            for seq in live
        ]

    def _logits(self, index: int) -> Any:
        import llama_cpp

        return llama_cpp.llama_get_logits_ith(self.ctx.ctx, index)

    def _end_tokens(self) -> list[int]:
        if self.ends is None:
            self.ends = end_tokens(self.llm)
        return self.ends

    def _decode(self) -> None:
        try:
            self.ctx.decode(self.batch)
        except RuntimeError as exc:  # llama_decode's code: no KV cells left, or aborted
            raise BackendError(f"llama.cpp failed to decode the parallel batch: {exc}") from exc

    def _end(self, seq: _Sequence, now: float) -> None:
        seq.parts.append(seq.scanner.feed(seq.decoder.decode(b"", final=True)))
        seq.parts.append(seq.scanner.flush())
        seq.done = True
        seq.total = now

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
from collections import deque
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
class _Prompt:
    tokens: list[int]
    requests: list[GenRequest]


@dataclass(slots=True)
class _Sequence:
    request: GenRequest
    sampler: Any
    scanner: StopScanner
    prompt: int
    """Which prompt of the call, and which of its requests."""
    index: int
    prompt_tokens: int
    begin: float
    """When its prompt began to be evaluated for it (seconds into the call)."""
    decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))
    parts: list[str] = field(default_factory=list)
    raw: str = ""
    """The text so far, before stop strings and end rules (what the request's holds judge)."""
    token: int = 0
    """The token its next row decodes, at `position`."""
    position: int = 0
    logits_at: int = 0
    """Its row in the last decode (whose logits it samples next)."""
    tokens: int = 0
    first: float = 0.0
    total: float = 0.0
    exhausted: bool = False


class ParallelDecoder:
    """Decodes samples on `llm`'s model, up to `sequences` at a time (not thread-safe: the backend calls
    it under its model lock). A call may hold the samples of several prompts: they are started in
    order, each in the first free slot, so that a slot freed by a short sample takes the next one
    instead of idling until the longest sample of the call ends (continuous batching)."""

    def __init__(self, llm: Any, sequences: int, context: int, threads: int) -> None:
        import llama_cpp
        from llama_cpp import _internals

        internals: Any = _internals
        self.llm = llm
        self.sequences = sequences
        self.holder = sequences
        """The sequence that holds the prompt being started (its cells shared by its samples)."""
        params = llama_cpp.llama_context_params.from_buffer_copy(llm.context_params)  # as the main one
        params.n_ctx = context
        params.n_batch = max(llm.n_batch, sequences)
        params.n_ubatch = params.n_batch
        params.n_seq_max = sequences + 1
        params.kv_unified = True  # a prompt's cells are shared by its samples
        params.n_threads = threads
        params.n_threads_batch = threads
        self.context = context
        self.ctx = internals.LlamaContext(model=llm._model, params=params, verbose=False)
        if llm._lora_adapter is not None:
            adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(llm._lora_adapter)
            scales = (ctypes.c_float * 1)(llm.lora_scale)
            if llama_cpp.llama_set_adapters_lora(self.ctx.ctx, adapters, 1, scales):
                raise BackendError("llama.cpp could not apply the LoRA adapter to the parallel context")
        self.batch = internals.LlamaBatch(
            n_tokens=params.n_batch, embd=0, n_seq_max=sequences + 1, verbose=False
        )
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
        """One generation per request, all continuing `tokens`."""
        return self.generate_many([(tokens, requests)])[0]

    def generate_many(
        self, prompts: Sequence[tuple[list[int], Sequence[GenRequest]]]
    ) -> list[list[Generation]]:
        """For each prompt (its tokens and its requests), one generation per request.

        The prompts' samples start in order, as slots and the context allow: a prompt is evaluated
        once, into a holding sequence whose cells its samples share; the samples started with it sample
        from its last position, those started later (in a slot another sample freed) decode its last
        token in their own row first. Each sample's times run from its start."""
        import llama_cpp

        jobs = [_Prompt(list(tokens), list(requests)) for tokens, requests in prompts]
        for job in jobs:
            budget = max((r.max_tokens for r in job.requests), default=0)
            if len(job.tokens) + budget > self.context:
                raise ContextOverflowError(
                    f"a prompt of {len(job.tokens)} tokens and a sample of up to {budget} tokens exceed "
                    f"the parallel context of {self.context}"
                )
        out: list[list[Generation | None]] = [[None] * len(job.requests) for job in jobs]
        queue = deque((j, k) for j, job in enumerate(jobs) for k in range(len(job.requests)))
        memory = llama_cpp.llama_get_memory(self.ctx.ctx)
        llama_cpp.llama_memory_clear(memory, True)
        started = time.perf_counter()
        live: dict[int, _Sequence] = {}  # by slot
        holding = -1  # the prompt the holding sequence has
        while True:
            now = time.perf_counter() - started
            for slot in sorted(live):  # each live sample's next token, from the last decode's row
                seq = live[slot]
                if not self._next(seq, now):
                    self._finish(seq, slot, live, out, memory, bool(queue))
            fresh: int | None = None  # the holder's last row, while its logits are the context's
            while queue and len(live) < self.sequences:
                j, k = queue[0]
                if not self._fits(jobs, live, j, k):
                    break
                job = jobs[j]
                if holding != j:
                    llama_cpp.llama_memory_seq_rm(memory, self.holder, -1, -1)
                    begin = time.perf_counter() - started
                    fresh = self._evaluate(job.tokens)
                    holding = j
                else:
                    begin = time.perf_counter() - started
                queue.popleft()
                slot = min(set(range(self.sequences)) - set(live))
                request = job.requests[k]
                scanner = StopScanner(request.stop, request.loop_span, request.ends)
                seq = _Sequence(request, self._sampler(request), scanner, j, k, len(job.tokens), begin)
                live[slot] = seq
                if fresh is not None:  # the prompt's cells, its last row's logits: sample now
                    llama_cpp.llama_memory_seq_cp(memory, self.holder, slot, -1, -1)
                    seq.logits_at, seq.position = fresh, len(job.tokens)
                    if not self._next(seq, time.perf_counter() - started):
                        self._finish(seq, slot, live, out, memory, bool(queue))
                else:  # the prompt's cells but its last: that token in this sample's own row
                    llama_cpp.llama_memory_seq_cp(memory, self.holder, slot, 0, len(job.tokens) - 1)
                    seq.token, seq.position = job.tokens[-1], len(job.tokens) - 1
            if not live:
                if queue:
                    raise ContextOverflowError("the parallel context cannot hold the next sample")
                break
            for row, slot in enumerate(sorted(live)):
                seq = live[slot]
                self.batch.batch.token[row] = seq.token
                self.batch.batch.pos[row] = seq.position
                self.batch.batch.seq_id[row][0] = slot
                self.batch.batch.n_seq_id[row] = 1
                self.batch.batch.logits[row] = True
                seq.logits_at = row
                seq.position += 1
            self.batch.batch.n_tokens = len(live)
            self._decode()
        return [[g for g in made if g is not None] for made in out]

    def _fits(self, jobs: Sequence[_Prompt], live: dict[int, _Sequence], j: int, k: int) -> bool:
        """Whether the context has room for request `k` of prompt `j` beside the live samples, each
        counted at its whole budget, and the prompts whose cells they (or the holder) use."""
        prompts = {seq.prompt for seq in live.values()} | {j}
        cells = sum(seq.request.max_tokens for seq in live.values()) + jobs[j].requests[k].max_tokens
        return cells + sum(len(jobs[p].tokens) for p in prompts) <= self.context

    def _evaluate(self, tokens: list[int]) -> int:
        """The prompt into the holding sequence; returns the row whose logits follow its last token."""
        step = int(self.llm.n_batch)
        batch = self.batch.batch
        for at in range(0, len(tokens), step):
            chunk = tokens[at : at + step]
            for row, token in enumerate(chunk):
                batch.token[row] = token
                batch.pos[row] = at + row
                batch.seq_id[row][0] = self.holder
                batch.n_seq_id[row] = 1
                batch.logits[row] = at + row == len(tokens) - 1
            batch.n_tokens = len(chunk)
            self._decode()
        return (len(tokens) - 1) % step

    def _next(self, seq: _Sequence, now: float) -> bool:
        """Samples the sequence's next token from its row; False when that ends it."""
        import llama_cpp

        if seq.request.holds and held(seq.request, seq.raw):
            mask(self._logits(seq.logits_at), self._end_tokens())
        token = seq.sampler.sample(self.ctx, seq.logits_at)
        if seq.tokens == 0:
            seq.first = now
        seq.tokens += 1
        if llama_cpp.llama_vocab_is_eog(self.vocab, token):
            self._end(seq, now)
            return False
        piece = seq.decoder.decode(self.llm.detokenize([token]))
        seq.raw += piece
        seq.parts.append(seq.scanner.feed(piece))
        if seq.scanner.ended or seq.tokens >= seq.request.max_tokens:
            seq.exhausted = not seq.scanner.ended
            self._end(seq, now)
            return False
        seq.token = token
        return True

    def _finish(
        self,
        seq: _Sequence,
        slot: int,
        live: dict[int, _Sequence],
        out: list[list[Generation | None]],
        memory: Any,
        more: bool,
    ) -> None:
        """Records an ended sample and frees its slot (and, with `more` to start, its cells)."""
        import llama_cpp

        out[seq.prompt][seq.index] = Generation(
            "".join(seq.parts),
            seq.scanner.finish(seq.exhausted),
            seq.scanner.hit or seq.scanner.ended_by,
            seq.prompt_tokens,
            seq.tokens,
            seq.first - seq.begin,
            seq.total - seq.begin,
            0,
        )
        del live[slot]
        if more:
            llama_cpp.llama_memory_seq_rm(memory, slot, -1, -1)

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
        seq.total = now

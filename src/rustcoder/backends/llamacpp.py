"""llama-cpp-python on a GGUF file: the local default backend.

Chat requests are rendered with the chat template stored in the GGUF, so the prompt the model sees is
exactly the one recorded. Consecutive requests that share a prefix (the same system prompt and one-shot
example, or a retry of the same task) reuse its KV cache: llama.cpp keeps the previous prompt's tokens
and evaluates only what differs. Requests of several sessions (a server's clients) each resume their
own session's prompt (`kv_sessions`). What a greedy answer is can depend on what the cache held, so a
resumed run first replays the prompts before it (`replay`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from rustcoder.backends.base import BackendInfo, Chunk, Generation, GenRequest, collect, scan
from rustcoder.backends.chat import PromptFormat
from rustcoder.backends.fim import find_fim_tokens
from rustcoder.backends.kv_sessions import KvSessions, shared
from rustcoder.backends.lookup import LookupDecoder
from rustcoder.backends.parallel import ParallelDecoder
from rustcoder.errors import BackendError, ContextOverflowError, ModelError
from rustcoder.models.fetch import ResolvedModel
from rustcoder.paths import sha256_file
from rustcoder.settings import LlamaCppSettings

log = logging.getLogger(__name__)


class LlamaCppBackend:
    """Generates with llama.cpp, one request at a time (llama.cpp uses every core for each).

    Thread-safe: a llama.cpp context is not, so generations from several threads take turns on a lock,
    held from the first token until the stream ends or is closed.
    """

    name = "llamacpp"

    def __init__(self, model: ResolvedModel, options: LlamaCppSettings | None = None) -> None:
        from llama_cpp import Llama

        self.model = model
        self.options = options or LlamaCppSettings()
        threads = self.options.threads or os.cpu_count() or 1
        if not model.is_gguf:
            raise ModelError(f"{model.path}: the llamacpp backend needs a .gguf file")
        try:
            self.llm = Llama(
                model_path=str(model.path),
                n_ctx=self.options.context,
                n_batch=self.options.batch,
                n_threads=threads,
                n_threads_batch=threads,
                lora_path=str(self.options.lora) if self.options.lora else None,
                seed=self.options.seed,
                verbose=False,
            )
        except ValueError as exc:
            raise ModelError(f"{model.path}: llama.cpp could not load it: {exc}") from exc
        self.threads = threads
        self._lock = threading.Lock()
        self.sessions = KvSessions(self.options.session_cache_mb * 2**20)
        self._parallel: ParallelDecoder | None = None
        self._replay: list[GenRequest] = []
        """Requests whose prompts are to be evaluated before the next generation (`replay`)."""
        self._fresh = False
        """Whether the cache is to be emptied before them."""
        self._ends: list[int] | None = None
        """The model's end-of-generation tokens, found when a request first holds them back."""
        self._lookup = (
            LookupDecoder(self.llm, self.options.lookup_draft) if self.options.lookup_draft else None
        )
        self.chat_template: str | None = self.llm.metadata.get("tokenizer.chat_template")
        vocab = self.llm._model  # token texts of the special tokens the template refers to
        self.fim = find_fim_tokens(self._is_token)
        self.format = PromptFormat(
            model.name,
            self.chat_template,
            bos_token=vocab.token_get_text(self.llm.token_bos()) if self.llm.token_bos() >= 0 else "",
            eos_token=vocab.token_get_text(self.llm.token_eos()),
            fim=self.fim,
        )

    def render(self, request: GenRequest) -> str:
        """The exact text the model is given."""
        return self.format.render(request)

    def _pieces(self, request: GenRequest, tokens: list[int], cached: list[int]) -> Iterator[str]:
        """The model's text, piece by piece; holds the model's lock until the stream is done or closed.
        Appends to `cached` how many of the prompt's tokens the KV cache held (llama.cpp evaluates only
        the rest)."""
        with self._lock:
            if not self.options.reuse_prefix:
                self.llm.reset()  # type: ignore[no-untyped-call]  # forget the previous prompt: every token is evaluated again
            else:
                self.sessions.switch(self.llm, request.session, tokens)
            cached.append(shared(self.llm.input_ids[: self.llm.n_tokens], tokens))
            try:
                if self._lookup is not None and request.temperature == 0 and not request.holds:
                    yield from self._lookup.generate(tokens, request.max_tokens)
                    return
                chunks: Any = self.llm.create_completion(
                    tokens,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    top_p=request.top_p,
                    seed=request.seed,
                    stream=True,
                    logits_processor=self._holding(request, len(tokens)),
                )
                for chunk in chunks:
                    yield chunk["choices"][0]["text"]
            except (RuntimeError, ValueError) as exc:  # llama.cpp's decode failing
                raise BackendError(f"llama.cpp failed: {exc}") from exc

    def replay(self, requests: Sequence[GenRequest], *, fresh: bool = False) -> None:
        """Leave the KV cache as making `requests` in order would have (after nothing, if `fresh`): at
        the next generation, their prompts are evaluated as generating them evaluated them, each
        reusing what the one before left (`base.Replays`). Without prefix reuse there is nothing to
        replay."""
        if not self.options.reuse_prefix:
            return
        with self._lock:
            if fresh:
                self._replay, self._fresh = [], True
            self._replay.extend(requests)

    def _catch_up(self) -> None:
        """What `replay` deferred, under the model lock and before a generation is timed. Each prompt
        is evaluated by the call that generates, stopped after two tokens: what stays cached for the
        next prompt is the part of this one they share, evaluated as before."""
        if self._fresh:
            self.llm.reset()  # type: ignore[no-untyped-call]
            self.sessions.owner = None
            self._fresh = False
        replay, self._replay = self._replay, []
        started = time.perf_counter()
        for request in replay:
            try:
                self.llm.create_completion(self._tokens(request), max_tokens=2, temperature=0.0)
            except (RuntimeError, ValueError) as exc:
                raise BackendError(f"llama.cpp failed replaying a prompt: {exc}") from exc
        if replay:
            log.info("replayed %d prompts in %.1f s", len(replay), time.perf_counter() - started)

    def _holding(self, request: GenRequest, prompt_tokens: int) -> Any:
        """The logits processors that apply `request`'s holds, if it has any (else None)."""
        if not request.holds:
            return None
        from llama_cpp import LogitsProcessorList

        from rustcoder.backends.holds import HoldProcessor, end_tokens

        if self._ends is None:
            self._ends = end_tokens(self.llm)
        return LogitsProcessorList([HoldProcessor(self.llm, request, prompt_tokens, self._ends)])

    def _is_token(self, text: str) -> bool:
        """Whether `text` is one special token of the model's vocabulary."""
        ids = self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        return len(ids) == 1 and self.llm._model.token_get_text(ids[0]) == text

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _tokens(self, request: GenRequest) -> list[int]:
        """The rendered prompt's tokens, as llama-cpp-python would make them of the text (with the
        model's BOS where it wants one); ContextOverflowError if they cannot fit."""
        prompt = self.render(request)
        bos = [self.llm.token_bos()] if self.llm._model.add_bos_token() and self.llm.token_bos() >= 0 else []
        tokens = bos + self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        if len(tokens) + request.max_tokens > self.options.context:
            raise ContextOverflowError(
                f"prompt of {len(tokens)} tokens plus {request.max_tokens} to generate exceeds the "
                f"context of {self.options.context}; raise --context"
            )
        return tokens

    @property
    def max_concurrency(self) -> int:
        return 1

    @property
    def parallel_sequences(self) -> int:
        """Samples of one prompt that `generate` decodes together."""
        return self.options.parallel

    def generate(self, requests: Sequence[GenRequest]) -> list[Generation]:
        """Requests whose prompts are the same (samples of one problem) are decoded together, up to
        `parallel_sequences` at a time; the others one by one, reusing the KV cache."""
        if self.options.parallel <= 1 or len(requests) < 2:
            return [collect(self.stream(request)) for request in requests]
        prompts = [self._tokens(request) for request in requests]
        same: dict[tuple[int, ...], list[int]] = {}
        for i, tokens in enumerate(prompts):
            same.setdefault(tuple(tokens), []).append(i)
        out: dict[int, Generation] = {}
        for prompt, members in same.items():
            fit = self._fitting(len(prompt), max(requests[i].max_tokens for i in members))
            if len(members) == 1 or fit < 2:  # alone, in the main context (which may be larger)
                for i in members:
                    out[i] = collect(self._stream(requests[i], list(prompt)))
                continue
            for at in range(0, len(members), fit):
                chunk = members[at : at + fit]
                with self._lock:
                    made = self._decoder().generate(list(prompt), [requests[i] for i in chunk])
                out.update(zip(chunk, made, strict=True))
        return [out[i] for i in range(len(requests))]

    def _parallel_context(self) -> int:
        return min(self.options.parallel_context, self.llm._model.n_ctx_train())  # not past training

    def _fitting(self, prompt_tokens: int, budget: int) -> int:
        """How many samples of `budget` tokens after a prompt fit the parallel context together (at
        most `parallel`): a long prompt's samples go in smaller groups rather than overflow it."""
        room = (self._parallel_context() - prompt_tokens) // max(1, budget)
        return max(0, min(self.options.parallel, room))

    def _decoder(self) -> ParallelDecoder:
        if self._parallel is None:
            self._parallel = ParallelDecoder(
                self.llm, self.options.parallel, self._parallel_context(), self.threads
            )
        return self._parallel

    def stream(self, request: GenRequest) -> Iterator[Chunk]:
        yield from self._stream(request, self._tokens(request))

    def _stream(self, request: GenRequest, tokens: list[int]) -> Iterator[Chunk]:
        if self._fresh or self._replay:
            with self._lock:  # before the generation's clock starts: not this request's time
                self._catch_up()
        cached: list[int] = []
        yield from scan(self._pieces(request, tokens, cached), request, len(tokens), lambda: sum(cached))

    def describe(self) -> BackendInfo:
        import llama_cpp

        lora = None
        if self.options.lora:
            lora = {"file": str(self.options.lora), "sha256": sha256_file(self.options.lora)}
        template = self.chat_template or ""
        return BackendInfo(
            name=self.name,
            model=self.model.describe(),
            settings={
                "threads": self.threads,
                "context": self.options.context,
                "parallel": self.options.parallel,
                **({"lookup_draft": self.options.lookup_draft} if self.options.lookup_draft else {}),
                "lora": lora,
                "chat_template_sha256": hashlib.sha256(template.encode()).hexdigest() if template else None,
            },
            versions={"llama_cpp_python": llama_cpp.__version__},
            chat_template=template or None,
        )

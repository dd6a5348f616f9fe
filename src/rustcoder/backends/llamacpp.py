"""llama-cpp-python on a GGUF file: the local default backend.

Chat requests are rendered with the chat template stored in the GGUF, so the prompt the model sees is
exactly the one recorded. Consecutive requests that share a prefix (the same system prompt and one-shot
example, or a retry of the same task) reuse its KV cache: llama.cpp keeps the previous prompt's tokens
and evaluates only what differs.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from rustcoder.backends.base import BackendInfo, Chunk, Generation, GenRequest, collect, scan
from rustcoder.backends.chat import PromptFormat
from rustcoder.backends.fim import find_fim_tokens
from rustcoder.errors import BackendError, ContextOverflowError, ModelError
from rustcoder.models.fetch import ResolvedModel
from rustcoder.paths import sha256_file
from rustcoder.settings import LlamaCppSettings


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

    def _pieces(self, request: GenRequest, prompt: str, cached: list[int]) -> Iterator[str]:
        """The model's text, piece by piece; holds the model's lock until the stream is done or closed.
        Appends to `cached` how many of the prompt's tokens the KV cache held (llama.cpp evaluates only
        the rest)."""
        with self._lock:
            if not self.options.reuse_prefix:
                self.llm.reset()  # type: ignore[no-untyped-call]  # forget the previous prompt: every token is evaluated again
            tokens = self.llm.tokenize(prompt.encode("utf-8"), special=True)
            cached.append(self.llm.longest_token_prefix(self.llm._input_ids.tolist(), tokens))
            try:
                chunks: Any = self.llm.create_completion(
                    prompt,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    top_p=request.top_p,
                    seed=request.seed,
                    stream=True,
                )
                for chunk in chunks:
                    yield chunk["choices"][0]["text"]
            except (RuntimeError, ValueError) as exc:  # llama.cpp's decode failing
                raise BackendError(f"llama.cpp failed: {exc}") from exc

    def _is_token(self, text: str) -> bool:
        """Whether `text` is one special token of the model's vocabulary."""
        ids = self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        return len(ids) == 1 and self.llm._model.token_get_text(ids[0]) == text

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _prompt(self, request: GenRequest) -> tuple[str, int]:
        """The rendered prompt and its length in tokens; ContextOverflowError if it cannot fit."""
        prompt = self.render(request)
        tokens = self.count_tokens(prompt)
        if tokens + request.max_tokens > self.options.context:
            raise ContextOverflowError(
                f"prompt of {tokens} tokens plus {request.max_tokens} to generate exceeds the "
                f"context of {self.options.context}; raise --context"
            )
        return prompt, tokens

    @property
    def max_concurrency(self) -> int:
        return 1

    def generate(self, requests: Sequence[GenRequest]) -> list[Generation]:
        return [collect(self.stream(request)) for request in requests]

    def stream(self, request: GenRequest) -> Iterator[Chunk]:
        prompt, tokens = self._prompt(request)
        cached: list[int] = []
        yield from scan(self._pieces(request, prompt, cached), request, tokens, lambda: sum(cached))

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
                "lora": lora,
                "chat_template_sha256": hashlib.sha256(template.encode()).hexdigest() if template else None,
            },
            versions={"llama_cpp_python": llama_cpp.__version__},
            chat_template=template or None,
        )

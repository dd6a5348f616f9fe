"""A deterministic backend for tests: scripted answers, simulated timings, no model and no sleeping."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator, Sequence

from rustcoder.backends.base import BackendInfo, Chunk, Generation, GenRequest, collect, scan
from rustcoder.types import RUST_END

Responder = Callable[[GenRequest, int], str]
"""(request, call number) -> the full text the "model" would produce after any prefill."""


def _default(request: GenRequest, call: int) -> str:
    digest = hashlib.sha256((request.prompt or repr(request.messages)).encode()).hexdigest()[:8]
    return f"// fake answer {digest} (call {call})\n{RUST_END}\n"


class FakeBackend:
    """Answers from a responder, a list (in order) or a default that depends only on the prompt."""

    name = "fake"

    def __init__(
        self,
        answers: Responder | Sequence[str] | None = None,
        *,
        tokens_per_second: float = 200.0,
        ttft_seconds: float = 0.01,
    ) -> None:
        if answers is None:
            self._respond: Responder = _default
        elif callable(answers):
            self._respond = answers
        else:
            script = list(answers)

            def scripted(_request: GenRequest, call: int) -> str:
                if call >= len(script):
                    raise IndexError(f"fake backend: no answer scripted for call {call}")
                return script[call]

            self._respond = scripted
        self.tokens_per_second = tokens_per_second
        self.ttft_seconds = ttft_seconds
        self.requests: list[GenRequest] = []

    @staticmethod
    def _pieces(text: str) -> list[str]:
        return [text[i : i + 4] for i in range(0, len(text), 4)]

    def _answer(self, request: GenRequest) -> str:
        call = len(self.requests)
        self.requests.append(request)
        return self._respond(request, call)

    @property
    def max_concurrency(self) -> int:
        return 1

    def render(self, request: GenRequest) -> str:
        return request.prompt if request.prompt is not None else repr(request.messages) + request.prefill

    def generate(self, requests: Sequence[GenRequest]) -> list[Generation]:
        return [collect(self.stream(request)) for request in requests]

    def stream(self, request: GenRequest) -> Iterator[Chunk]:
        """The scripted answer in 4-character pieces, timed as if decoded at `tokens_per_second`."""
        pieces = self._pieces(self._answer(request))[: request.max_tokens]
        prompt_tokens = len(request.prompt or "".join(m.content for m in request.messages)) // 4
        for chunk in scan(iter(pieces), request, prompt_tokens):
            if chunk.usage is not None:
                seconds = self.ttft_seconds + max(0, chunk.usage.tokens - 1) / self.tokens_per_second
                usage = dataclasses.replace(
                    chunk.usage, ttft_seconds=self.ttft_seconds, total_seconds=seconds
                )
                chunk = dataclasses.replace(chunk, usage=usage)
            yield chunk

    def describe(self) -> BackendInfo:
        return BackendInfo(
            name=self.name,
            model={"name": "fake", "sha256": None, "origin": "rustcoder's deterministic fake"},
            settings={"tokens_per_second": self.tokens_per_second},
        )

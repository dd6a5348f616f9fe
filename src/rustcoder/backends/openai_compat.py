"""Any OpenAI-compatible server (vLLM, llama.cpp's server, Ollama, TGI): rustcoder beyond one machine.

Chat requests go to /chat/completions (the server applies the model's template); raw prompts go to
/completions. A prefill is sent as a final assistant message with vLLM's `continue_final_message`
(servers without it see an ordinary assistant message). Stops are applied client-side, on the stream,
so the run knows which stop (or loop) ended a generation; the stream is then closed, which ends the
request on the server.
Transient failures (connection errors, 429, 5xx) are retried with exponential backoff by the client.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rustcoder.backends.base import BackendInfo, Chunk, Generation, GenRequest, collect, scan
from rustcoder.backends.fim import as_comments
from rustcoder.errors import BackendError, RequestError
from rustcoder.settings import OpenAISettings


class OpenAICompatBackend:
    """Generates through an OpenAI-compatible HTTP API, up to `concurrency` requests at a time."""

    name = "openai"

    def __init__(self, model: str, settings: OpenAISettings) -> None:
        from openai import OpenAI

        self.model = model
        self.settings = settings
        self.base_url = settings.base_url
        self.concurrency = settings.concurrency
        self.api_key_env = settings.api_key_env
        self.retries = settings.retries
        key = os.environ.get(settings.api_key_env) or "not-needed"  # local servers accept any key
        self.client = OpenAI(
            base_url=settings.base_url,
            api_key=key,
            max_retries=settings.retries,
            timeout=settings.request_timeout,
        )

    @property
    def max_concurrency(self) -> int:
        return self.concurrency

    def _chunks(self, request: GenRequest) -> Iterator[str]:
        common: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "seed": request.seed,
            "stream": True,
        }
        try:
            if request.prompt is not None:
                prompt = request.prompt
                if request.suffix is not None:  # the server renders the model's FIM tokens
                    common["suffix"] = request.suffix
                    prompt = as_comments(request.context_files) + prompt  # the API has no field for them
                    prompt += request.middle_start  # the server places the whole prefix itself
                stream: Any = self.client.completions.create(prompt=prompt, **common)
            else:
                messages: list[Any] = [{"role": m.role, "content": m.content} for m in request.messages]
                extra: dict[str, Any] = {}
                if request.prefill:
                    messages.append({"role": "assistant", "content": request.prefill})
                    extra = {"continue_final_message": True, "add_generation_prompt": False}
                stream = self.client.chat.completions.create(
                    messages=messages, extra_body=extra or None, **common
                )
            with stream:  # closed as soon as the caller stops reading: the server ends the request
                for chunk in stream:
                    if chunk.choices:
                        choice = chunk.choices[0]
                        yield (choice.text if request.prompt is not None else choice.delta.content) or ""
        except Exception as exc:  # the client already retried; name the server in one line
            raise BackendError(f"{self.base_url}: {type(exc).__name__}: {exc}") from exc

    def render(self, request: GenRequest) -> str | None:
        """A raw prompt is sent as it is; a chat request is rendered by the server."""
        return request.prompt

    def generate(self, requests: Sequence[GenRequest]) -> list[Generation]:
        if len(requests) == 1:
            return [collect(self.stream(requests[0]))]
        with ThreadPoolExecutor(min(self.concurrency, len(requests))) as pool:
            return list(pool.map(lambda request: collect(self.stream(request)), requests))

    def stream(self, request: GenRequest) -> Iterator[Chunk]:
        if request.holds:  # the server samples: its end token cannot be masked from here
            names = ", ".join(hold.name for hold in request.holds)
            raise RequestError(
                f"the openai backend cannot hold the model's end token ({names}): use a local one"
            )
        pieces = (piece for piece in self._chunks(request) if piece)  # keep-alive chunks carry no text
        yield from scan(pieces, request, prompt_tokens=0)

    def describe(self) -> BackendInfo:
        return BackendInfo(
            name=self.name,
            model={"name": self.model, "sha256": None, "origin": f"served by {self.base_url}"},
            settings={
                "base_url": self.base_url,
                "api_key_env": self.api_key_env,
                "concurrency": self.concurrency,
                "retries": self.retries,
                "prefill": "continue_final_message",
            },
        )

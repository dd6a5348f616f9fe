"""OpenAI's API: `POST /v1/completions` (a raw prompt, as Continue sends its own FIM template, or a
prompt and a `suffix`, which the engine renders with the model's FIM tokens), `POST /v1/chat/completions`
and `GET /v1/models`; both generation endpoints stream with server-sent events when asked."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Generator
from typing import Any

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse

from rustcoder.backends.base import Chunk, GenRequest, Message, close_stream
from rustcoder.completion.request import Completion, CompletionRequest, StopType
from rustcoder.serve.bridge import complete, relay, run_cancellable
from rustcoder.serve.openai_schemas import ChatRequest, CompletionsRequest
from rustcoder.serve.routers.deps import ServedDep, client_of
from rustcoder.serve.routers.tabby import TabbyRequest, tabby_complete
from rustcoder.serve.served import Served
from rustcoder.streams import drain

router = APIRouter(prefix="/v1")


def _finish(done: Completion) -> str:
    return "length" if done.stop_type is StopType.LIMIT else "stop"


def _usage(prompt: int, generated: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": generated, "total_tokens": prompt + generated}


@router.get("/models")
def models(served: ServedDep) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": served.model_name, "object": "model", "created": 0, "owned_by": "rustcoder"}],
    }


def _completion_request(body: CompletionsRequest, request: Request, served: Served) -> CompletionRequest:
    return CompletionRequest(
        prefix=body.text(),
        suffix=body.suffix or "",
        max_tokens=min(body.max_tokens, served.settings.max_tokens),
        temperature=body.temperature,
        top_p=body.top_p,
        stop=body.stops(),
        raw=body.suffix is None,  # the client rendered its own prompt (Continue's FIM template)
        warm_only=body.max_tokens == 0,
        client=client_of(request, "user", body.user),
    )


@router.post("/completions", response_model=None)
async def completions(
    body: CompletionsRequest | TabbyRequest, request: Request, served: ServedDep
) -> dict[str, Any] | EventSourceResponse:
    if isinstance(body, TabbyRequest):  # Tabby's clients use this path with their own body
        return await tabby_complete(body, request, served)
    job = _completion_request(body, request, served)
    ident, created = f"cmpl-{uuid.uuid4().hex}", int(time.time())
    head = {"id": ident, "object": "text_completion", "created": created, "model": served.model_name}
    kind = "raw" if job.raw else ""
    started = time.perf_counter()
    if body.stream:
        cancel = threading.Event()
        claim = served.engine.claim(job.client)

        async def events() -> AsyncIterator[str]:
            try:
                async for item in relay(served.engine.stream(job, cancel, claim), cancel):
                    if isinstance(item, str):
                        choice = {"index": 0, "text": item, "finish_reason": None}
                        yield json.dumps({**head, "choices": [choice]})
                        continue
                    done: Completion = item
                    served.metrics.completion("/v1/completions", done, time.perf_counter() - started, kind)
                    last = {"index": 0, "text": "", "finish_reason": _finish(done)}
                    yield json.dumps(
                        {**head, "choices": [last], "usage": _usage(done.prompt_tokens, done.tokens)}
                    )
                yield "[DONE]"
            finally:
                served.engine.release(claim)  # also when the stream never started (a client gone first)

        return EventSourceResponse(events(), ping=15)
    done = await complete(request, served.engine, job)
    served.metrics.completion("/v1/completions", done, time.perf_counter() - started, kind)
    choice = {"index": 0, "text": done.text, "finish_reason": _finish(done), "logprobs": None}
    return {**head, "choices": [choice], "usage": _usage(done.prompt_tokens, done.tokens)}


def _chat_stream(served: Served, gen: GenRequest, cancel: threading.Event) -> Generator[str, None, Chunk]:
    """The backend's chat answer piece by piece; returns the last chunk (finish and usage)."""
    last = Chunk("")
    stream = served.backend.stream(gen)
    try:
        for chunk in stream:
            if cancel.is_set():
                break
            last = chunk
            if chunk.text:
                yield chunk.text
    finally:
        close_stream(stream)
    return last


def _collect(pieces: Generator[str, None, Chunk]) -> tuple[str, Chunk]:
    texts, last = drain(pieces)
    return "".join(texts), last


@router.post("/chat/completions", response_model=None)
async def chat(
    body: ChatRequest, request: Request, served: ServedDep
) -> dict[str, Any] | EventSourceResponse:
    limit = served.settings.max_tokens
    gen = GenRequest(
        messages=tuple(Message(m.role, m.content) for m in body.messages),
        max_tokens=min(body.max_completion_tokens or body.max_tokens or limit, limit),
        temperature=body.temperature,
        top_p=body.top_p,
        stop=body.stops(),
        seed=body.seed,
    )
    ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    head = {"id": ident, "object": "chat.completion", "created": created, "model": served.model_name}
    started = time.perf_counter()

    def observe(last: Chunk) -> str:
        seconds = time.perf_counter() - started
        served.metrics.latency.labels("/v1/chat/completions", "chat").observe(seconds)
        if last.usage is not None:
            served.metrics.prompt_tokens.labels("/v1/chat/completions").inc(last.usage.prompt_tokens)
            served.metrics.generated_tokens.labels("/v1/chat/completions").inc(last.usage.tokens)
        return "length" if last.finish in ("length", "loop") else "stop"

    if body.stream:
        cancel = threading.Event()
        chunk_head = {**head, "object": "chat.completion.chunk"}

        async def events() -> AsyncIterator[str]:
            first = {"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
            yield json.dumps({**chunk_head, "choices": [first]})
            async for item in relay(_chat_stream(served, gen, cancel), cancel):
                if isinstance(item, str):
                    delta = {"index": 0, "delta": {"content": item}, "finish_reason": None}
                    yield json.dumps({**chunk_head, "choices": [delta]})
                    continue
                end = {"index": 0, "delta": {}, "finish_reason": observe(item)}
                yield json.dumps({**chunk_head, "choices": [end]})
            yield "[DONE]"

        return EventSourceResponse(events(), ping=15)
    text, last = await run_cancellable(request, lambda cancel: _collect(_chat_stream(served, gen, cancel)))
    usage = last.usage
    message = {"role": "assistant", "content": text}
    return {
        **head,
        "choices": [{"index": 0, "message": message, "finish_reason": observe(last)}],
        "usage": _usage(usage.prompt_tokens if usage else 0, usage.tokens if usage else 0),
    }

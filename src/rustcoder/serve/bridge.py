"""Running the engine's blocking generation from async handlers: in a worker thread, cancelled when the
client disconnects, and streamed piece by piece."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from starlette.requests import Request

if TYPE_CHECKING:
    from rustcoder.completion.engine import CompletionEngine
    from rustcoder.completion.request import Completion, CompletionRequest

T = TypeVar("T")
POLL_SECONDS = 0.05
"""How often a waiting handler checks whether its client has gone."""


async def run_cancellable(request: Request, work: Callable[[threading.Event], T]) -> T:
    """`work(cancel)` in a thread; `cancel` is set as soon as the client disconnects."""
    cancel = threading.Event()
    task = asyncio.ensure_future(anyio.to_thread.run_sync(work, cancel))
    try:
        while not cancel.is_set():
            done, _ = await asyncio.wait({task}, timeout=POLL_SECONDS)
            if done:
                break
            if await request.is_disconnected():
                cancel.set()  # the work ends at its next check; no more polling for a client gone
        return await task
    finally:
        cancel.set()


def _step(pieces: Generator[str, None, Any]) -> tuple[str | None, Any]:
    try:
        return next(pieces), None
    except StopIteration as done:
        return None, done.value


async def relay(pieces: Generator[str, None, T], cancel: threading.Event) -> AsyncIterator[str | T]:
    """The generator's pieces, then its return value, each taken in a worker thread; if the consumer
    stops early (the client went away), `cancel` is set so the generation ends at its next token."""
    try:
        while True:
            piece, result = await anyio.to_thread.run_sync(_step, pieces)
            if piece is None:
                yield result
                return
            yield piece
    finally:
        cancel.set()
        pieces.close()  # no step runs now (a worker thread's step is waited for): frees the model


async def complete(request: Request, engine: CompletionEngine, job: CompletionRequest) -> Completion:
    """`job`'s suggestion from `engine` in a worker thread: its client's place is claimed now, as the
    request arrives (a newer one of the same client cancels it from here on), and a disconnect cancels
    it too."""
    claim = engine.claim(job.client)
    return await run_cancellable(request, lambda cancel: engine.complete(job, cancel, claim))

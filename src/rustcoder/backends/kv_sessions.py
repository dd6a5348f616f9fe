"""The evaluated prompts of recent sessions, kept in memory, so that a client whose turn comes after
another client's resumes its own KV cache instead of evaluating its whole prompt again.

A llama.cpp context holds one prompt's KV cache. With several editors typing at one server, every
request would otherwise evaluate its whole window (seconds on a CPU), because another client's prompt
replaced it. What is kept per session: sequence 0's KV cells (`llama_state_seq_get_data`, about
12 KiB per token for the 0.5B default) and the token ids. Not llama-cpp-python's `save_state`: that
also copies its logits buffer (batch × vocabulary floats, 300 MiB for Qwen) on every save.

Prompts are swapped only when the session changes, so one client typing alone pays nothing; the
oldest kept prompts go first once their bytes exceed the capacity.
"""

from __future__ import annotations

import ctypes
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class SavedPrompt:
    tokens: npt.NDArray[np.intc]
    kv: bytes


def shared(a: npt.NDArray[np.intc], b: list[int]) -> int:
    """How many leading tokens `a` and `b` have in common."""
    n = min(len(a), len(b))
    if n == 0:
        return 0
    differ = np.flatnonzero(a[:n] != np.asarray(b[:n], dtype=np.intc))
    return int(differ[0]) if differ.size else n


class KvSessions:
    """One saved prompt per session, least recently served dropped first; not thread-safe (the backend
    calls it under its model lock)."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self._saved: OrderedDict[str, SavedPrompt] = OrderedDict()
        self.owner: str | None = None
        """The session whose prompt the context holds now."""
        self.restored = 0
        """Prompts restored so far (each one an evaluation saved)."""

    @property
    def size_bytes(self) -> int:
        return sum(len(saved.kv) for saved in self._saved.values())

    def __contains__(self, session: str) -> bool:
        return session in self._saved

    def switch(self, llm: Any, session: str, tokens: list[int]) -> None:
        """Give the context to `session`, whose prompt is `tokens`: keep the current owner's prompt, and
        restore the session's own if it shares more with `tokens` than what the context holds."""
        if session == self.owner:
            return
        if self.owner is not None and llm.n_tokens > 0 and self.capacity_bytes > 0:
            self._keep(self.owner, _capture(llm))
        self.owner = session
        saved = self._saved.pop(session, None)  # from now on the context holds it, or something better
        if saved is None:
            return
        if shared(saved.tokens, tokens) > shared(llm.input_ids[: llm.n_tokens], tokens):
            _restore(llm, saved)
            self.restored += 1

    def _keep(self, session: str, saved: SavedPrompt) -> None:
        self._saved.pop(session, None)
        self._saved[session] = saved
        total = self.size_bytes
        while total > self.capacity_bytes and self._saved:
            total -= len(self._saved.popitem(last=False)[1].kv)


def _capture(llm: Any) -> SavedPrompt:
    import llama_cpp

    ctx = llm._ctx.ctx
    size = llama_cpp.llama_state_seq_get_size(ctx, 0)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
    return SavedPrompt(llm.input_ids[: llm.n_tokens].copy(), ctypes.string_at(buffer, written))


def _restore(llm: Any, saved: SavedPrompt) -> None:
    """Replace the context's prompt with `saved`; on failure the context is left empty (the prompt is
    then evaluated from its start, as without this cache)."""
    import llama_cpp

    llm._ctx.kv_cache_seq_rm(0, 0, -1)
    llm.n_tokens = 0
    llm._requires_eval = True  # llama-cpp-python re-evaluates the last token before sampling
    buffer = (ctypes.c_uint8 * len(saved.kv)).from_buffer_copy(saved.kv)
    if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buffer, len(saved.kv), 0) != len(saved.kv):
        llm._ctx.kv_cache_seq_rm(0, 0, -1)
        return
    llm.input_ids[: len(saved.tokens)] = saved.tokens
    llm.n_tokens = len(saved.tokens)

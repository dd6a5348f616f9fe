"""The completion engine: one request in, one suggestion out, for any backend; knows nothing of HTTP.

Invariants:
- A client's newer request cancels its older one at the next generated token, or at once if it is still
  waiting for the model: the older answer comes back empty and `cancelled`. Requests take turns on the
  model (`turns.Turns`), single-line ones first; a running multi-line one yields after its current line
  to a waiting single-line one. (A prompt being evaluated is not interrupted: llama.cpp gives no token
  to stop at before its end.)
- What is suggested is what `post.suggestion` makes of the model's text, so generation stops where the
  suggestion would be cut anyway (the end rules go to the backend with the request).
- A cached suggestion is only ever served for the same suffix, context and settings (`cache.Key`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustcoder.backends.base import Chunk, EndHold, EndRule, GenRequest
from rustcoder.completion.cache import Key, SuggestionCache
from rustcoder.completion.context import Count, fit, snippets
from rustcoder.completion.post import end_rules, mode_at, suggestion
from rustcoder.completion.request import Completion, CompletionRequest, Mode, StopType
from rustcoder.completion.turns import Turns
from rustcoder.streams import drain
from rustcoder.types import FimLayout

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend

_STOP_TYPES = {"stop": StopType.WORD, "end": StopType.EOS, "eos": StopType.EOS}


@dataclass(frozen=True, slots=True)
class EngineSettings:
    context_tokens: int = 1536
    """Tokens of code the prompt may hold: the file around the cursor and other files' chunks."""
    layout: FimLayout = FimLayout.PSM
    cache_size: int = 250
    """Recent suggestions kept (0: no cache)."""
    post_process: bool = True
    """Cut and check suggestions with tree-sitter (off only to measure what it gives)."""
    middle_lines: int = 8
    """The lines before the cursor from the last line whose number is a multiple of this, and the
    cursor's line so far, go after the FIM middle marker (llama.cpp's /infill puts the cursor's line
    there): typing, a new line included, then re-evaluates only the typed tokens, and the text before
    the suffix changes once every this many lines. 1: the cursor's line only; 0: all of the prefix goes
    before the suffix (to measure what it gives)."""
    cancel_stale: bool = True
    """A client's newer request, or its disconnect, cancels its older one (off only to measure what it
    gives: then every request runs to its end, in turn)."""
    hold_open: bool = False
    """A multi-line suggestion may not end (the model's end token) while a bracket it opened is open."""


@dataclass(frozen=True, slots=True)
class Claim:
    """A request's place among its client's requests: `stale` is set once a newer one arrives."""

    key: str
    stale: threading.Event


def _approximate_count(text: str) -> int:
    return max(1, len(text) // 4) if text else 0


class CompletionEngine:
    """Answers `CompletionRequest`s with one backend; thread-safe (the backend serialises the model)."""

    def __init__(
        self, backend: Backend, settings: EngineSettings | None = None, count: Count | None = None
    ) -> None:
        self.backend = backend
        self.settings = settings or EngineSettings()
        counter = getattr(backend, "count_tokens", None)
        self.count: Count = count or (counter if callable(counter) else _approximate_count)
        self.cache = SuggestionCache(self.settings.cache_size)
        self._active: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.turns = Turns()

    def claim(self, client: str) -> Claim:
        """A new request of `client`, claimed as it arrives (before it waits for a worker or the model):
        the client's older one, if still running or waiting, is cancelled (unless `cancel_stale` is off:
        then each request is kept on its own)."""
        stale = threading.Event()
        key = client if self.settings.cancel_stale else f"{client}\0{id(stale)}"
        with self._lock:
            if (older := self._active.get(key)) is not None:
                older.set()
            self._active[key] = stale
        return Claim(key, stale)

    def cancel_all(self) -> None:
        """Cancel every running request (the server is shutting down)."""
        with self._lock:
            for event in self._active.values():
                event.set()

    def release(self, claim: Claim) -> None:
        """The request is over (`stream` releases what it claimed, and what it was given)."""
        with self._lock:
            if self._active.get(claim.key) is claim.stale:
                del self._active[claim.key]

    def _request(self, request: CompletionRequest, mode: Mode) -> tuple[GenRequest, bool, Key | None]:
        """The backend request, whether the context was cut, and the cache key (None: not cacheable)."""
        if request.raw:
            gen = GenRequest(
                prompt=request.prefix, stop=request.stop, max_tokens=max(1, request.max_tokens),
                temperature=request.temperature, top_p=request.top_p, session=request.client,
            )  # fmt: skip
            return gen, False, None
        files = request.files
        if sum(len(f.text) for f in files) > 4 * self.settings.context_tokens:  # whole files: pick windows
            files = tuple(snippets(files, "\n".join(request.prefix.splitlines()[-24:])))
        window = fit(request.prefix, request.suffix, files, self.settings.context_tokens, self.count)
        rules = end_rules(mode, window.prefix, window.suffix) if self.settings.post_process else ()
        holds: tuple[EndHold, ...] = ()
        if self.settings.hold_open and mode is Mode.BLOCK:
            from rustcoder.postprocess.middle import OpenBracket

            holds = (OpenBracket(),)
        head, line = split_typed(request.prefix, window.prefix, self.settings.middle_lines)
        gen = GenRequest(
            prompt=head, suffix=window.suffix, fim_layout=self.settings.layout, middle_start=line,
            context_files=window.files, path=request.path, ends=rules, holds=holds, stop=request.stop,
            max_tokens=max(1, request.max_tokens), temperature=request.temperature, top_p=request.top_p,
            session=request.client,
        )  # fmt: skip
        digest = hashlib.sha256(
            repr((window.files, request.path, request.stop, request.max_tokens, request.temperature,
                  request.top_p, request.mode, self.settings)).encode()
        ).hexdigest()  # fmt: skip
        cacheable = request.temperature == 0 and not request.warm_only
        return gen, window.truncated, Key(window.suffix, digest) if cacheable else None

    def complete(
        self, request: CompletionRequest, cancel: threading.Event | None = None, claim: Claim | None = None
    ) -> Completion:
        """The suggestion for `request`; `cancel` (a client gone) stops it like a newer request would."""
        return drain(self.stream(request, cancel, claim))[1]

    def stream(
        self, request: CompletionRequest, cancel: threading.Event | None = None, claim: Claim | None = None
    ) -> Generator[str, None, Completion]:
        """The text as the model writes it (already ended by the end rules), then, as the generator's
        return value, the `Completion` (whose text is also fence-stripped and syntax-checked). `claim`:
        the request's place among its client's, taken when it arrived (else taken now)."""
        claim = claim or self.claim(request.client)
        try:
            mode = request.mode or (Mode.BLOCK if request.raw else mode_at(request.prefix, request.suffix))
            if not self.settings.cancel_stale:
                cancel = None
            if claim.stale.is_set() or (cancel is not None and cancel.is_set()):  # replaced, or gone
                return Completion("", mode, StopType.NONE, cancelled=True)
            gen, truncated, key = self._request(request, mode)
            if key is not None and (hit := self.cache.get(key, _prefix(gen))) is not None:
                yield hit
                return Completion(hit, mode, StopType.NONE, truncated=truncated, from_cache=True)
            return (yield from self._generate(request, gen, mode, truncated, key, claim.stale, cancel))
        finally:
            self.release(claim)

    def _generate(
        self,
        request: CompletionRequest,
        gen: GenRequest,
        mode: Mode,
        truncated: bool,
        key: Key | None,
        mine: threading.Event,
        cancel: threading.Event | None,
    ) -> Generator[str, None, Completion]:
        stopped = _Cancelled((mine, *([cancel] if cancel is not None else [])))
        yielded = _YieldToLines(self)
        ends: tuple[EndRule, ...] = (*gen.ends, stopped)
        if request.time_budget_ms is not None:
            ends = (*ends, _Deadline(request.time_budget_ms))
        if mode is Mode.BLOCK and not request.raw:
            ends = (*ends, yielded)
        texts: list[str] = []
        last = Chunk("")
        started = time.perf_counter()
        if not self.turns.acquire(mode is Mode.LINE, stopped.is_set):
            return Completion("", mode, StopType.NONE, truncated=truncated, cancelled=True)
        try:
            for chunk in self.backend.stream(dataclasses.replace(gen, ends=ends)):
                texts.append(chunk.text)
                last = chunk
                if chunk.text and not request.warm_only and not stopped.hit:
                    yield chunk.text
        finally:
            self.turns.release()
        text = "".join(texts)
        usage = last.usage
        cancelled = last.stopped_by == stopped.name
        if last.stopped_by in (_Deadline.name, _YieldToLines.name) or last.finish in ("length", "loop"):
            stop_type = StopType.LIMIT
        else:
            stop_type = _STOP_TYPES.get(last.finish or "", StopType.NONE)
        if cancelled or request.warm_only:
            text, stop_type = "", StopType.NONE
        dropped = ""
        if text and not request.raw and self.settings.post_process:
            text, dropped = suggestion(text, mode, _prefix(gen), gen.suffix or "")
        if key is not None and text and not cancelled and not yielded.hit:
            self.cache.put(key, _prefix(gen), text)
        elapsed = (time.perf_counter() - started) * 1000
        first_ms = usage.ttft_seconds * 1000 if usage else elapsed
        return Completion(
            text=text,
            mode=mode,
            stop_type=stop_type,
            stopping_word=(last.stopped_by or "") if stop_type is StopType.WORD else "",
            prompt_tokens=usage.prompt_tokens if usage else 0,
            cached_tokens=usage.cached_tokens if usage else 0,
            tokens=usage.tokens if usage else 0,
            prompt_ms=round(first_ms, 2),
            predicted_ms=round(max(0.0, elapsed - first_ms), 2),
            truncated=truncated,
            cancelled=cancelled,
            dropped=dropped,
            yielded=yielded.hit,
        )


def split_typed(prefix: str, window: str, every: int) -> tuple[str, str]:
    """`window` (the tail of `prefix` that fits) as the text before the FIM suffix and the text after
    the middle marker: the latter from the last line whose number in `prefix` is a multiple of `every`
    (at most the whole window), through the cursor."""
    if every <= 0:
        return window, ""
    cursor_line = prefix.count("\n")
    first_line = cursor_line - window.count("\n")
    keep = max(0, cursor_line - cursor_line % every - first_line)  # window lines before the anchor
    cut = 0
    for _ in range(keep):
        cut = window.index("\n", cut) + 1
    return window[:cut], window[cut:]


def _prefix(gen: GenRequest) -> str:
    """The whole text before the cursor (the prompt and the middle's start)."""
    return (gen.prompt or "") + gen.middle_start


class _Cancelled:
    """Ends the text where it is once any of `events` is set (a newer request, a client gone). Not a
    pure rule (see `EndRule`): the engine's own, so that the backend's stream ends the ordinary way,
    with its usage, and releases the model."""

    name = "cancelled"

    def __init__(self, events: tuple[threading.Event, ...]) -> None:
        self.events = events
        self.hit = False

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)

    def __call__(self, text: str) -> int | None:
        if self.is_set():
            self.hit = True
            return len(text)
        return None


class _YieldToLines:
    """A multi-line suggestion ends after its last complete line as soon as a single-line request is
    waiting for the model: one keystroke's suggestion never waits for a whole block, only for the line
    being written. Not a pure rule (it reads the engine's queue)."""

    name = "yielded"

    def __init__(self, engine: CompletionEngine) -> None:
        self.engine = engine
        self.hit = False

    def __call__(self, text: str) -> int | None:
        if self.engine.turns.waiting_lines <= 0:
            return None
        at = text.rfind("\n")
        if at < 0 or not text[:at].strip():
            return None  # not one whole line yet
        self.hit = True
        return at


class _Deadline:
    """llama.cpp's `t_max_predict_ms`: once this many milliseconds have passed since the first token,
    the text ends at its next line end. Not a pure rule either (it reads the clock)."""

    name = "time budget"

    def __init__(self, budget_ms: int) -> None:
        self.budget_ms = budget_ms
        self.started: float | None = None
        self.mark: int | None = None

    def __call__(self, text: str) -> int | None:
        now = time.perf_counter()
        if self.started is None:
            self.started = now
        if self.mark is None:
            if (now - self.started) * 1000 <= self.budget_ms:
                return None
            self.mark = max(0, text.rfind("\n") + 1)  # the line being written when time ran out
        at = text.find("\n", self.mark)
        return at if at >= 0 else None

"""What every generation backend takes and returns, and the two methods it must have."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    """system, user or assistant."""
    content: str


@dataclass(frozen=True, slots=True)
class GenRequest:
    """One generation: chat `messages` (the backend applies the model's chat template) or a raw `prompt`."""

    messages: tuple[Message, ...] = ()
    prompt: str | None = None
    prefill: str = ""
    """Text the assistant's reply starts with (chat only); the generation continues it."""
    max_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int = 0
    loop_span: int = 0
    """Stop once the last `loop_span` characters are one piece of at most LOOP_PERIOD characters repeated
    (a runaway like `o|o|o|...`); 0: never. The generation's finish is then `loop`."""

    def __post_init__(self) -> None:
        if bool(self.messages) == (self.prompt is not None):
            raise ValueError("a request needs either messages or a prompt")
        if self.max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {self.max_tokens}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if self.loop_span < 0:
            raise ValueError(f"loop_span must be >= 0, got {self.loop_span}")


@dataclass(frozen=True, slots=True)
class Generation:
    """The text a backend produced (after any prefill) and how long it took."""

    text: str
    finish: str
    """stop (a stop sequence), eos (the model ended its turn), length (max_tokens) or loop (the request's
    loop_span)."""
    stopped_by: str | None
    prompt_tokens: int
    tokens: int
    ttft_seconds: float
    total_seconds: float

    @property
    def cut_off(self) -> bool:
        """Whether rustcoder ended the output (token budget or a loop) rather than the model or a stop."""
        return self.finish in ("length", "loop")

    @property
    def tokens_per_second(self) -> float:
        decode = self.total_seconds - self.ttft_seconds
        return (self.tokens - 1) / decode if self.tokens > 1 and decode > 0 else 0.0


class Backend(Protocol):
    """A model that generates text. Implementations: llamacpp, transformers, openai, fake."""

    name: str

    def generate(self, requests: Sequence[GenRequest]) -> list[Generation]:
        """One generation per request, in order."""
        ...

    def stream(self, request: GenRequest) -> Iterator[str]:
        """The generation's text, piece by piece, as it is produced."""
        ...

    def describe(self) -> dict[str, object]:
        """What a run records about this backend: model file and hash, settings, chat template."""
        ...


LOOP_PERIOD = 32
"""The longest repeated piece a loop guard recognises, in characters."""


def looping(text: str, span: int) -> bool:
    """Whether the last `span` characters of `text` are one piece of at most LOOP_PERIOD characters
    repeated (0: never)."""
    if span <= 0 or len(text) < span:
        return False
    tail = text[-span:]
    return any(tail[period:] == tail[:-period] for period in range(1, LOOP_PERIOD + 1))


@dataclass(slots=True)
class StopScanner:
    """Finds where streamed text ends: the earliest stop sequence, even when it spans pieces, or a loop
    (see `looping`) once `loop_span` characters repeat."""

    stops: tuple[str, ...]
    loop_span: int = 0
    text: str = ""
    hit: str | None = None
    looped: bool = False
    _emitted: int = field(default=0)

    @property
    def ended(self) -> bool:
        return self.hit is not None or self.looped

    def feed(self, piece: str) -> str:
        """Add a piece; returns the text that is now certainly before any stop sequence."""
        self.text += piece
        found = [(self.text.find(s), s) for s in self.stops if s and s in self.text]
        if found:
            at, stop = min(found)
            self.hit = stop
            self.text = self.text[:at]
        elif looping(self.text, self.loop_span):
            self.looped = True
        hold = 0 if self.ended else max((len(s) - 1 for s in self.stops if s), default=0)
        safe = len(self.text) - hold
        out = self.text[self._emitted : max(self._emitted, safe)]
        self._emitted = max(self._emitted, safe)
        return out

    def flush(self) -> str:
        """The rest of the text once the stream has ended."""
        out = self.text[self._emitted :]
        self._emitted = len(self.text)
        return out

    def finish(self, exhausted: bool) -> str:
        """A Generation's `finish`, given whether the token budget ran out."""
        if self.hit:
            return "stop"
        if self.looped:
            return "loop"
        return "length" if exhausted else "eos"


def _close(pieces: Iterable[str]) -> None:
    close = getattr(pieces, "close", None)
    if callable(close):
        close()


def streamed_generation(pieces: Iterator[str], request: GenRequest, prompt_tokens: int) -> Generation:
    """Consume a token stream with the request's stops and loop guard applied client-side, timing the
    first token and the whole generation."""
    scanner = StopScanner(request.stop, request.loop_span)
    started = time.perf_counter()
    first = 0.0
    count = 0
    for piece in pieces:
        if count == 0:
            first = time.perf_counter() - started
        count += 1
        scanner.feed(piece)
        if scanner.ended:
            break
    total = time.perf_counter() - started
    _close(pieces)  # ends the backend's stream now (a server request, a held model lock), not at GC
    finish = scanner.finish(count >= request.max_tokens)
    return Generation(scanner.text, finish, scanner.hit, prompt_tokens, count, first, total)


def stop_at_stops(pieces: Iterable[str], request: GenRequest) -> Iterator[str]:
    """Yield text as it arrives, holding back what could begin a stop; end at the first stop or loop."""
    scanner = StopScanner(request.stop, request.loop_span)
    for piece in pieces:
        chunk = scanner.feed(piece)
        if chunk:
            yield chunk
        if scanner.ended:
            _close(pieces)
            return
    rest = scanner.flush()
    if rest:
        yield rest

"""What every generation backend takes and returns, and the small interface it implements.

A backend streams typed chunks (`stream`) and generates whole answers (`generate`, a batch); both come
from one scan of the model's raw pieces (`scan`), which applies the request's stops and loop guard and
times the first token and the whole generation, so a server can render OpenAI or llama.cpp responses
from the same chunks that evaluation collects into a `Generation`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from rustcoder.backends.fim import ContextFile
from rustcoder.types import FimLayout


class EndRule(Protocol):
    """Says where a generated text is complete, if it is yet (the end of a line, of a block, a repeated
    suffix): the stream ends there, as an editor would cut the suggestion. Rules are pure functions of
    the text, so the same rule applied again to the finished text gives the same cut."""

    @property
    def name(self) -> str: ...

    def __call__(self, text: str) -> int | None:
        """The length `text` is cut to once it is complete; None while it may still go on."""
        ...


class EndHold(Protocol):
    """Says that a generated text cannot be complete yet (it opened a bracket it has not closed): while
    it says so, the backend masks the model's end-of-generation tokens, so that the model writes on
    rather than ending early. Holds are pure functions of the text, like end rules."""

    @property
    def name(self) -> str: ...

    def __call__(self, text: str) -> bool:
        """True while `text` may not end."""
        ...


def held(request: GenRequest, text: str) -> bool:
    """Whether any of `request`'s holds keeps `text` from ending."""
    return any(hold(text) for hold in request.holds)


@dataclass(frozen=True, slots=True)
class Message:
    role: str
    """system, user or assistant."""
    content: str


@dataclass(frozen=True, slots=True)
class GenRequest:
    """One generation: chat `messages` (the backend applies the model's chat template), a raw `prompt`,
    or a gap to fill: `prompt` is the text before it and `suffix` the text after it."""

    messages: tuple[Message, ...] = ()
    prompt: str | None = None
    suffix: str | None = None
    """Fill-in-the-middle: the text after the gap; the backend renders the model's FIM tokens around
    `prompt` and `suffix` in `fim_layout` (a model without FIM tokens refuses the request)."""
    fim_layout: FimLayout = FimLayout.PSM
    context_files: tuple[ContextFile, ...] = ()
    """Fill-in-the-middle: other files the model sees before the gap's file (see backends.fim)."""
    path: str = ""
    """Fill-in-the-middle: the gap's file, named after `context_files`."""
    middle_start: str = ""
    """Fill-in-the-middle: the start of the middle, already written (the cursor's line so far), placed
    after the middle marker as llama.cpp's /infill places its `prompt`: typing within a line then
    changes only the prompt's last tokens, and the KV cache keeps the rest."""
    prefill: str = ""
    """Text the assistant's reply starts with (chat only); the generation continues it."""
    max_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    ends: tuple[EndRule, ...] = ()
    """Rules that end the text where it is complete (see `EndRule`); the earliest cut wins, and the
    generation's finish is then `end`."""
    holds: tuple[EndHold, ...] = ()
    """Rules that keep the model from ending the text while it is unfinished (see `EndHold`)."""
    seed: int = 0
    session: str = ""
    """Who asks (a server's client): a backend that keeps several prompts' KV caches keeps one per
    session, so that a client's next request resumes its own."""
    loop_span: int = 0
    """Stop once the last `loop_span` characters are one piece of at most LOOP_PERIOD characters repeated
    (a runaway like `o|o|o|...`); 0: never. The generation's finish is then `loop`."""

    def __post_init__(self) -> None:
        if bool(self.messages) == (self.prompt is not None):
            raise ValueError("a request needs either messages or a prompt")
        if self.suffix is not None and (self.prompt is None or self.prefill):
            raise ValueError("a fill-in-the-middle suffix goes with a prompt (the prefix), not messages")
        if (self.context_files or self.middle_start) and self.suffix is None:
            raise ValueError(
                "context files and a middle start go with a fill-in-the-middle request (a suffix)"
            )
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
    """stop (a stop sequence), end (one of the request's end rules), eos (the model ended its turn),
    length (max_tokens) or loop (the request's loop_span)."""
    stopped_by: str | None
    """The stop sequence, or the name of the end rule, that ended the text."""
    prompt_tokens: int
    tokens: int
    ttft_seconds: float
    total_seconds: float
    cached_tokens: int = 0
    """Of the prompt's tokens, how many the model's KV cache already held (0 where unknown)."""

    @property
    def cut_off(self) -> bool:
        """Whether rustcoder ended the output (token budget or a loop) rather than the model or a stop."""
        return self.finish in ("length", "loop")

    @property
    def tokens_per_second(self) -> float:
        decode = self.total_seconds - self.ttft_seconds
        return (self.tokens - 1) / decode if self.tokens > 1 and decode > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Usage:
    """What one generation used and how long it took."""

    prompt_tokens: int
    """Tokens of the rendered prompt (0 where the backend cannot know, e.g. a remote chat template)."""
    tokens: int
    """Tokens generated (pieces read from the model, the one a stop was found in included)."""
    ttft_seconds: float
    total_seconds: float
    cached_tokens: int = 0
    """Of the prompt's tokens, how many the model's KV cache already held (0 where unknown)."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a streamed generation. Only the last chunk of a stream says how it ended."""

    text: str
    finish: str | None = None
    """On the last chunk: stop, end, eos, length or loop (see `Generation.finish`)."""
    stopped_by: str | None = None
    usage: Usage | None = None
    """On the last chunk."""


@dataclass(frozen=True, slots=True)
class BackendInfo:
    """What a run records about a backend; the same shape for every backend."""

    name: str
    model: dict[str, object]
    """name, sha256 (None where unknown), origin, and where it is (`ResolvedModel.describe`)."""
    settings: dict[str, object] = field(default_factory=dict)
    """The backend's own knobs: threads, context, adapter, device, base_url, concurrency ..."""
    versions: dict[str, str] = field(default_factory=dict)
    """The libraries that run the model: llama_cpp_python, transformers, torch ..."""
    chat_template: str | None = None
    """The template chat requests are rendered with, where this backend applies it."""

    def record(self) -> dict[str, object]:
        """The flat form run.json keeps (as rustcoder 0.1 wrote it, so its runs still resume)."""
        return {
            "backend": self.name,
            **self.versions,
            "model": self.model,
            **self.settings,
            "chat_template": self.chat_template,
        }


class Backend(Protocol):
    """A model that generates text. Implementations: llamacpp, transformers, openai, fake.

    Every backend may be called from several threads at once. One that cannot run two requests at
    the same time (a local model) makes them take turns and says so with `max_concurrency == 1`.
    """

    name: str

    @property
    def max_concurrency(self) -> int:
        """Requests worth having in flight at once (more only queue)."""
        ...

    def render(self, request: GenRequest) -> str | None:
        """The exact text the model is given, or None where a server applies its own template."""
        ...

    def generate(self, requests: Sequence[GenRequest]) -> list[Generation]:
        """One generation per request, in order."""
        ...

    def stream(self, request: GenRequest) -> Iterator[Chunk]:
        """The generation as it is produced; the last chunk carries its finish and usage. Closing the
        iterator early ends the generation (and frees the model) at once."""
        ...

    def describe(self) -> BackendInfo:
        """What a run records about this backend."""
        ...


@runtime_checkable
class Replays(Protocol):
    """A backend whose answers depend on what it was asked before, and which can be brought back to that
    state. llama.cpp keeps the previous prompt's KV cache and evaluates only the part of the next prompt
    that differs, and a greedy answer can depend on what it held (docs/results/analysis.md, "Resuming a
    run"): a run resumed after an interruption would start from an empty cache where the uninterrupted
    run had its earlier prompts' cache."""

    def replay(self, requests: Sequence[GenRequest], *, fresh: bool = False) -> None:
        """Leave the cache as making `requests`, in order, would have left it (after nothing, if
        `fresh`: as a new process would). Deferred to the next generation, so replaying a finished run
        costs nothing."""
        ...


@dataclass(slots=True)
class Resumption:
    """What a loop that resumes item by item owes a backend that `Replays`: the requests of the items it
    found done since it last asked the backend, replayed before it asks again (the first time from an
    empty cache, as in a new process). `kept` for each item found done; `next_ask` (or `before_asking`)
    just before each item asked of the backend. A backend that does not replay is left alone."""

    backend: Backend
    pending: list[GenRequest] = field(default_factory=list)
    fresh: bool = True

    def kept(self, request: GenRequest) -> None:
        self.pending.append(request)

    def next_ask(self) -> Callable[[], None]:
        """What to call just before the next item is asked (which may be later, in a worker)."""
        backend, pending, fresh = self.backend, self.pending, self.fresh
        self.pending, self.fresh = [], False

        def replay() -> None:
            if isinstance(backend, Replays):
                backend.replay(pending, fresh=fresh)

        return replay

    def before_asking(self) -> None:
        self.next_ask()()


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
    """Finds where streamed text ends: the earliest stop sequence (even when it spans pieces) or end
    rule's cut, or a loop (see `looping`) once `loop_span` characters repeat.

    Text already returned is never taken back: an end rule that cuts inside it ends the text where the
    returned part ends (its user re-applies the rule to the whole text if it needs the exact cut)."""

    stops: tuple[str, ...]
    loop_span: int = 0
    ends: tuple[EndRule, ...] = ()
    text: str = ""
    hit: str | None = None
    ended_by: str | None = None
    """The end rule that ended the text."""
    looped: bool = False
    _emitted: int = field(default=0)

    @property
    def ended(self) -> bool:
        return self.hit is not None or self.ended_by is not None or self.looped

    def _cut(self) -> tuple[int, str, bool] | None:
        """The earliest (offset, what, is a rule) among the stop sequences and end rules."""
        found = [(self.text.find(s), s) for s in self.stops if s and s in self.text]
        cut = (*min(found), False) if found else None
        for rule in self.ends:
            if (at := rule(self.text)) is not None and (cut is None or at < cut[0]):
                cut = (at, rule.name, True)
        return cut

    def feed(self, piece: str) -> str:
        """Add a piece; returns the text that is now certainly before any stop sequence."""
        self.text += piece
        if (cut := self._cut()) is not None:
            at, what, rule = cut
            if rule:
                self.ended_by = what
            else:
                self.hit = what
            self.text = self.text[: max(at, self._emitted)]
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
        if self.ended_by:
            return "end"
        if self.looped:
            return "loop"
        return "length" if exhausted else "eos"


def close_stream(pieces: Iterable[Any]) -> None:
    """Close a generator or stream now if it can be closed (ending a generation and freeing the model)."""
    close = getattr(pieces, "close", None)
    if callable(close):
        close()


def scan(
    pieces: Iterable[str], request: GenRequest, prompt_tokens: int, cached: Callable[[], int] = lambda: 0
) -> Iterator[Chunk]:
    """Chunks from a model's raw pieces: text held back while it could begin a stop, the stream ended at
    the first stop or loop (and the model's stream closed then), and a last chunk with the finish and
    the usage, timed from the call to the first piece and to the end. `cached` says, once the pieces are
    read, how many prompt tokens the model's cache held."""
    scanner = StopScanner(request.stop, request.loop_span, request.ends)
    started = time.perf_counter()
    first = 0.0
    count = 0
    try:
        for piece in pieces:
            if count == 0:
                first = time.perf_counter() - started
            count += 1
            text = scanner.feed(piece)
            if text:
                yield Chunk(text)
            if scanner.ended:
                break
        rest = scanner.flush()
        if rest:
            yield Chunk(rest)
    finally:
        close_stream(pieces)  # ends the backend's stream now (a server request, a held model lock), not at GC
    usage = Usage(prompt_tokens, count, first, time.perf_counter() - started, cached())
    stopped_by = scanner.hit or scanner.ended_by
    yield Chunk("", scanner.finish(count >= request.max_tokens), stopped_by, usage)


def collect(chunks: Iterable[Chunk]) -> Generation:
    """A whole generation from a stream of chunks (whose last one says how it ended)."""
    texts: list[str] = []
    last = Chunk("")
    for chunk in chunks:
        texts.append(chunk.text)
        last = chunk
    if last.finish is None or last.usage is None:
        raise ValueError("the stream ended without its last chunk (finish and usage)")
    usage = last.usage
    return Generation(
        "".join(texts),
        last.finish,
        last.stopped_by,
        usage.prompt_tokens,
        usage.tokens,
        usage.ttft_seconds,
        usage.total_seconds,
        usage.cached_tokens,
    )

"""What a completion is asked and what it answers: the records between the routers and the engine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rustcoder.backends.fim import ContextFile


class Mode(StrEnum):
    """How much a suggestion may fill."""

    LINE = "single-line"
    """The rest of the current line."""
    BLOCK = "multi-line"
    """Lines up to the end of the block the cursor is in (after an opening brace, or on an empty line)."""


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """One editor request: the file around the cursor, other files, and how to generate."""

    prefix: str
    suffix: str = ""
    files: tuple[ContextFile, ...] = ()
    """Chunks of other files (llama.cpp's `input_extra`, Tabby's declarations and snippets)."""
    path: str = ""
    max_tokens: int = 128
    temperature: float = 0.0
    top_p: float = 1.0
    stop: tuple[str, ...] = ()
    time_budget_ms: int | None = None
    """Stop at the first line end after this many milliseconds of generation (`t_max_predict_ms`)."""
    mode: Mode | None = None
    """None: decided from the cursor's position (`mode_at`)."""
    warm_only: bool = False
    """Only evaluate the context into the cache (`n_predict: 0`); the answer is empty."""
    client: str = ""
    """Who asks: a newer request from the same client cancels the older one."""
    raw: bool = False
    """The client rendered its own prompt (`prefix` is the whole prompt): no FIM template, no cuts."""

    def __post_init__(self) -> None:
        if self.max_tokens < 0:
            raise ValueError(f"max_tokens must be >= 0, got {self.max_tokens}")
        if self.time_budget_ms is not None and self.time_budget_ms < 0:
            raise ValueError(f"time_budget_ms must be >= 0, got {self.time_budget_ms}")


class StopType(StrEnum):
    """Why a suggestion ended (llama.cpp's names)."""

    NONE = "none"
    """Cancelled, warmed only, or served from the cache."""
    EOS = "eos"
    """The model ended it, or an end rule did (end of line, end of block)."""
    LIMIT = "limit"
    """The token budget or the time budget ran out."""
    WORD = "word"
    """One of the request's stop strings."""


@dataclass(frozen=True, slots=True)
class Completion:
    """The suggestion and how it was made."""

    text: str
    mode: Mode
    stop_type: StopType
    stopping_word: str = ""
    prompt_tokens: int = 0
    """Tokens of the rendered prompt."""
    cached_tokens: int = 0
    """Of those, how many the model's KV cache already held (not evaluated again)."""
    tokens: int = 0
    """Tokens generated."""
    prompt_ms: float = 0.0
    predicted_ms: float = 0.0
    truncated: bool = False
    """The context was cut to fit the budget."""
    from_cache: bool = False
    """Served from the engine's cache of recent suggestions, without the model."""
    cancelled: bool = False
    """A newer request of the same client (or a disconnect) stopped it."""
    dropped: str = ""
    """Why the model's text was not suggested (it made the file's syntax worse, ...), if it was not."""
    yielded: bool = False
    """A multi-line suggestion ended after its last whole line so that a waiting single-line request
    could have the model (`stop_type` limit)."""

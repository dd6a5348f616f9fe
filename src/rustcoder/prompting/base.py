"""What a prompting strategy is: a request per problem, and how an answer becomes a sample.

Single-turn strategies implement `Strategy`. A strategy that goes on after its first answer (feedback
from a check, then another turn in the same chat) also implements `MultiTurn`; the generation driver
recognises it by that protocol, and gives it a `Check` to run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rustcoder.backends.base import Generation, GenRequest
from rustcoder.types import ExecResult, Language, Problem

RETRY_TEMPERATURE = 0.5
"""Attempts after the first sample at this temperature (the first is greedy unless asked otherwise)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A sample made from one generation."""

    text: str
    field: str
    """"solution" or "completion": how the harness assembles it."""
    well_formed: bool


@runtime_checkable
class Strategy(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def languages(self) -> frozenset[Language]: ...

    @property
    def default_attempts(self) -> int:
        """Attempts until the output is well-formed; the last is kept regardless."""
        ...

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest: ...

    def outcome(self, problem: Problem, generation: Generation) -> Outcome: ...

    def template(self) -> dict[str, object]: ...


Check = Callable[[Problem, str], ExecResult]
"""Runs a solution against the public checks only (compilation, public example tests), never the hidden
tests; `rustcoder.evaluation.checks.sandbox_check` makes one."""


@runtime_checkable
class MultiTurn(Strategy, Protocol):
    """A strategy with rounds after its first answer: what a check's result tells the model, and the
    request that continues the conversation."""

    @property
    def rounds(self) -> int: ...

    def feedback(self, result: ExecResult) -> str | None:
        """What to tell the model, or None if the checks pass (no further round)."""
        ...

    def follow_up(self, previous: GenRequest, answer: str, message: str) -> GenRequest: ...

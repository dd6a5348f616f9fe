"""The `repair` strategy: generate, check, feed what went wrong back, up to N rounds in the same chat.

Feedback never reveals the hidden tests. The check (`rustcoder.evaluation.checks.sandbox_check`)
compiles the model's code with the benchmark's imports but without the hidden tests, so rustc's
diagnostics quote only the model's own code; if the benchmark has public example tests (HumanEvalPack's
`example_test`, MultiPL-E's doc-comment examples), those are run and a failing one is reported, its
line of code quoted. The final answer is scored by the hidden
tests as usual.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from rustcoder.backends.base import Generation, GenRequest, Message
from rustcoder.prompting.base import Outcome
from rustcoder.prompting.strategies import Delimited
from rustcoder.types import RUST_BEGIN as BEGIN
from rustcoder.types import RUST_END as END
from rustcoder.types import ExecResult, Language, Problem, Status

FIX = f"Fix the function. In your response, use {BEGIN} and {END} to delimit the rust function."
COMPILE_FEEDBACK = "Your code does not compile. rustc says:\n```\n{diagnostics}\n```\n" + FIX
EXAMPLE_FEEDBACK = "Your code compiles, but it fails this example:\n```\n{failure}\n```\n" + FIX
MAX_FEEDBACK_CHARS = 2500


@dataclass(frozen=True, slots=True)
class Repair:
    """Delimited generation, then up to `rounds` rounds of compiler/example feedback in the same chat."""

    rounds: int = 3
    name: ClassVar[str] = "repair"
    description: ClassVar[str] = "delimited, then rustc diagnostics / failing public examples fed back"
    languages: ClassVar[frozenset[Language]] = frozenset({Language.RUST})
    default_attempts: ClassVar[int] = 10
    base: ClassVar[Delimited] = Delimited()

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest:
        return self.base.request(problem, temperature=temperature, seed=seed, max_tokens=max_tokens)

    def outcome(self, problem: Problem, generation: Generation) -> Outcome:
        return self.base.outcome(problem, generation)

    def feedback(self, result: ExecResult) -> str | None:
        """rustc's diagnostics, or the failing public example, or None if the public checks pass."""
        if result.status is Status.COMPILE_ERROR:
            text = result.compile_output or result.reason
            return COMPILE_FEEDBACK.format(diagnostics=text[:MAX_FEEDBACK_CHARS].rstrip())
        if result.status in (Status.TEST_FAILURE, Status.PANIC, Status.TIMEOUT):
            return EXAMPLE_FEEDBACK.format(failure=result.reason[:MAX_FEEDBACK_CHARS])
        return None

    def follow_up(self, previous: GenRequest, answer: str, message: str) -> GenRequest:
        """The same conversation, with the model's answer and the feedback appended."""
        messages = (
            *previous.messages,
            Message("assistant", f"{BEGIN}\n{answer.strip()}\n{END}"),
            Message("user", message),
        )
        return dataclasses.replace(previous, messages=messages)

    def template(self) -> dict[str, object]:
        return {
            **self.base.template(),
            "rounds": self.rounds,
            "compile_feedback": COMPILE_FEEDBACK,
            "example_feedback": EXAMPLE_FEEDBACK,
            "checks": "compile without hidden tests; run public example tests when the benchmark has them",
        }

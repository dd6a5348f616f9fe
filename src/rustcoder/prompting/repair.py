"""The `repair` strategy: generate, check in the sandbox, feed what went wrong back, up to N rounds.

Feedback never reveals the hidden tests. The check compiles the model's code with the benchmark's
imports but without the hidden tests, so rustc's diagnostics quote only the model's own code; if the
benchmark has public example tests (HumanEvalPack's `example_test`), those are run and a failing one is
reported. The final answer is scored by the hidden tests as usual.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rustcoder.backends.base import Generation, GenRequest, Message
from rustcoder.execute.engine import Executor
from rustcoder.postprocess.extract import BEGIN
from rustcoder.prompting.strategies import Delimited, Outcome
from rustcoder.types import ExecResult, Language, Problem, Sample, Status

COMPILE_FEEDBACK = (
    "Your code does not compile. rustc says:\n```\n{diagnostics}\n```\n"
    "Fix the function. In your response, use RUST_BEGIN and RUST_END to delimit the rust function."
)
EXAMPLE_FEEDBACK = (
    "Your code compiles, but it fails this example:\n```\n{failure}\n```\n"
    "Fix the function. In your response, use RUST_BEGIN and RUST_END to delimit the rust function."
)
MAX_FEEDBACK_CHARS = 2500

Check = Callable[[Problem, str], ExecResult]
"""Runs a solution against the public checks only."""


def public_problem(problem: Problem) -> Problem:
    """The problem as the model may see it checked: its public examples, or nothing but compilation."""
    return dataclasses.replace(problem, tests=problem.example_tests or "")


def sandbox_check(executor: Executor) -> Check:
    """A check that compiles (and runs public examples) in the real sandbox; safe to call from the
    generation driver's threads (checks take turns: each is one small compile)."""
    from rustcoder.execute.assemble import assemble

    turn = threading.Lock()

    def check(problem: Problem, solution: str) -> ExecResult:
        program = assemble(public_problem(problem), Sample(problem.task_id, 0, solution=solution), "repair")
        results: list[ExecResult] = []
        with turn:
            executor.execute([program], lambda _key, result: results.append(result))
        return results[0]

    return check


def feedback(result: ExecResult) -> str | None:
    """What to tell the model, or None if the public checks pass."""
    if result.status is Status.COMPILE_ERROR:
        text = result.compile_output or result.reason
        return COMPILE_FEEDBACK.format(diagnostics=text[:MAX_FEEDBACK_CHARS].rstrip())
    if result.status in (Status.TEST_FAILURE, Status.PANIC, Status.TIMEOUT):
        return EXAMPLE_FEEDBACK.format(failure=result.reason[:MAX_FEEDBACK_CHARS])
    return None


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

    def follow_up(self, previous: GenRequest, answer: str, message: str) -> GenRequest:
        """The same conversation, with the model's answer and the feedback appended."""
        messages = (
            *previous.messages,
            Message("assistant", f"{BEGIN}\n{answer.strip()}\nRUST_END"),
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

"""One task described in words (and optional example tests) → Rust code from the `repair` strategy,
compiled and tested in the sandbox: what `POST /api/solve` answers.

The model only ever sees the description, rustc's diagnostics on its own code and the failing example;
the examples are the user's own tests, so they are also what the final answer is judged by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustcoder.benchmarks.text import derive_instruction
from rustcoder.types import ExecResult, Language, Problem, TestStyle

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend
    from rustcoder.prompting.base import Check

_NAME = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class SolveTask:
    description: str
    signature: str = ""
    """`fn name(args) -> T`, when the user wants that exact function."""
    tests: str = ""
    """Example tests: `#[test]` functions or a `#[cfg(test)] mod tests { ... }`."""
    rounds: int = 3
    max_tokens: int = 768


@dataclass(frozen=True, slots=True)
class SolveResult:
    code: str
    result: ExecResult
    """The final code's compile and test result, in the sandbox (tests: the task's examples)."""
    rounds: tuple[dict[str, str], ...]
    """Each feedback round: what the model was told and what it answered."""
    attempts: int
    gen_seconds: float


def problem_of(task: SolveTask) -> Problem:
    """The task as a problem whose only tests are its public examples."""
    signature = task.signature.strip().removesuffix("{").strip()
    match = _NAME.search(signature)
    instruction = (
        derive_instruction(
            "Rust", signature.removeprefix("pub ").removeprefix("fn ").strip(), task.description
        )
        if signature
        else f"{task.description.strip()}\nWrite it as one Rust function (with any helpers it needs)."
    )
    return Problem(
        task_id="solve",
        language=Language.RUST,
        prompt="",
        header="",
        signature=signature,
        docstring=task.description,
        instruction=instruction,
        entry_point=match.group(1) if match else "",
        tests=task.tests,
        test_style=TestStyle.LIBTEST,
        example_tests=task.tests or None,
    )


def solve(backend: Backend, check: Check, task: SolveTask) -> SolveResult:
    """Generate with the repair strategy (its checks are the task's examples), then check the answer."""
    from rustcoder.generation.generate import generate_one
    from rustcoder.prompting.repair import Repair
    from rustcoder.settings import Sampling

    problem = problem_of(task)
    sample = generate_one(
        backend, Repair(task.rounds), problem, Sampling(max_tokens=task.max_tokens), 0, check
    )
    if sample.error is not None:
        from rustcoder.errors import BackendError

        raise BackendError(sample.error)
    return SolveResult(
        code=sample.text,
        result=check(problem, sample.text),
        rounds=sample.repair_log or (),
        attempts=sample.attempts,
        gen_seconds=sample.gen_seconds,
    )

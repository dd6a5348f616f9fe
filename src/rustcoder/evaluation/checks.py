"""Public checks for multi-turn strategies: compile, and run the public examples, in the real sandbox.

A check never sees the hidden tests: the problem is checked with its public example tests (where the
benchmark has them) or with nothing but compilation.
"""

from __future__ import annotations

import dataclasses
import threading

from rustcoder.execute.assemble import assemble
from rustcoder.execute.engine import Executor
from rustcoder.prompting.base import Check
from rustcoder.types import ExecResult, Problem, Sample


def public_problem(problem: Problem) -> Problem:
    """The problem as the model may see it checked: its public examples, or nothing but compilation."""
    return dataclasses.replace(problem, tests=problem.example_tests or "")


def sandbox_check(executor: Executor) -> Check:
    """A check that compiles (and runs public examples) in the sandbox; safe to call from the generation
    driver's threads (checks take turns: each is one small compile)."""
    turn = threading.Lock()

    def check(problem: Problem, solution: str) -> ExecResult:
        program = assemble(public_problem(problem), Sample(problem.task_id, 0, solution=solution), "check")
        results: list[ExecResult] = []
        with turn:
            executor.execute([program], lambda _key, result: results.append(result))
        return results[0]

    return check

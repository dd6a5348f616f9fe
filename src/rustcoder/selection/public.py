"""`compile` and `examples`: a candidate's public check is compilation with the entry point named, or the
problem's public example tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rustcoder.evaluation.checks import execute_samples, public_problem
from rustcoder.execute.engine import ExecConfig
from rustcoder.selection import Choice, Method
from rustcoder.types import ExecResult, Problem, Sample, Status


def _checked(problem: Problem, method: Method) -> Problem:
    """The problem as a candidate is checked: its public examples (examples), else compilation with
    the entry point named (a candidate that compiles without defining it would fail every test); never
    its hidden tests."""
    if method is Method.EXAMPLES and problem.example_tests:
        return public_problem(problem)
    tests = ""
    if problem.entry_point:
        tests = (
            "#[cfg(test)]\nmod rustcoder_entry_point {\n"
            f"    #[allow(unused_imports)]\n    use super::{problem.entry_point};\n}}\n"
        )
    return dataclasses.replace(problem, tests=tests)


def check_candidates(
    problems: Sequence[Problem],
    candidates: Sequence[Sample],
    method: Method,
    config: ExecConfig | None = None,
) -> dict[tuple[str, int], ExecResult]:
    """Every candidate's public check, in one batch."""
    by_id = {p.task_id: p for p in problems}
    return execute_samples(
        ((_checked(by_id[s.task_id], method), s) for s in candidates if not s.meta.get("error")), config
    )


def choose(problem: Problem, indices: Sequence[int], checks: dict[int, ExecResult], method: Method) -> Choice:
    """The candidate to answer with, among `indices` (sample indices, in order)."""
    has_examples = method is Method.EXAMPLES and bool(problem.example_tests)
    statuses = {i: _outcome(checks.get(i), has_examples) for i in indices}
    if has_examples:
        passing = [i for i in indices if i in checks and checks[i].status is Status.PASSED]
        if passing:
            return Choice(
                problem.task_id, passing[0], method, "the first to pass the public examples", statuses
            )
        most = max((checks[i].tests_passed for i in indices if i in checks), default=0)
        if most:
            first = next(i for i in indices if i in checks and checks[i].tests_passed == most)
            total = checks[first].tests_total
            why = f"the first to pass the most public examples ({most} of {total}; none passes all)"
            return Choice(problem.task_id, first, method, why, statuses)
    compiled = [i for i in indices if i in checks and compiles(checks[i])]
    if compiled:
        why = "the first that compiles" + (" (none passes a public example)" if has_examples else "")
        if method is Method.EXAMPLES and not problem.example_tests:
            why += " (no public examples that compile against the signature)"
        return Choice(problem.task_id, compiled[0], method, why, statuses)
    return Choice(problem.task_id, indices[0], method, "none compiles: the first candidate", statuses)


def _outcome(result: ExecResult | None, examples: bool) -> str:
    if result is None:
        return "not generated"
    if examples and compiles(result):
        return f"{result.status.value} ({result.tests_passed}/{result.tests_total} examples)"
    return result.status.value


def compiles(result: ExecResult) -> bool:
    return result.status not in (Status.COMPILE_ERROR, Status.SANDBOX_ERROR, Status.BACKEND_ERROR)

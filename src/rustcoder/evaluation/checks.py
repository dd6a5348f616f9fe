"""Public checks: compile, and run the public examples, in the real sandbox, for multi-turn strategies
and for choosing among candidates; and which test functions compile against a stub of the problem's
function (its signature with `unimplemented!()` for a body), so that a test of the wrong types, which
would fail every candidate alike, is left out.

A check never sees the hidden tests: the problem is checked with its public example tests (where the
benchmark has them) or with nothing but compilation.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterable, Mapping, Sequence

from rustcoder.execute.assemble import assemble
from rustcoder.execute.distributed import executor_for
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.execute.testcases import split_tests
from rustcoder.prompting.base import Check
from rustcoder.types import ExecResult, Problem, Program, Sample, Status, TestStyle


def public_problem(problem: Problem) -> Problem:
    """The problem as the model may see it checked: its public examples (`#[test]` functions), or
    nothing but compilation."""
    if problem.example_tests:
        return dataclasses.replace(problem, tests=problem.example_tests, test_style=TestStyle.LIBTEST)
    return dataclasses.replace(problem, tests="")


def sandbox_check(executor: Executor) -> Check:
    """A check that compiles (and runs public examples) in the sandbox; safe to call from the generation
    driver's threads (checks take turns: each is one small compile)."""
    turn = threading.Lock()

    def check(problem: Problem, solution: str) -> ExecResult:
        public = public_problem(problem)
        program = assemble(public, Sample(problem.task_id, 0, solution=solution), "check")
        results: list[ExecResult] = []
        with turn:
            executor.execute([program], lambda _key, result: results.append(result))
        return quoting_the_example(results[0], public.tests)

    return check


def quoting_the_example(result: ExecResult, tests: str) -> ExecResult:
    """`result` with the public example it failed quoted before its reason: the runner's message names
    only the line (`at tests.rs:7:9`) of a test the model never saw written out."""
    where = re.search(r"\btests\.rs:(\d+):", result.reason)
    lines = tests.splitlines()
    if where is None or not 0 < int(where[1]) <= len(lines) or not lines[int(where[1]) - 1].strip():
        return result
    return dataclasses.replace(result, reason=f"{lines[int(where[1]) - 1].strip()}\n{result.reason}")


MODULE = "rc_checks"


def test_module(functions: Sequence[str]) -> str:
    """Test functions as the module the runner finds them in (`rc_checks::NAME`)."""
    body = "\n".join(functions)
    return f"#[cfg(test)]\nmod {MODULE} {{\n#[allow(unused_imports)]\nuse super::*;\n{body}\n}}\n"


def with_tests(problem: Problem, functions: Sequence[str]) -> Problem:
    """The problem with `functions` for its tests, run as libtest runs them."""
    return dataclasses.replace(problem, tests=test_module(functions), test_style=TestStyle.LIBTEST)


def stub(problem: Problem) -> Sample:
    """The problem's function with `unimplemented!()` for a body (its prompt ends inside the function)."""
    code = problem.prompt.rstrip()
    if not code.endswith("{"):
        code += " {"
    return Sample(problem.task_id, -1, solution=f"{code}\n    unimplemented!()\n}}\n")


def execute(programs: Sequence[Program], config: ExecConfig | None) -> dict[str, ExecResult]:
    """Each program's result by its key, run in batches on `config`'s executor (this machine or Ray)."""
    results: dict[str, ExecResult] = {}
    executor_for(config).execute(programs, results.__setitem__)
    return results


def execute_samples(
    checked: Iterable[tuple[Problem, Sample]], config: ExecConfig | None
) -> dict[tuple[str, int], ExecResult]:
    """Each sample run against its problem as checked, in one batch; results by (task id, sample index)."""
    programs = [assemble(problem, s, f"{s.task_id}\0{s.index}") for problem, s in checked]
    results: dict[tuple[str, int], ExecResult] = {}
    for key, result in execute(programs, config).items():
        task, index = key.rsplit("\0", 1)
        results[(task, int(index))] = result
    return results


def compiling(
    problems: Sequence[Problem], functions: Mapping[str, Sequence[str]], config: ExecConfig | None
) -> dict[str, list[str]]:
    """Of each problem's test functions, those that compile against its stub (each compiled alone, so
    that one bad test cannot hide the others)."""
    return _kept(problems, functions, config, reference=False)


def _kept(
    problems: Sequence[Problem],
    functions: Mapping[str, Sequence[str]],
    config: ExecConfig | None,
    reference: bool,
) -> dict[str, list[str]]:
    """Each test function run alone against the problem's stub, or with `reference` against its
    reference solution where it has one: kept if it compiles (and, against a reference, passes)."""
    by_id = {p.task_id: p for p in problems}
    references = {
        p.task_id: Sample(p.task_id, -1, completion=p.canonical_solution)
        for p in problems
        if reference and p.canonical_solution and p.canonical_solution.strip()
    }

    def against(problem: Problem) -> Sample:
        return references.get(problem.task_id) or stub(problem)

    programs = [
        assemble(with_tests(by_id[task], [function]), against(by_id[task]), f"{task}\0{i}")
        for task, candidates in functions.items()
        for i, function in enumerate(candidates)
    ]
    results = execute(programs, config)
    kept: dict[str, list[str]] = {task: [] for task in functions}
    for task, candidates in functions.items():
        must_pass = task in references
        for i, function in enumerate(candidates):
            result = results.get(f"{task}\0{i}")
            if result is None or result.tests_total != 1 or result.status is Status.COMPILE_ERROR:
                continue
            if not must_pass or result.status is Status.PASSED:
                kept[task].append(function)
    return kept


MAX_EXAMPLES = 32
"""At most this many of a problem's public examples are checked."""


def with_usable_examples(problems: Sequence[Problem], config: ExecConfig | None = None) -> list[Problem]:
    """The problems, each keeping of its public examples (one assertion a test, as the model's tests
    are split) those that compile against a stub of its function: an example of the wrong types would
    fail every candidate alike (MultiPL-E's HumanEval_151 passes integers for a `Vec<f64>`). Where the
    problem has a reference solution (not blank), the examples it fails are left out too, as a
    benchmark's authors check the examples they publish: HumanEval's Python doctests, written for
    HumanEvalPack-Rust, are wrong for four of its Rust translations (Rust/33 and Rust/103 behave
    otherwise in Rust, Rust/47 and Rust/116 carry HumanEval's own mistakes). Problems checked before
    (`examples_checked`) are not compiled again."""
    todo = [p for p in problems if not p.examples_checked]
    functions = {
        p.task_id: split_tests(p.example_tests, p.entry_point, MAX_EXAMPLES) for p in todo if p.example_tests
    }
    kept = _kept(todo, functions, config, reference=True)
    out = []
    for problem in problems:
        if not problem.examples_checked and problem.task_id in kept:
            usable = kept[problem.task_id]
            problem = dataclasses.replace(problem, example_tests=test_module(usable) if usable else None)
        out.append(dataclasses.replace(problem, examples_checked=True))
    return out

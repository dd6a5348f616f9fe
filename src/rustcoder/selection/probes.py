"""Running candidates on the model's tests and on probes (a call whose result is reported, not checked),
in the sandbox, in batches.

A test or probe is kept only if it compiles against a stub of the problem's function (its signature
with `unimplemented!()` for a body): one the model wrote with the wrong types would otherwise make every
candidate fail to compile. A probe returns `Err(format!("{:?}", ENTRY(ARGS)))`, so the runner reports
the value as the test's error message; a candidate that panics on it reports a panic instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from rustcoder.execute.assemble import assemble
from rustcoder.execute.distributed import executor_for
from rustcoder.execute.engine import ExecConfig
from rustcoder.types import ExecResult, Problem, Program, Sample, Status, TestStyle

MODULE = "rc_checks"


def test_module(functions: Sequence[str]) -> str:
    """Test functions as the module the runner finds them in (`rc_checks::NAME`)."""
    body = "\n".join(functions)
    return f"#[cfg(test)]\nmod {MODULE} {{\n#[allow(unused_imports)]\nuse super::*;\n{body}\n}}\n"


def probes(entry_point: str, arguments: Sequence[str]) -> list[str]:
    """A probe test per argument list: `rc_pN` returns the call's result, printed with `{:?}`, as its
    error."""
    return [
        f'#[test]\nfn rc_p{i}() -> Result<(), String> {{\n    Err(format!("{{:?}}", {entry_point}{args}))\n}}'
        for i, args in enumerate(arguments)
    ]


def test_name(function: str) -> str:
    """The runner's path of a test function made by `split_tests` or `probes`."""
    name = function.split("fn ", 1)[1].split("(", 1)[0].strip()
    return f"{MODULE}::{name}"


def _with_tests(problem: Problem, functions: Sequence[str]) -> Problem:
    return dataclasses.replace(problem, tests=test_module(functions), test_style=TestStyle.LIBTEST)


def stub(problem: Problem) -> Sample:
    """The problem's function with `unimplemented!()` for a body (its prompt ends inside the function)."""
    code = problem.prompt.rstrip()
    if not code.endswith("{"):
        code += " {"
    return Sample(problem.task_id, -1, solution=f"{code}\n    unimplemented!()\n}}\n")


def execute(programs: Sequence[Program], config: ExecConfig | None) -> dict[str, ExecResult]:
    results: dict[str, ExecResult] = {}
    executor_for(config).execute(programs, results.__setitem__)
    return results


def compiling(
    problems: Sequence[Problem], functions: Mapping[str, Sequence[str]], config: ExecConfig | None
) -> dict[str, list[str]]:
    """Of each problem's test functions, those that compile against its stub (each compiled alone, so
    that one bad test cannot hide the others)."""
    by_id = {p.task_id: p for p in problems}
    programs = [
        assemble(_with_tests(by_id[task], [function]), stub(by_id[task]), f"{task}\0{i}")
        for task, candidates in functions.items()
        for i, function in enumerate(candidates)
    ]
    results = execute(programs, config)
    kept: dict[str, list[str]] = {task: [] for task in functions}
    for task, candidates in functions.items():
        for i, function in enumerate(candidates):
            result = results.get(f"{task}\0{i}")
            if result is not None and result.status is not Status.COMPILE_ERROR and result.tests_total == 1:
                kept[task].append(function)
    return kept


def run_candidates(
    problems: Sequence[Problem],
    candidates: Sequence[Sample],
    functions: Mapping[str, Sequence[str]],
    config: ExecConfig | None,
) -> dict[tuple[str, int], ExecResult]:
    """Every candidate of a problem with test functions, run on them (one program per candidate)."""
    by_id = {p.task_id: p for p in problems}
    programs = [
        assemble(_with_tests(by_id[s.task_id], functions[s.task_id]), s, f"{s.task_id}\0{s.index}")
        for s in candidates
        if functions.get(s.task_id) and not s.meta.get("error")
    ]
    return {
        (key.rsplit("\0", 1)[0], int(key.rsplit("\0", 1)[1])): result
        for key, result in execute(programs, config).items()
    }

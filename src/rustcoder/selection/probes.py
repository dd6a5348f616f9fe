"""Running candidates on the model's tests and on probes (a call whose result is reported, not checked),
in the sandbox, in batches.

A test or probe is kept only if it compiles against a stub of the problem's function
(`rustcoder.evaluation.checks.compiling`): one the model wrote with the wrong types would otherwise make
every candidate fail to compile. A probe returns `Err(format!("{:?}", ENTRY(ARGS)))`, so the runner reports
the value as the test's error message; a candidate that panics on it reports a panic instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rustcoder.evaluation.checks import MODULE, execute_samples, with_tests
from rustcoder.execute.engine import ExecConfig
from rustcoder.types import ExecResult, Problem, Sample


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


def run_candidates(
    problems: Sequence[Problem],
    candidates: Sequence[Sample],
    functions: Mapping[str, Sequence[str]],
    config: ExecConfig | None,
) -> dict[tuple[str, int], ExecResult]:
    """Every candidate of a problem with test functions, run on them (one program per candidate)."""
    by_id = {p.task_id: p for p in problems}
    return execute_samples(
        (
            (with_tests(by_id[s.task_id], functions[s.task_id]), s)
            for s in candidates
            if functions.get(s.task_id) and not s.meta.get("error")
        ),
        config,
    )

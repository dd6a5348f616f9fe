"""One answer per problem, chosen from its candidates (a run's N samples) without the hidden tests.

Methods (`--select`):
- `compile`: the first candidate (by sample index) that compiles and defines the entry point (checked
  with a `use` of it, no tests);
- `examples`: the first candidate that passes the problem's public example tests; where none passes
  (or the benchmark has no examples: HumanEvalPack's `example_test` comes only from the hub), the
  first that compiles, as `compile`.
A problem none of whose candidates qualifies keeps its first candidate. Every choice records each
candidate's check and why the chosen one was chosen. The checks run in the sandbox in one batch, as
evaluation does, and never see the hidden tests.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustcoder.execute.assemble import assemble
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.types import ExecResult, Problem, Sample, Status

if TYPE_CHECKING:
    from rustcoder.metrics.summary import Summary


class Method(StrEnum):
    COMPILE = "compile"
    EXAMPLES = "examples"


@dataclass(frozen=True, slots=True)
class Choice:
    task_id: str
    chosen: int
    """The chosen candidate's sample index."""
    method: Method
    why: str
    checks: dict[int, str]
    """Each candidate's sample index → the status of its check."""

    def to_json(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "chosen": self.chosen,
            "method": self.method.value,
            "why": self.why,
            "checks": {str(i): status for i, status in sorted(self.checks.items())},
        }


def _checked(problem: Problem, method: Method) -> Problem:
    """The problem as a candidate is checked: its public examples (examples), else compilation with
    the entry point named (a candidate that compiles without defining it would fail every test); never
    its hidden tests."""
    tests = (problem.example_tests or "") if method is Method.EXAMPLES else ""
    if not tests and problem.entry_point:
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
    programs = [
        assemble(_checked(by_id[s.task_id], method), s, f"{s.task_id}\0{s.index}")
        for s in candidates
        if not s.meta.get("error")
    ]
    results: dict[tuple[str, int], ExecResult] = {}

    def keep(key: str, result: ExecResult) -> None:
        task, index = key.rsplit("\0", 1)
        results[(task, int(index))] = result

    Executor(config or ExecConfig()).execute(programs, keep)
    return results


def choose(problem: Problem, indices: Sequence[int], checks: dict[int, ExecResult], method: Method) -> Choice:
    """The candidate to answer with, among `indices` (sample indices, in order)."""
    statuses = {i: (checks[i].status.value if i in checks else "not generated") for i in indices}
    has_examples = method is Method.EXAMPLES and bool(problem.example_tests)
    if has_examples:
        passing = [i for i in indices if i in checks and checks[i].status is Status.PASSED]
        if passing:
            return Choice(
                problem.task_id, passing[0], method, "the first to pass the public examples", statuses
            )
    compiled = [i for i in indices if i in checks and _compiles(checks[i])]
    if compiled:
        why = "the first that compiles" + (" (none passes the public examples)" if has_examples else "")
        if method is Method.EXAMPLES and not problem.example_tests:
            why += " (the benchmark gives no public examples)"
        return Choice(problem.task_id, compiled[0], method, why, statuses)
    return Choice(problem.task_id, indices[0], method, "none compiles: the first candidate", statuses)


def _compiles(result: ExecResult) -> bool:
    return result.status not in (Status.COMPILE_ERROR, Status.SANDBOX_ERROR, Status.BACKEND_ERROR)


def select(
    problems: Sequence[Problem],
    candidates: Sequence[Sample],
    method: Method,
    config: ExecConfig | None = None,
) -> tuple[list[Choice], list[Sample]]:
    """A choice per problem that has candidates, and the chosen samples (each as sample 0, its candidate
    index kept in `meta["candidate"]`)."""
    results = check_candidates(problems, candidates, method, config)
    by_task: dict[str, list[Sample]] = {}
    for sample in sorted(candidates, key=lambda s: (s.task_id, s.index)):
        by_task.setdefault(sample.task_id, []).append(sample)
    choices, chosen = [], []
    for problem in problems:
        mine = by_task.get(problem.task_id)
        if not mine:
            continue
        checks = {s.index: results[(s.task_id, s.index)] for s in mine if (s.task_id, s.index) in results}
        choice = choose(problem, [s.index for s in mine], checks, method)
        choices.append(choice)
        pick = next(s for s in mine if s.index == choice.chosen)
        chosen.append(dataclasses.replace(pick, index=0, meta={**pick.meta, "candidate": pick.index}))
    return choices, chosen


def sample_row(sample: Sample) -> dict[str, Any]:
    """A chosen sample as a samples-file line (what `rustcoder evaluate` reads)."""
    code = {"solution": sample.solution} if sample.solution is not None else {"completion": sample.completion}
    return {"task_id": sample.task_id, "sample_index": sample.index, **code, **sample.meta}


def select_run(
    run: Path, method: Method, config: ExecConfig | None = None, out: Path | None = None
) -> Summary:
    """Choose among a run folder's samples with `method` and score the chosen: writes OUT (default
    RUN/select-METHOD) /selection.jsonl (every choice and its candidates' checks), /samples.jsonl (the
    chosen) and /results.jsonl; returns the chosen answers' summary."""
    import json

    from rustcoder.benchmarks import load_benchmark
    from rustcoder.errors import DataError
    from rustcoder.evaluation.run import evaluate
    from rustcoder.evaluation.samples import SampleSet, load_samples
    from rustcoder.jsonl import JsonlAppender

    try:
        bench = json.loads((run / "run.json").read_text(encoding="utf-8"))["benchmark"]["name"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{run}: not a run folder with a readable run.json ({exc})") from None
    benchmark = load_benchmark(bench)
    candidates = load_samples(run / "samples.jsonl", {p.task_id for p in benchmark.problems})
    out = out or run / f"select-{method.value}"
    choices, chosen = select(benchmark.problems, candidates.samples, method, config)
    for path, rows in ((out / "selection.jsonl", [c.to_json() for c in choices]),
                       (out / "samples.jsonl", [sample_row(s) for s in chosen])):  # fmt: skip
        path.unlink(missing_ok=True)  # a new choice replaces an old one whole
        with JsonlAppender(path) as lines:
            for row in rows:
                lines.write(row)
    return evaluate(benchmark, SampleSet(chosen, []), out / "results.jsonl", config=config, overwrite=True)

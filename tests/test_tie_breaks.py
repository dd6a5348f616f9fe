"""benchmarks/tie_breaks.py reads the checks the selection methods record, as they write them."""

import dataclasses
import json
import sys

import pytest

from rustcoder.selection import Method
from rustcoder.selection.probes import probes
from rustcoder.selection.probes import test_name as runner_path
from rustcoder.selection.public import choose
from rustcoder.selection.rank import by_agreement, by_tests
from rustcoder.types import ExecResult, Status
from tests.conftest import benchmark_modules, fixture_problems

TESTS = ["#[test]\nfn rc_t0() { }", "#[test]\nfn rc_t1() { }"]
PROBES = probes("add", ["(1, 2)", "(2, 2)"])


def _choices(task: str) -> dict[str, dict]:
    """Three candidates: 0 and 1 pass both public examples, 2 one; 1 passes more of the model's tests
    and agrees with 2 on the probes, 0 is alone."""
    [problem] = fixture_problems("humaneval_rust_mini.jsonl")[:1]
    problem = dataclasses.replace(problem, task_id=task, example_tests="#[cfg(test)]\nmod tests {}\n")
    examples = {
        0: ExecResult(Status.PASSED, tests_total=2, tests_passed=2),
        1: ExecResult(Status.PASSED, tests_total=2, tests_passed=2),
        2: ExecResult(Status.TEST_FAILURE, tests_total=2, tests_passed=1),
    }
    own = {
        0: ExecResult(Status.TEST_FAILURE, passed_tests=(runner_path(TESTS[0]),)),
        1: ExecResult(Status.PASSED, passed_tests=tuple(runner_path(t) for t in TESTS)),
        2: ExecResult(Status.COMPILE_ERROR),
    }
    said = {0: ("4", "5"), 1: ("3", "4"), 2: ("3", "4")}
    ran = {
        i: ExecResult(
            Status.TEST_FAILURE,
            failed_tests={runner_path(p): f"error: {v}" for p, v in zip(PROBES, values, strict=True)},
        )
        for i, values in said.items()
    }
    made = {
        "examples": choose(problem, [0, 1, 2], examples, Method.EXAMPLES),
        "self-tests": by_tests(task, [0, 1, 2], own, TESTS),
        "agreement": by_agreement(task, [0, 1, 2], ran, PROBES),
    }
    return {name: choice.to_json() for name, choice in made.items() if choice is not None}


TASK = "HumanEval/0"


def _run(tmp_path, methods=("examples", "self-tests", "agreement")):
    """A run folder with the hidden results (only candidate 1 is right) and the named selections."""
    run = tmp_path / "run"
    run.mkdir(parents=True)
    records = _choices(TASK)
    assert set(records) == {"examples", "self-tests", "agreement"} and records["examples"]["chosen"] == 0
    for name in methods:
        (run / f"select-{name}").mkdir(parents=True)
        (run / f"select-{name}" / "selection.jsonl").write_text(json.dumps(records[name]) + "\n")
    hidden = [{"task_id": TASK, "sample_index": i, "passed": i == 1} for i in range(3)]
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in hidden))
    return run


def _main(run, monkeypatch, capsys) -> str:
    [tie_breaks] = benchmark_modules("tie_breaks")
    monkeypatch.setattr(sys, "argv", ["tie_breaks.py", str(run)])
    tie_breaks.main()
    return capsys.readouterr().out


def test_tie_breaks_reads_each_method_s_checks(tmp_path, capsys, monkeypatch):
    printed = _main(_run(tmp_path), monkeypatch, capsys)
    assert "1 with a candidate passing all its examples (1 with more than one)" in printed
    assert "some such candidate is right on 1" in printed
    rows = dict(
        tuple(cell.strip() for cell in line.strip("|").split("|")) for line in printed.splitlines()[3:]
    )
    assert rows == {
        "first (examples)": "0",  # examples took candidate 0
        "own tests passed": "1",  # 2 of the model's tests against 1
        "behaviour cluster size": "1",  # 1 shares its behaviour with 2
        "random (expected)": "0.5",
    }


def test_tie_breaks_leaves_out_a_selection_not_made_yet_and_needs_examples(tmp_path, capsys, monkeypatch):
    printed = _main(_run(tmp_path, ("examples", "agreement")), monkeypatch, capsys)
    assert "left out: own tests passed (no select-self-tests in" in printed
    assert "| behaviour cluster size | 1 |" in printed and "| own tests passed |" not in printed
    with pytest.raises(SystemExit):
        _main(_run(tmp_path / "bare", ()), monkeypatch, capsys)
    assert "no select-examples/selection.jsonl" in capsys.readouterr().err

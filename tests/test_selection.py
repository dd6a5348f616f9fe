"""Choosing one answer per problem from a run's samples with public checks only, in the real sandbox."""

from __future__ import annotations

import dataclasses
import json

import pytest

from rustcoder.selection import Method, choose, select
from rustcoder.types import ExecResult, Sample, Status
from tests.conftest import choices, fixture_problems, rustcoder_cli

BROKEN = "fn larger(a: i32, b: i32) -> i32 { a > }\n"
WRONG = "fn larger(a: i32, b: i32) -> i32 { a + b }\n"  # compiles, fails the hidden tests
RIGHT = "fn larger(a: i32, b: i32) -> i32 { if a > b { a } else { b } }\n"


@pytest.mark.rustc
@pytest.mark.sandbox
def test_compile_picks_the_first_candidate_that_compiles_and_says_why():
    [problem] = fixture_problems("humaneval_rust_mini.jsonl")
    candidates = [Sample(problem.task_id, i, solution=code) for i, code in enumerate((BROKEN, WRONG, RIGHT))]
    [choice], [chosen] = select([problem], candidates, Method.COMPILE)
    assert choice.chosen == 1 and choice.why == "the first that compiles"
    assert choice.checks == {0: "compile_error", 1: "no_tests", 2: "no_tests"}  # never the hidden tests
    assert chosen.solution == WRONG and chosen.index == 0 and chosen.meta["candidate"] == 1
    [later], _ = select([problem], candidates[::-1], Method.COMPILE)  # the order is the sample index's
    assert later.chosen == 1


def test_examples_prefers_a_candidate_passing_them_and_falls_back_to_compiling():
    [problem] = fixture_problems("humaneval_rust_mini.jsonl")
    checks = {
        0: ExecResult(Status.COMPILE_ERROR),
        1: ExecResult(Status.TEST_FAILURE),
        2: ExecResult(Status.PASSED),
    }
    plain = choose(problem, [0, 1, 2], checks, Method.EXAMPLES)  # the fixture has no public examples
    assert plain.chosen == 1 and "no public examples" in plain.why
    examples = dataclasses.replace(
        problem, example_tests="#[test]\nfn e() { assert_eq!(larger(1, 2), 2); }\n"
    )
    assert choose(examples, [0, 1, 2], checks, Method.EXAMPLES).chosen == 2
    failing = {**checks, 2: ExecResult(Status.TEST_FAILURE)}
    fallback = choose(examples, [0, 1, 2], failing, Method.EXAMPLES)
    assert fallback.chosen == 1 and "none passes the public examples" in fallback.why
    nothing = choose(problem, [0, 1], {0: checks[0], 1: checks[0]}, Method.COMPILE)
    assert nothing.chosen == 0 and "none compiles" in nothing.why


@pytest.mark.rustc
@pytest.mark.sandbox
def test_select_on_a_run_folder_writes_the_choices_and_scores_the_chosen(tmp_path, fixtures):
    run = tmp_path / "run"
    run.mkdir()
    bench = fixtures / "humaneval_rust_mini.jsonl"
    (run / "run.json").write_text(json.dumps({"benchmark": {"name": str(bench)}}))
    rows = [
        {"task_id": "HumanEval/0", "sample_index": i, "solution": c} for i, c in enumerate((BROKEN, RIGHT))
    ]
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = rustcoder_cli("select", str(run), "--method", "compile", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["pass_at_k"]["1"] == 1.0  # the right one compiled first
    [choice] = choices(run)
    assert choice["chosen"] == 1 and choice["checks"] == {"0": "compile_error", "1": "no_tests"}
    bad = rustcoder_cli("select", str(tmp_path / "nowhere"))
    assert bad.returncode != 0 and "not a run folder" in bad.stderr


@pytest.mark.rustc
@pytest.mark.sandbox
def test_run_with_select_scores_the_raw_samples_and_the_chosen_one(tmp_path, fixtures):
    out = tmp_path / "run"
    proc = rustcoder_cli(
        "run", str(fixtures / "humaneval_rust_mini.jsonl"), "--backend", "fake", "--model", "fake",
        "-n", "3", "--temperature", "0.5", "--select", "compile", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "one chosen by compile: pass@1" in proc.stdout
    [choice] = choices(out)
    assert choice["checks"] == {"0": "compile_error", "1": "compile_error", "2": "compile_error"}
    assert choice["chosen"] == 0 and "none compiles" in choice["why"]  # none defines `larger`
    assert (out / "select-compile" / "results.summary.json").is_file()

"""The repair strategy: feedback rounds until the public checks pass, never the hidden tests."""

import json

import pytest

from rustcoder.backends.fake import FakeBackend
from rustcoder.generation.generate import generate
from rustcoder.settings import Sampling
from tests.conftest import SUM_OK, fixture_problems


def test_repair_feeds_back_until_the_public_checks_pass(tmp_path):
    from rustcoder.prompting.repair import Repair
    from rustcoder.types import ExecResult, Status

    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    broken = 'fn sum_all(xs: Vec<i64>) -> i64 {\n    "no"\n}\n'
    backend = FakeBackend([broken + "RUST_END", SUM_OK + "RUST_END"])
    verdicts = iter(
        [
            ExecResult(Status.COMPILE_ERROR, reason="E0308", compile_output="error[E0308]: mismatched types"),
            ExecResult(Status.NO_TESTS),
        ]
    )
    checked: list[str] = []

    def check(_problem, solution):
        checked.append(solution)
        return next(verdicts)

    out = tmp_path / "samples.jsonl"
    generate(backend, Repair(rounds=3), [problem], Sampling(), out, check=check)
    row = json.loads(out.read_text())
    assert row["rounds"] == 1 and row["solution"].strip() == SUM_OK.strip()
    [logged] = row["repair_log"]
    assert "error[E0308]" in logged["feedback"] and logged["answer"].strip() == SUM_OK.strip()
    follow_up = backend.requests[1]
    assert [m.role for m in follow_up.messages] == ["user", "assistant", "user"]
    assert '"no"' in follow_up.messages[1].content
    assert "error[E0308]: mismatched types" in follow_up.messages[2].content
    assert follow_up.prefill == "RUST_BEGIN\n" and checked[0].strip() == broken.strip()
    with pytest.raises(ValueError, match="needs a check"):
        generate(FakeBackend(), Repair(), [problem], Sampling(), tmp_path / "x.jsonl")


@pytest.mark.rustc
@pytest.mark.sandbox
def test_repair_feedback_never_shows_the_hidden_tests(executor):
    from rustcoder.evaluation.checks import sandbox_check
    from rustcoder.prompting.repair import Repair

    feedback = Repair().feedback
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    check = sandbox_check(executor)
    wrong_type = check(problem, "fn sum_all(xs: Vec<i64>) -> String {\n    String::new()\n}\n")
    message = feedback(wrong_type)
    assert message is None  # compiles alone; only the hidden tests would catch it
    broken = check(problem, 'fn sum_all(xs: Vec<i64>) -> i64 {\n    "no"\n}\n')
    message = feedback(broken)
    assert message is not None and "E0308" in message and "--> solution.rs:2:5" in message
    assert "test_sum_all" not in message and "assert" not in message
    assert feedback(check(problem, SUM_OK)) is None


@pytest.mark.rustc
@pytest.mark.sandbox
def test_a_failing_doc_example_is_the_feedback_where_the_hidden_tests_are_a_main(executor):
    from rustcoder.evaluation.checks import sandbox_check
    from rustcoder.prompting.repair import Repair

    add = fixture_problems("multiple_mini.jsonl")[0]  # `/// >>> add(1, 2)` `/// 3`; tests: `fn main`
    check = sandbox_check(executor)
    message = Repair().feedback(check(add, "fn add(a: isize, b: isize) -> isize {\n    a - b\n}\n"))
    assert message is not None and "candidate" not in message  # the example, not main's tests
    assert "```\nassert_eq!(add(1, 2), 3);\nrc_examples::example_1: assertion" in message  # quoted
    assert Repair().feedback(check(add, "fn add(a: isize, b: isize) -> isize {\n    a + b\n}\n")) is None


@pytest.mark.rustc
@pytest.mark.sandbox
def test_a_repair_run_never_feeds_back_an_example_of_the_wrong_types(tmp_path, fixtures):
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.execute.engine import ExecConfig
    from rustcoder.generation.run import run
    from rustcoder.prompting.repair import Repair

    row = json.loads((fixtures / "multiple_mini.jsonl").read_text().splitlines()[0])
    row["prompt"] = row["prompt"].replace("/// 3\n", "/// 3\n/// >>> add(1.5, 2)\n/// 3\n")
    bench = tmp_path / "typed.jsonl"
    bench.write_text(json.dumps(row) + "\n")
    benchmark = load_benchmark(str(bench))
    assert "add(1.5, 2)" in (benchmark.problems[0].example_tests or "")  # a Python float, a Rust isize
    right = "fn add(a: isize, b: isize) -> isize {\n    a + b\n}\nRUST_END"
    backend = FakeBackend([right])
    out = tmp_path / "run"
    config = ExecConfig(jobs=1)
    summary = run(benchmark, benchmark.problems, backend, Repair(), Sampling(), out, config=config)
    assert len(backend.requests) == 1 and summary.pass_at_k == {"1": 1.0}  # no round: the right answer
    assert json.loads((out / "samples.jsonl").read_text())["rounds"] == 0

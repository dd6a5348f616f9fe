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

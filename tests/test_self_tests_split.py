"""benchmarks/self_tests_split.py ranks one run's candidates by the model's tests cut each way and pairs
each split with the first."""

import json
import sys

import pytest

from tests.conftest import benchmark_modules

WRONG = "fn larger(a: i32, b: i32) -> i32 { a + b }\n"
RIGHT = "fn larger(a: i32, b: i32) -> i32 { if a > b { a } else { b } }\n"
# one test function: each candidate fails it as a whole; cut into assertions, RIGHT passes two, WRONG one
WRITTEN = """#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_larger() {
        assert_eq!(larger(1, 2), 2);
        assert_eq!(larger(5, 1), 5);
        assert_eq!(larger(1, 2), 3);
    }
}
"""


@pytest.mark.rustc
@pytest.mark.sandbox
def test_splitting_into_assertions_ranks_the_right_candidate_first(tmp_path, fixtures, monkeypatch, capsys):
    [split] = benchmark_modules("self_tests_split")
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(
        json.dumps({"benchmark": {"name": str(fixtures / "humaneval_rust_mini.jsonl")}})
    )
    rows = [
        {"task_id": "HumanEval/0", "sample_index": i, "solution": c} for i, c in enumerate((WRONG, RIGHT))
    ]
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    hidden = [{"task_id": "HumanEval/0", "sample_index": i, "passed": i == 1} for i in range(2)]
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in hidden))
    written = {"task_id": "HumanEval/0", "text": WRITTEN, "seconds": 1.0, "tokens": 60}
    (run / "written-tests.jsonl").write_text(json.dumps(written) + "\n")
    monkeypatch.setattr(sys, "argv", ["self_tests_split.py", str(run), "--methods", "self-tests"])
    split.main()
    got = {
        line.split(" | ")[1]: line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("| self")
    }
    assert got["functions"] == "| self-tests | functions | 1 | 1 | 1 | 0/1 (0.0 %) |  |"
    assert got["assertions"] == "| self-tests | assertions | 1 | 3 | 1 | 1/1 (100.0 %) | 1 / 0, p = 1.00 |"

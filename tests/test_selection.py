"""Choosing one answer per problem from a run's samples with public checks only, in the real sandbox."""

from __future__ import annotations

import dataclasses
import json

import pytest

from rustcoder.selection import Method
from rustcoder.selection.public import choose
from rustcoder.selection.run import select
from rustcoder.types import ExecResult, Problem, Sample, Status
from tests.conftest import Remembering, choices, fixture_problems, rustcoder_cli

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
    assert fallback.chosen == 1 and "none passes a public example" in fallback.why
    some = {**failing, 2: ExecResult(Status.TEST_FAILURE, tests_total=2, tests_passed=1)}
    most = choose(examples, [0, 1, 2], some, Method.EXAMPLES)
    assert most.chosen == 2 and "the most public examples (1 of 2" in most.why
    assert most.checks[2] == "test_failure (1/2 examples)"
    nothing = choose(problem, [0, 1], {0: checks[0], 1: checks[0]}, Method.COMPILE)
    assert nothing.chosen == 0 and "none compiles" in nothing.why


def _two_more_examples() -> Problem:
    """MultiPL-E's `add` with two more examples: one right, one of the wrong types."""
    add = fixture_problems("multiple_mini.jsonl")[0]  # its hidden tests are a `fn main`
    return dataclasses.replace(
        add,
        example_tests=(add.example_tests or "").replace(
            "}\n}\n", "}\n    #[test]\n    fn more() { assert_eq!(add(2, 2), 4); }\n"
            "    #[test]\n    fn typed() { assert_eq!(add(1.5, 2), 3); }\n}\n"
        ),
    )  # fmt: skip


@pytest.mark.rustc
@pytest.mark.sandbox
def test_examples_are_checked_against_the_signature_once(monkeypatch):
    from rustcoder.evaluation import checks

    [once] = checks.with_usable_examples([_two_more_examples()])
    assert once.examples_checked and "add(2, 2), 4" in (once.example_tests or "")
    assert "1.5" not in (once.example_tests or "")  # the mistyped one is gone
    compiled: list[dict] = []
    real = checks._kept

    def counted(problems, functions, config, reference):
        compiled.append(dict(functions))
        return real(problems, functions, config, reference)

    monkeypatch.setattr(checks, "_kept", counted)
    assert checks.with_usable_examples([once]) == [once] and compiled == [{}]  # nothing compiled again


@pytest.mark.rustc
@pytest.mark.sandbox
def test_examples_the_reference_solution_fails_are_left_out():
    from rustcoder.evaluation import checks

    wrong = _two_more_examples()
    wrong = dataclasses.replace(
        wrong, example_tests=(wrong.example_tests or "").replace("(2, 2), 4", "(2, 2), 5")
    )
    for blank in (None, " \n"):  # no reference: what compiles stays
        [unchecked] = checks.with_usable_examples([dataclasses.replace(wrong, canonical_solution=blank)])
        assert "add(2, 2), 5" in (unchecked.example_tests or "")
    [checked] = checks.with_usable_examples([dataclasses.replace(wrong, canonical_solution="    a + b\n")])
    assert "add(2, 2), 5" not in (checked.example_tests or "") and "1.5" not in (checked.example_tests or "")
    assert "add(1, 2), 3" in (checked.example_tests or "")  # the prompt's own example, which it passes


@pytest.mark.rustc
@pytest.mark.sandbox
def test_examples_checks_multipl_e_doc_examples_and_drops_one_of_the_wrong_types():
    add = fixture_problems("multiple_mini.jsonl")[0]
    problem = _two_more_examples()
    bodies = ("a +", "a - b", "if a == 2 { 4 } else { 0 }", "a + b")
    candidates = [
        Sample(add.task_id, i, completion=f"    {body}\n") for i, body in enumerate(bodies)
    ]  # 0 does not compile; 1 passes no example, 2 one of the two that compile, 3 both
    [choice], _ = select([problem], candidates, Method.EXAMPLES)
    assert choice.chosen == 3 and choice.why == "the first to pass the public examples"
    assert choice.checks == {
        0: "compile_error", 1: "test_failure (0/2 examples)", 2: "test_failure (1/2 examples)",
        3: "passed (2/2 examples)",
    }  # fmt: skip
    [partial], _ = select([problem], candidates[:3], Method.EXAMPLES)
    assert partial.chosen == 2 and "(1 of 2; none passes all)" in partial.why


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
    (run / "samples.jsonl").write_text(json.dumps(rows[0]) + "\n")  # only the broken one
    fixing = rustcoder_cli("select", str(run), "--repair-rounds", "1", "--backend", "fake", "--model", "fake")
    assert fixing.returncode == 0, fixing.stderr[-2000:]
    [tried] = choices(run, "compile-repair")  # one round of rustc's diagnostics, the fake's answer no fix
    assert len(tried["repair"]) == 1 and "does not compile" in tried["repair"][0]["feedback"]
    assert not (run / "select-compile-repair" / "repairs.jsonl").exists()  # kept only until written


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


FIRST = "fn larger(a: i32, b: i32) -> i32 { a }\n"  # right when a is the larger
OTHER_RIGHT = "fn larger(a: i32, b: i32) -> i32 { a.max(b) }\n"
WRITTEN = """#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn test_order() { assert_eq!(larger(1, 2), 2); }
    #[test]
    fn test_types() { assert_eq!(larger("a", 2), 2); }
    #[test]
    fn test_first() { assert_eq!(larger(5, 3), 5); }
    #[test]
    #[should_panic]
    fn test_panics() { larger(1, 1); }
    #[test]
    fn test_unrelated() { assert!(true); }
}
"""


def _written(task_id: str, text: str = WRITTEN):
    from rustcoder.execute.testcases import split_tests
    from rustcoder.selection.written import Written

    return {task_id: Written(task_id, text, tuple(split_tests(text, "larger")), 1.0, 99)}


def test_the_model_s_tests_and_their_inputs_are_found_with_tree_sitter():
    from rustcoder.execute.testcases import call_arguments, split_tests
    from rustcoder.selection.inputs import generated_arguments

    tests = split_tests(WRITTEN, "larger")
    assert [t.split("(")[0] for t in tests] == ["#[test]\nfn rc_t0", "#[test]\nfn rc_t1", "#[test]\nfn rc_t2"]
    assert call_arguments(tests, "larger") == ["(1, 2)", '("a", 2)', "(5, 3)"]  # inside assert_eq!
    assert generated_arguments("larger(a: i32, b: i32) -> i32")[:3] == ["(0, 1)", "(1, 0)", "(7, -100)"]
    assert generated_arguments("f<T: Ord>(xs: Vec<T>) -> T") == []  # beyond the generator: none
    slices = generated_arguments("f(s: &str, xs: &[u8]) -> bool")
    assert slices[:2] == ['("", &vec![1, 7, 3])', '("abc", &vec![])'] and len(set(slices)) == 6


CUT_OFF = """mod tests {
    use super::*;

    #[test]
    fn larger() {
        let big = 9;
        assert_eq!(larger(1, 2), 2);
        // a comment
        let r = larger(big, 3);
        assert_eq!(r, big)
    }

    #[test]
    fn more() {
        assert!(larger(4, 4) == 4);
        assert_eq!(larger(5, 6), 6);
        assert_eq!(larger(7, 8"""  # the token limit cut it off: as the 0.5B's answers often end


def test_an_answer_cut_off_is_closed_and_each_assertion_is_a_test():
    from rustcoder.execute.testcases import closed, split_tests

    assert closed(WRITTEN) == WRITTEN  # an answer that parses is left alone
    assert closed(CUT_OFF).endswith("assert_eq!(larger(5, 6), 6);\n}\n}\n")
    assert closed("fn f( {") == "fn f( {"  # nothing complete to keep: unchanged
    tests = split_tests(CUT_OFF, "larger")
    assert [t.split("{", 1)[1] for t in tests] == [
        "\n    let big = 9;\n    assert_eq!(larger(1, 2), 2);\n}",
        "\n    let big = 9;\n    let r = larger(big, 3);\n    assert_eq!(r, big);\n}",  # its let came along
        "\n    assert!(larger(4, 4) == 4);\n}",
        "\n    assert_eq!(larger(5, 6), 6);\n}",
    ]
    assert [t.split("(")[0] for t in tests][-1] == "#[test]\nfn rc_t3"
    assert split_tests(CUT_OFF, "larger", limit=2) == tests[:2]
    first = split_tests(CUT_OFF, "larger", salvage=False, per_assertion=False)  # as the first splitter
    assert len(first) == 1 and "larger(5, 6)" not in first[0]  # the cut-off function was lost
    whole = split_tests(CUT_OFF, "larger", per_assertion=False)
    assert len(whole) == 2 and whole[0].count("assert_eq!") == 2
    no_assertion = "#[test]\nfn t() {\n    larger(1, 2);\n}\n"  # a test that only calls: kept whole
    assert split_tests(no_assertion, "larger") == ["#[test]\nfn rc_t0() {\n    larger(1, 2);\n}"]


def test_kept_answers_are_split_again_so_a_better_splitter_reaches_them(tmp_path):
    from rustcoder.backends.fake import FakeBackend
    from rustcoder.execute.testcases import split_tests
    from rustcoder.selection.written import model_id, write_tests

    [problem] = fixture_problems("humaneval_rust_mini.jsonl")
    problem = dataclasses.replace(problem, entry_point="larger")
    backend = FakeBackend([])  # asked nothing: every answer is kept
    model = model_id(backend)
    row = {"task_id": problem.task_id, "model": model, "text": CUT_OFF, "tests": []}
    row |= {"seconds": 2.0, "tokens": 640}
    path = tmp_path / "written-tests.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps({**row, "task_id": "not/here"}) + "\n")
    written = write_tests(backend, [problem], path)
    assert list(written) == [problem.task_id] and backend.requests == []
    assert list(written[problem.task_id].tests) == split_tests(CUT_OFF, "larger") != []


def test_tests_written_after_an_interruption_are_asked_as_in_one_go(tmp_path):
    from rustcoder.selection.written import tests_request, write_tests

    problems = fixture_problems("humanevalx_mini.jsonl")
    names = [p.entry_point for p in problems]
    path = tmp_path / "written-tests.jsonl"
    first = Remembering(lambda r, c: "RUST_BEGIN\nRUST_END")
    write_tests(first, problems[:2], path)  # stopped after two problems
    assert first.log == [
        ("replay", "fresh"), ("generate", names[0]), ("replay", "after"), ("generate", names[1])
    ]  # fmt: skip
    again = Remembering(lambda r, c: "RUST_BEGIN\nRUST_END")
    assert set(write_tests(again, problems, path)) == {p.task_id for p in problems}
    assert again.log == [("replay", "fresh", names[0], names[1]), ("generate", names[2])]
    assert again.replayed == [tests_request(p) for p in problems[:2]] == first.requests


@pytest.mark.rustc
@pytest.mark.sandbox
def test_self_tests_rank_by_the_model_s_tests_that_compile():
    [problem] = fixture_problems("humaneval_rust_mini.jsonl")
    codes = (BROKEN, WRONG, FIRST, RIGHT)
    candidates = [Sample(problem.task_id, i, solution=code) for i, code in enumerate(codes)]
    [choice], [chosen] = select([problem], candidates, Method.SELF_TESTS, written=_written(problem.task_id))
    assert chosen.solution == RIGHT and choice.chosen == 3
    # the test with a string argument does not compile against the signature: two tests count
    assert choice.checks == {
        0: "compile_error", 1: "0/2 own tests", 2: "1/2 own tests", 3: "2/2 own tests"
    }  # fmt: skip
    assert "passes 2 of the model's 2 tests" in choice.why
    [tie], _ = select([problem], [*candidates[:3], Sample(problem.task_id, 3, solution=WRONG)],
                      Method.SELF_TESTS, written=_written(problem.task_id))  # fmt: skip
    assert tie.chosen == 2  # 1/2 beats 0/2, whatever the agreement among the wrong ones
    nothing = _written(problem.task_id, "fn unrelated() {}\n")
    [fallback], _ = select([problem], candidates, Method.SELF_TESTS, written=nothing)
    assert fallback.chosen == 1 and "no test of the model's compiles" in fallback.why


@pytest.mark.rustc
@pytest.mark.sandbox
def test_agreement_picks_the_largest_cluster_of_identical_behaviour():
    [problem] = fixture_problems("humaneval_rust_mini.jsonl")
    codes = (WRONG, RIGHT, BROKEN, OTHER_RIGHT, FIRST)
    candidates = [Sample(problem.task_id, i, solution=code) for i, code in enumerate(codes)]
    [choice], [chosen] = select([problem], candidates, Method.AGREEMENT, written=_written(problem.task_id))
    assert choice.chosen == 1 and chosen.solution == RIGHT  # RIGHT and OTHER_RIGHT agree everywhere
    assert choice.checks[1] == choice.checks[3] == "cluster 1 of 3 (2 candidates)"
    assert choice.checks[2] == "compile_error"
    assert "2 of 4 running candidates agree" in choice.why
    # without the model's tests the generator's inputs still separate them
    [generated], _ = select([problem], candidates, Method.AGREEMENT, written={})
    assert generated.chosen == 1


@pytest.mark.rustc
@pytest.mark.sandbox
def test_select_commands_ask_the_model_for_tests_once(tmp_path, fixtures):
    run = tmp_path / "run"
    run.mkdir()
    bench = fixtures / "humaneval_rust_mini.jsonl"
    (run / "run.json").write_text(json.dumps({"benchmark": {"name": str(bench)}, "model": {"name": "fake"}}))
    rows = [
        {"task_id": "HumanEval/0", "sample_index": i, "solution": c} for i, c in enumerate((BROKEN, RIGHT))
    ]
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ("select", str(run), "--method", "self-tests", "--backend", "fake", "--json")
    proc = rustcoder_cli(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    [choice] = choices(run, "self-tests")
    assert choice["chosen"] == 1 and "no test of the model's compiles" in choice["why"]  # fake: no tests
    written = (run / "written-tests.jsonl").read_text().splitlines()
    assert len(written) == 1 and json.loads(written[0])["tests"] == []
    again = rustcoder_cli(*args)  # resumed: the written tests are read, not asked for again
    assert again.returncode == 0 and (run / "written-tests.jsonl").read_text().count("\n") == 1
    other = rustcoder_cli("select", str(run), "--method", "agreement", "--backend", "fake")
    assert other.returncode == 0 and (run / "written-tests.jsonl").read_text().count("\n") == 1  # shared
    [by_agreement] = choices(run, "agreement")
    assert by_agreement["chosen"] == 1 and by_agreement["why"].startswith("the largest of 1 behaviour")
    nomodel = tmp_path / "bare"
    nomodel.mkdir()
    (nomodel / "run.json").write_text(json.dumps({"benchmark": {"name": str(bench)}}))
    bad = rustcoder_cli("select", str(nomodel), "--method", "agreement", "--backend", "fake")
    assert bad.returncode != 0 and "give one with --model" in bad.stderr


@pytest.mark.rustc
@pytest.mark.sandbox
def test_a_chosen_answer_that_fails_its_checks_is_repaired_with_rustc_s_feedback():
    from rustcoder.backends.fake import FakeBackend
    from rustcoder.selection.run import repair_chosen

    [problem] = fixture_problems("humaneval_rust_mini.jsonl")
    fake = FakeBackend([RIGHT + "RUST_END"])
    choices_, chosen = select([problem], [Sample(problem.task_id, 0, solution=BROKEN)], Method.COMPILE)
    [choice], [fixed] = repair_chosen([problem], choices_, chosen, fake, rounds=2)
    assert fixed.solution.strip() == RIGHT.strip() and fixed.meta["repair_rounds"] == 1
    assert len(fake.requests) == 1 and "does not compile" in fake.requests[0].messages[-1].content
    assert fake.requests[0].messages[-2].content.startswith("RUST_BEGIN\n" + BROKEN.strip())
    assert choice.repair is not None and choice.to_json()["repair"][0]["answer"].strip() == RIGHT.strip()
    sound, chosen = select([problem], [Sample(problem.task_id, 0, solution=RIGHT)], Method.COMPILE)
    [kept], [same] = repair_chosen([problem], sound, chosen, FakeBackend([]), rounds=2)
    assert kept.repair == () and same.solution == RIGHT and same.meta["repair_rounds"] == 0


@pytest.mark.rustc
@pytest.mark.sandbox
def test_an_interrupted_repair_resumes_from_its_journal(tmp_path):
    from rustcoder.backends.fake import FakeBackend
    from rustcoder.selection.run import repair_chosen

    [first] = fixture_problems("humaneval_rust_mini.jsonl")
    problems = [first, dataclasses.replace(first, task_id="HumanEval/0b")]
    broken = [Sample(p.task_id, 0, solution=BROKEN) for p in problems]
    choices_, chosen = select(problems, broken, Method.COMPILE)
    journal = tmp_path / "repairs.jsonl"
    with pytest.raises(IndexError):  # the model fails on the second answer: the first repair is kept
        repair_chosen(problems, choices_, chosen, FakeBackend([RIGHT + "RUST_END"]), 2, journal=journal)
    assert [json.loads(line)["task_id"] for line in journal.open()] == ["HumanEval/0"]
    first_requests = []

    def remember(request, call):
        first_requests.append(request)
        return RIGHT + "RUST_END"

    repair_chosen([first], choices_[:1], chosen[:1], FakeBackend(remember), 2)  # what it asked for the first
    fake = Remembering([RIGHT + "RUST_END"])
    repaired, fixed = repair_chosen(problems, choices_, chosen, fake, 2, journal=journal)
    assert len(fake.requests) == 1 and "does not compile" in fake.requests[0].messages[-1].content
    assert fake.replayed == first_requests and fake.log[0][:2] == ("replay", "fresh")  # the kept repair
    assert [s.solution.strip() for s in fixed] == [RIGHT.strip()] * 2
    assert [s.meta["repair_rounds"] for s in fixed] == [1, 1] and all(c.repair for c in repaired)
    other = FakeBackend([RIGHT + "RUST_END"] * 2)  # fewer rounds: not the same repair, asked again
    repair_chosen(problems, choices_, chosen, other, 1, journal=journal)
    assert len(other.requests) == 2


def test_selection_refuses_other_languages_clearly():
    from rustcoder.errors import RustcoderError

    [problem, *_] = fixture_problems("humaneval_python_mini.jsonl")
    with pytest.raises(RustcoderError, match="selection checks Rust candidates; these problems are python"):
        select([problem], [Sample(problem.task_id, 0, solution="def f(): pass")], Method.COMPILE)


@pytest.mark.parametrize(
    ("record", "said"),
    [
        ('{"benchmark": {"name": 3}}', "names no benchmark"),
        ("[]", "names no benchmark"),
        ('{"model": "m"}', "names no benchmark"),
        ("{not json", "not a run folder with a readable run.json"),
    ],
)
def test_a_run_json_naming_no_benchmark_is_refused_clearly(tmp_path, record, said):
    from rustcoder.errors import DataError
    from rustcoder.selection.run import select_run

    (tmp_path / "run.json").write_text(record)
    with pytest.raises(DataError, match=said):
        select_run(tmp_path, Method.COMPILE)


def test_the_model_to_ask_comes_from_run_json_or_is_asked_for(tmp_path):
    from rustcoder.cli.select import _run_model
    from rustcoder.errors import DataError

    (tmp_path / "run.json").write_text('{"model": {"name": "qwen2.5-coder-0.5b-instruct"}}')
    assert _run_model(tmp_path) == "qwen2.5-coder-0.5b-instruct"
    (tmp_path / "run.json").write_text('{"benchmark": {"name": "humanevalpack-rust"}}')
    with pytest.raises(DataError, match=r"names no model \(model.name\).*; give one with --model$"):
        _run_model(tmp_path)

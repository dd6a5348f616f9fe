"""Backends' shared machinery, strategies, extraction and resumable generation, with the fake backend."""

import json

import pytest

from rustcoder.backends.base import GenRequest, Message, StopScanner, looping
from rustcoder.backends.fake import FakeBackend
from rustcoder.errors import BackendError, ContextOverflowError, DataError
from rustcoder.generation.generate import generate
from rustcoder.postprocess.extract import extract_solution, imported_names
from rustcoder.prompting.registry import STRATEGIES
from rustcoder.prompting.strategies import ALPACA
from rustcoder.settings import Sampling
from rustcoder.types import Language
from tests.conftest import fixture_problems, rustcoder_cli

SUM_OK = "fn sum_all(xs: Vec<i64>) -> i64 {\n    xs.iter().sum()\n}\n"


def test_stop_scanner_finds_stops_across_pieces():
    scanner = StopScanner(("RUST_END", "\n}"))
    emitted = "".join(scanner.feed(p) for p in ["fn a() {} RU", "ST_", "END trailing"])
    assert scanner.hit == "RUST_END" and scanner.text == "fn a() {} "
    assert emitted + scanner.flush() == "fn a() {} "
    earliest = StopScanner(("B", "A"))
    earliest.feed("xxAyyB")
    assert earliest.hit == "A" and earliest.text == "xx"


def test_fake_backend_scripts_stops_lengths_and_timings():
    backend = FakeBackend(["abc RUST_END more", "x" * 100], tokens_per_second=100, ttft_seconds=0.5)
    first, second = backend.generate(
        [
            GenRequest(prompt="p", stop=("RUST_END",)),
            GenRequest(prompt="p", max_tokens=5),
        ]
    )
    assert (first.text, first.finish, first.stopped_by) == ("abc ", "stop", "RUST_END")
    assert second.finish == "length" and second.tokens == 5
    assert second.total_seconds == pytest.approx(0.5 + 4 / 100)
    assert len(backend.requests) == 2
    with pytest.raises(IndexError):
        backend.generate([GenRequest(prompt="p")])


def test_a_loop_is_a_short_piece_repeated_over_the_whole_span():
    assert looping("fn f() {\n" + "o|" * 128, 256)
    assert looping("x" + "    result.pop();\n" * 19, 256)  # a 18-character piece
    assert not looping("o|" * 127, 256)  # shorter than the span
    assert not looping("o|" * 500, 0)  # off
    assert not looping("".join(f"assert_eq!(f({i}), {i * i});\n" for i in range(40)), 256)
    assert not looping(("a" * 33 + "b") * 20, 256)  # a 34-character piece is longer than recognised


def test_the_loop_guard_ends_runaway_output_early():
    runaway = 'fn f() -> u8 {\n    let s = "' + "o|" * 400
    backend = FakeBackend([runaway] * 4)
    guarded, unguarded = backend.generate(
        [GenRequest(prompt="p", max_tokens=150, loop_span=64), GenRequest(prompt="p", max_tokens=150)]
    )
    assert guarded.finish == "loop" and guarded.cut_off and guarded.tokens < 30
    assert guarded.text.endswith("o|" * 32) and runaway.startswith(guarded.text)
    assert unguarded.finish == "length" and unguarded.tokens == 150
    streamed = "".join(c.text for c in backend.stream(GenRequest(prompt="p", max_tokens=150, loop_span=64)))
    assert streamed == guarded.text
    completion = STRATEGIES["completion"].outcome(fixture_problems("humanevalx_mini.jsonl")[0], guarded)
    assert not completion.well_formed


def test_a_stream_is_typed_chunks_whose_last_says_how_it_ended():
    from rustcoder.backends.base import Chunk, collect, scan

    closed: list[bool] = []

    def model():
        try:
            yield from ["fn f", "() {", " 1 }", "\nRUST", "_END", " and more"]
        finally:
            closed.append(True)

    request = GenRequest(prompt="p", max_tokens=50, stop=("RUST_END",))
    chunks = list(scan(model(), request, prompt_tokens=7))
    assert "".join(c.text for c in chunks) == "fn f() { 1 }\n" and closed == [True]
    assert all(c.finish is None and c.usage is None for c in chunks[:-1])
    last = chunks[-1]
    assert (last.text, last.finish, last.stopped_by) == ("", "stop", "RUST_END")
    assert last.usage is not None and (last.usage.prompt_tokens, last.usage.tokens) == (7, 5)
    generation = collect(chunks)
    assert generation.text == "fn f() { 1 }\n" and generation.finish == "stop" and generation.tokens == 5
    with pytest.raises(ValueError, match="last chunk"):
        collect([Chunk("x")])


def test_closing_a_stream_early_ends_the_models_generation():
    from rustcoder.backends.base import scan

    closed: list[bool] = []

    def model():
        try:
            while True:
                yield "tok "
        finally:
            closed.append(True)

    stream = scan(model(), GenRequest(prompt="p", max_tokens=10_000), prompt_tokens=1)
    assert next(stream).text == "tok "
    stream.close()  # a client went away
    assert closed == [True]


def test_requests_are_validated():
    with pytest.raises(ValueError):
        GenRequest()
    with pytest.raises(ValueError):
        GenRequest(prompt="p", messages=(Message("user", "x"),))
    with pytest.raises(ValueError):
        GenRequest(prompt="p", temperature=-1)
    with pytest.raises(ValueError):
        GenRequest(prompt="p", loop_span=-1)


def test_strategy_prompts_are_exactly_the_documented_ones():
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    delimited = STRATEGIES["delimited"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert delimited.messages[0].content == (
        f"You are an expert Rust programmer. {problem.instruction} In your response, use RUST_BEGIN and "
        "RUST_END to delimit the rust function."
    )
    assert delimited.prefill == "RUST_BEGIN\n" and delimited.stop == ("RUST_END",)
    one_shot = STRATEGIES["one-shot"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert [m.role for m in one_shot.messages] == ["user", "assistant", "user"]
    assert "count_vowels" in one_shot.messages[1].content and one_shot.messages[2] == delimited.messages[0]
    alpaca = STRATEGIES["alpaca"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert alpaca.prompt == ALPACA.format(instruction=problem.instruction)
    assert alpaca.prompt.startswith("Below is an instruction that describes a task.")
    assert alpaca.prompt.endswith("### Response:\n")
    completion = STRATEGIES["completion"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert completion.prompt == problem.header + problem.prompt
    instruct = STRATEGIES["instruct"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert instruct.messages == (Message("user", problem.instruction),)


def test_completion_outcome_closes_the_function_unless_the_tests_do():
    hex_problem = fixture_problems("humanevalx_mini.jsonl")[0]
    multiple = fixture_problems("multiple_mini.jsonl")[0]
    strategy = STRATEGIES["completion"]
    [generation] = FakeBackend(["\n    xs.iter().sum()\n}\nfn main() {}"]).generate(
        [strategy.request(hex_problem, temperature=0, seed=0, max_tokens=100)]
    )
    assert strategy.outcome(hex_problem, generation).text == "\n    xs.iter().sum()\n}\n"
    [generation] = FakeBackend(["    a + b\n}\n"]).generate(
        [strategy.request(multiple, temperature=0, seed=0, max_tokens=100)]
    )
    assert strategy.outcome(multiple, generation).text == "    a + b"


def test_extraction_keeps_what_the_solution_needs():
    header = fixture_problems("humanevalx_mini.jsonl")[0].header
    answer = (
        "Sure! Here it is:\n```rust\nuse std::collections::HashMap;\nuse std::fmt::Write;\n\n"
        "fn sum_all(xs: Vec<i64>) -> i64;\n\nfn helper(x: &i64) -> i64 { *x }\n\n"
        "fn sum_all(xs: Vec<i64>) -> i64 {\n    xs.iter().map(helper).sum()\n}\n\n"
        'fn main() { println!("{}", sum_all(vec![1])); }\n\n'
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n```\nHope this helps!"
    )
    code = extract_solution(answer, Language.RUST, "sum_all", header)
    assert "fn main" not in code and "mod tests" not in code and "Hope" not in code
    assert "use std::collections::HashMap;" not in code  # the header imports HashMap already
    assert "use std::fmt::Write;" in code and "fn helper" in code
    assert code.count("fn sum_all") == 1 and "map(helper)" in code
    assert imported_names("use std::io::{self, Write as W};") == {"io", "W"}
    delimited = extract_solution("RUST_BEGIN\n" + SUM_OK + "RUST_END\nbla", Language.RUST, "sum_all")
    assert delimited.strip() == SUM_OK.strip()
    doc_test = "RUST_BEGIN\n/// ```\n/// assert_eq!(sum_all(vec![1]), 1);\n/// ```\n" + SUM_OK + "RUST_END"
    assert "xs.iter().sum()" in extract_solution(doc_test, Language.RUST, "sum_all")
    python = extract_solution("x\n```python\ndef f():\n    return 1\n```\n", Language.PYTHON, "f")
    assert python == "def f():\n    return 1\n"


def test_python_extraction_drops_the_models_own_usage_examples():
    answer = (
        "Here:\n```python\nimport math\nfrom functools import lru_cache\n\nVOWELS = set('aeiou')\n"
        "numbers = [1.0, 2.0]\n\n@lru_cache\ndef helper(x):\n    return math.floor(x)\n\n"
        "def count(s: str) -> int:\n    numbers = 0\n    for c in s:\n        numbers += c in VOWELS\n"
        "    return numbers + helper(0.5)\n\n# Test cases\nprint(count('abc'))  # 1\n"
        "assert count('') == 0\nresult = count('xyz')\nif __name__ == '__main__':\n    count('q')\n```\n"
    )
    code = extract_solution(answer, Language.PYTHON, "count")
    assert code.startswith("import math\n\nfrom functools import lru_cache\n\nVOWELS = set('aeiou')")
    assert "@lru_cache\ndef helper(x):" in code and "return numbers + helper(0.5)" in code
    for dropped in ("print(", "assert count", "result =", "__main__", "numbers = [1.0"):
        assert dropped not in code
    broken = "```python\ndef count(s):\n    return (\nprint(1)\n```"
    assert extract_solution(broken, Language.PYTHON, "count") == "def count(s):\n    return (\nprint(1)\n"
    elsewhere = "```python\nprint('no entry point here')\n```"
    assert extract_solution(elsewhere, Language.PYTHON, "count") == "print('no entry point here')\n"


def test_delimited_retries_until_well_formed(tmp_path):
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    answers = ["fn sum_all(" + "o|" * 1000, "", SUM_OK + "RUST_END"]  # a runaway, an empty answer, code
    backend = FakeBackend(answers)
    out = tmp_path / "samples.jsonl"
    assert generate(backend, STRATEGIES["delimited"], [problem], Sampling(), out) == 1
    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["attempts"] == 3 and row["well_formed"] is True
    assert row["solution"].strip() == SUM_OK.strip()
    assert [r.temperature for r in backend.requests] == [0.0, 0.5, 0.5]
    assert len({r.seed for r in backend.requests}) == 3
    assert {r.loop_span for r in backend.requests} == {256} and row["tokens"] < 100  # not 768 for the loop
    assert row["gen_seconds"] > 0 and row["tokens"] > 0 and "ttft_seconds" in row


def test_the_last_attempt_is_kept_regardless(tmp_path):
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    backend = FakeBackend(lambda request, call: "never closed")
    out = tmp_path / "samples.jsonl"
    generate(backend, STRATEGIES["delimited"], [problem], Sampling(attempts=4), out)
    row = json.loads(out.read_text())
    assert row["attempts"] == 4 and row["well_formed"] is False and len(backend.requests) == 4


def test_backend_failures_are_recorded_then_generated_again(tmp_path, monkeypatch):
    monkeypatch.setattr("rustcoder.generation.generate.time.sleep", lambda _s: None)
    problems = fixture_problems("humanevalx_mini.jsonl")[:2]

    def flaky(request, call):
        if "sum_all" in request.messages[0].content:
            raise BackendError("server went away")
        return "```rust\nfn reverse_string(s: &str) -> String { s.chars().rev().collect() }\n```"

    out = tmp_path / "samples.jsonl"
    generate(FakeBackend(flaky), STRATEGIES["instruct"], problems, Sampling(backend_retries=2), out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["error"] == "server went away" and rows[0]["solution"] == ""
    assert "error" not in rows[1]
    made = generate(FakeBackend([SUM_OK]), STRATEGIES["instruct"], problems, Sampling(), out)
    assert made == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2 and not any("error" in r for r in rows)


def test_generation_resumes_where_it_stopped(tmp_path):
    problems = fixture_problems("humanevalx_mini.jsonl")

    def interrupted(request, call):
        if call == 3:
            raise KeyboardInterrupt
        return SUM_OK

    out = tmp_path / "samples.jsonl"
    with pytest.raises(KeyboardInterrupt):
        generate(FakeBackend(interrupted), STRATEGIES["instruct"], problems, Sampling(n=2), out)
    assert len(out.read_text().splitlines()) == 3
    backend = FakeBackend(lambda r, c: SUM_OK)
    assert generate(backend, STRATEGIES["instruct"], problems, Sampling(n=2), out) == 3
    keys = [(r["task_id"], r["sample_index"]) for r in map(json.loads, out.read_text().splitlines())]
    assert sorted(keys) == sorted({(p.task_id, i) for p in problems for i in range(2)})


def test_strategies_refuse_languages_they_do_not_support(tmp_path):
    python = fixture_problems("humaneval_python_mini.jsonl")
    with pytest.raises(DataError, match="does not support python"):
        generate(FakeBackend(), STRATEGIES["delimited"], python, Sampling(), tmp_path / "s.jsonl")


@pytest.mark.rustc
@pytest.mark.sandbox
def test_run_generates_evaluates_reports_and_guards_its_settings(tmp_path, fixtures):
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.execute.engine import ExecConfig
    from rustcoder.generation.run import run
    from rustcoder.provenance import source_version

    benchmark = load_benchmark(str(fixtures / "humanevalx_mini.jsonl"))
    answers = {
        p.entry_point: f"RUST_BEGIN\nfn {p.signature} {{{p.canonical_solution}" for p in benchmark.problems
    }

    def respond(request, call):
        entry = next(name for name in answers if f"`{name}(" in request.messages[0].content)
        return answers[entry].removeprefix("RUST_BEGIN\n") + "RUST_END"

    out = tmp_path / "run"
    strategy = STRATEGIES["delimited"]
    config = ExecConfig(jobs=1)
    document = run(
        benchmark, benchmark.problems, FakeBackend(respond), strategy, Sampling(), out, config=config
    )
    assert document["pass_at_k"] == {"1": 1.0} and document["samples"] == 3
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "complete" and info["strategy"]["name"] == "delimited"
    assert (
        info["strategy"]["template"]["prefill"] == "RUST_BEGIN\n" and info["sampling"]["temperature"] == 0.0
    )
    assert info["benchmark"]["sha256"] and info["model"]["name"] == "fake"
    assert info["execution"]["environment"]["rustc"].startswith("rustc 1.")
    assert info["execution"]["config"]["limits"]["wall_seconds"] == config.limits.wall_seconds
    assert (out / "report" / "report.html").exists()
    assert document["generation"]["gen_seconds"]["mean"] > 0
    assert document["generation"]["gen_seconds"]["total"] == pytest.approx(
        sum(json.loads(line)["gen_seconds"] for line in (out / "samples.jsonl").read_text().splitlines()),
        abs=1e-3,
    )
    report = (out / "report" / "report.md").read_text()
    assert "## Wall time of each start" in report and "| run | 1 | " in report
    again = run(benchmark, benchmark.problems, FakeBackend([]), strategy, Sampling(), out, config=config)
    assert again["run"]["executed"] == 0 and again["samples"] == 3
    history = json.loads((out / "run.json").read_text())["history"]
    assert [start["rustcoder"] for start in history] == [source_version()] * 2  # which code, per start
    with pytest.raises(DataError, match="other settings"):
        run(
            benchmark,
            benchmark.problems,
            FakeBackend([]),
            STRATEGIES["one-shot"],
            Sampling(),
            out,
            config=config,
        )
    with pytest.raises(DataError, match="sampling"):
        run(
            benchmark,
            benchmark.problems,
            FakeBackend([]),
            strategy,
            Sampling(temperature=0.2),
            out,
            config=config,
        )
    recorded = json.loads((out / "run.json").read_text())
    del recorded["sampling"]["loop_span"]  # as runs made before the loop guard existed
    (out / "run.json").write_text(json.dumps(recorded))
    with pytest.raises(DataError, match=r"sampling.loop_span: 0 -> 256"):
        run(benchmark, benchmark.problems, FakeBackend([]), strategy, Sampling(), out, config=config)
    legacy = Sampling(loop_span=0)
    assert run(benchmark, benchmark.problems, FakeBackend([]), strategy, legacy, out, config=config)


def test_an_interrupted_start_records_when_it_ended(tmp_path, fixtures):
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.generation.run import run
    from rustcoder.metrics.starts import starts

    benchmark = load_benchmark(str(fixtures / "humanevalx_mini.jsonl"))

    def respond(request, call):
        if call == 1:
            raise KeyboardInterrupt
        return "fn f() {}\nRUST_END"

    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        run(benchmark, benchmark.problems, FakeBackend(respond), STRATEGIES["delimited"], Sampling(), out)
    (start,) = starts(json.loads((out / "run.json").read_text())["history"])
    assert start.ended == "interrupted" and start.wall_seconds is not None


def test_retries_are_decided_by_the_errors_type(tmp_path, monkeypatch):
    monkeypatch.setattr("rustcoder.generation.generate.time.sleep", lambda _s: None)
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    calls: list[str] = []

    def overflowing(request, call):
        calls.append("overflow")
        raise ContextOverflowError("prompt of 9000 tokens exceeds the context of 4096")

    out = tmp_path / "a.jsonl"
    generate(FakeBackend(overflowing), STRATEGIES["instruct"], [problem], Sampling(backend_retries=3), out)
    assert calls == ["overflow"]  # retrying cannot help: tried once, recorded
    assert "exceeds the context" in json.loads(out.read_text())["error"]

    def transient(request, call):
        calls.append("transient")
        if call < 2:
            raise BackendError("503 from the server")
        return "```rust\n" + SUM_OK + "```"

    calls.clear()
    out = tmp_path / "b.jsonl"
    generate(FakeBackend(transient), STRATEGIES["instruct"], [problem], Sampling(backend_retries=3), out)
    assert calls == ["transient"] * 3 and "error" not in json.loads(out.read_text())


def test_a_bug_in_a_strategy_is_raised_not_retried(tmp_path):
    class Broken:
        name, description, languages, default_attempts = "broken", "", frozenset(Language), 1

        def request(self, problem, *, temperature, seed, max_tokens):
            return STRATEGIES["instruct"].request(
                problem, temperature=temperature, seed=seed, max_tokens=max_tokens
            )

        def outcome(self, problem, generation):
            raise KeyError("a bug")

        def template(self):
            return {}

    backend = FakeBackend(["x"] * 5)
    with pytest.raises(KeyError, match="a bug"):
        generate(
            backend, Broken(), fixture_problems("humanevalx_mini.jsonl")[:1], Sampling(), tmp_path / "s.jsonl"
        )
    assert len(backend.requests) == 1


@pytest.mark.rustc
@pytest.mark.sandbox
def test_a_failed_generation_is_a_backend_error_and_is_executed_again_on_resume(tmp_path, fixtures):
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.evaluation.run import evaluate
    from rustcoder.evaluation.samples import load_samples

    benchmark = load_benchmark(str(fixtures / "humanevalx_mini.jsonl"))
    samples = tmp_path / "samples.jsonl"
    failed = {"task_id": "Mini/0", "sample_index": 0, "solution": "", "error": "timeout", "attempts": 1}
    samples.write_text(json.dumps(failed) + "\n")
    out = tmp_path / "results.jsonl"
    document = evaluate(benchmark, load_samples(samples, {"Mini/0"}), out)
    row = json.loads(out.read_text())
    assert row["status"] == "backend_error" and row["reason"] == "generation failed: timeout"
    assert document["status_counts"]["backend_error"] == 1
    samples.write_text(json.dumps({"task_id": "Mini/0", "sample_index": 0, "solution": SUM_OK}) + "\n")
    document = evaluate(benchmark, load_samples(samples, {"Mini/0"}), out)  # generated again: no clash
    assert document["status_counts"]["passed"] == 1 and document["run"]["executed"] == 1


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


def test_instruct_stops_after_the_rust_block_not_a_cargo_toml_block():
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    answer = (
        'Add md5 first:\n```toml\n[dependencies]\nmd5 = "0.7"\n```\n\nThen:\n```rust\n'
        + SUM_OK
        + "```\n\nExplanation: it sums."
    )
    for name in ("instruct", "alpaca"):
        strategy = STRATEGIES[name]
        [generation] = FakeBackend([answer]).generate(
            [strategy.request(problem, temperature=0, seed=0, max_tokens=500)]
        )
        assert generation.stopped_by == "}\n```\n" and "Explanation" not in generation.text
        assert strategy.outcome(problem, generation).text.strip() == SUM_OK.strip()
    new_turn = SUM_OK + "\n### Instruction:\nmore"
    [generation] = FakeBackend([new_turn]).generate(
        [STRATEGIES["alpaca"].request(problem, temperature=0, seed=0, max_tokens=500)]
    )
    assert generation.stopped_by == "\n### Instruction" and "more" not in generation.text


def test_instruct_stops_a_python_answer_when_its_code_block_closes():
    problem = fixture_problems("humaneval_python_mini.jsonl")[0]
    code = f"def {problem.entry_point}(*args):\n    return None\n"
    answer = f"Here it is:\n\n```python\n{code}```\n\nExplanation: a long one."
    strategy = STRATEGIES["instruct"]
    request = strategy.request(problem, temperature=0, seed=0, max_tokens=500)
    assert request.stop == ("\n```\n",)
    [generation] = FakeBackend([answer]).generate([request])
    assert generation.stopped_by == "\n```\n" and "Explanation" not in generation.text
    assert strategy.outcome(problem, generation).text.strip() == code.strip()


def test_generate_command_records_its_settings(tmp_path, fixtures):
    out = tmp_path / "samples.jsonl"
    args = [
        "generate",
        str(fixtures / "humanevalx_mini.jsonl"),
        "--backend",
        "fake",
        "--strategy",
        "alpaca",
        "--limit",
        "2",
        "--out",
        str(out),
    ]
    proc = rustcoder_cli(*args, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text().splitlines()) == 2
    meta = json.loads((tmp_path / "samples.meta.json").read_text())
    assert meta["strategy"]["name"] == "alpaca" and meta["strategy"]["template"]["prompt"].startswith(
        "Below is"
    )
    assert meta["problems"] == ["Mini/0", "Mini/1"] and meta["sampling"]["loop_span"] == 256
    again = rustcoder_cli(*args, "--loop-span", "0", timeout=120)  # a resume with other settings
    assert again.returncode == 2 and "sampling.loop_span: 256 -> 0" in again.stderr
    assert (
        len(out.read_text().splitlines()) == 2
        and json.loads((tmp_path / "samples.meta.json").read_text())["sampling"]["loop_span"] == 256
    )


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("humanevalx_mini.jsonl", "delimited"), ("humaneval_python_mini.jsonl", "instruct")],
)
def test_the_default_strategy_is_delimited_for_rust_and_instruct_otherwise(
    tmp_path, fixtures, fixture, expected
):
    out = tmp_path / "samples.jsonl"
    args = ["generate", str(fixtures / fixture), "--backend", "fake", "--limit", "1", "--out", str(out)]
    proc = rustcoder_cli(*args, timeout=120)
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((tmp_path / "samples.meta.json").read_text())
    assert meta["strategy"]["name"] == expected


def test_an_unreadable_settings_record_is_a_clear_error(tmp_path):
    from rustcoder.generation.manifest import RunManifest

    ours = RunManifest(
        benchmark={"sha256": "x", "defects": []}, problems=["A"], model={}, backend={},
        strategy={"name": "d"}, sampling={}, rustcoder="test", machine={},
    )  # fmt: skip
    recorded = tmp_path / "run.json"
    for text in (
        "{not json",
        "[1, 2]",
        '{"benchmark": 3}',
        '{"benchmark": {}, "problems": [], "strategy": {}}',
    ):
        recorded.write_text(text)
        with pytest.raises(DataError, match="not a rustcoder settings record"):
            ours.resuming(recorded)

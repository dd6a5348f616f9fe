"""Prompt variants (`--prompt-variant`, `--prompt-variants`) and the paired comparison of runs."""

import json

import pytest

from rustcoder.backends.fake import FakeBackend
from rustcoder.errors import RustcoderError
from rustcoder.metrics.paired import paired, sign_test
from rustcoder.prompting.base import MultiTurn
from rustcoder.prompting.registry import STRATEGIES, recorded_strategy, strategy_named
from rustcoder.prompting.variants import VARIANTS, variant_named, worded
from tests.conftest import rustcoder_cli


@pytest.fixture
def problem(fixtures):
    from rustcoder.benchmarks import load_benchmark

    return load_benchmark(str(fixtures / "humanevalx_mini.jsonl")).problems[0]


def _user_text(strategy_name, variant, problem):
    strategy = worded(STRATEGIES[strategy_name], VARIANTS[variant])
    return strategy.request(problem, temperature=0.0, seed=0, max_tokens=64)


def test_each_variant_words_the_instruction_its_own_way(problem):
    exact = VARIANTS["exact"].instruction(problem)
    assert exact == problem.instruction
    assert exact.startswith("Write a Rust function `sum_all(xs: Vec<i64>) -> i64` to solve")
    assert VARIANTS["fn"].instruction(problem) == exact.replace("`sum_all(", "`fn sum_all(")
    indented = VARIANTS["indented"].instruction(problem)
    assert "\n    >>> sum_all(vec![1, 2, 3])\n    6" in indented and "\n>>> sum_all" in exact
    assert "`fn sum_all(" in VARIANTS["fn-indented"].instruction(problem)
    block = VARIANTS["code-block"].instruction(problem)
    assert block.endswith("```rust\nfn sum_all(xs: Vec<i64>) -> i64\n```") and "`sum_all(" not in block
    assert len({v.instruction(problem) for v in VARIANTS.values()}) == len(VARIANTS) - 1  # system: exact text


def test_the_system_variant_adds_a_system_message_or_a_preamble(problem):
    chat = _user_text("delimited", "system", problem)
    assert chat.messages[0].role == "system" and "idiomatic" in chat.messages[0].content
    assert problem.instruction in chat.messages[1].content
    raw = _user_text("alpaca", "system", problem)
    assert raw.prompt is not None and raw.prompt.startswith("You are an expert Rust programmer")
    assert "### Instruction:\n" + problem.instruction in raw.prompt


def test_exact_leaves_a_strategy_untouched_and_others_change_its_recorded_template():
    from rustcoder.generation.manifest import template_digest

    delimited = STRATEGIES["delimited"]
    assert worded(delimited, VARIANTS["exact"]) is delimited
    digests = {template_digest(worded(delimited, v), None) for v in VARIANTS.values()}
    assert len(digests) == len(VARIANTS)  # a resume in another wording is refused
    template = worded(delimited, VARIANTS["fn"]).template()
    assert template["prompt_variant"]["name"] == "fn" and template["prefill"] == "RUST_BEGIN\n"
    assert "`{keyword} {signature}`" in template["prompt_variant"]["instruction"]


def test_a_recorded_wording_is_read_back_with_its_strategy(problem):
    """A run's run.json gives back the strategy it ran, wording included (the UI shows its prompts)."""
    for name, variant in (("instruct", "fn-indented"), ("repair", "system"), ("delimited", "exact")):
        ran = worded(strategy_named(name), VARIANTS[variant])
        read = recorded_strategy(ran.name, ran.template())
        assert read.template() == ran.template()
        asked = read.request(problem, temperature=0.0, seed=0, max_tokens=64)
        assert asked == ran.request(problem, temperature=0.0, seed=0, max_tokens=64)
        unworded = strategy_named(name).request(problem, temperature=0.0, seed=0, max_tokens=64)
        assert (asked == unworded) is (variant == "exact")  # the wording reached the request


def test_repair_stays_multi_turn_in_another_wording(problem):
    repair = worded(strategy_named("repair"), VARIANTS["system"])
    assert isinstance(repair, MultiTurn) and repair.rounds == 3
    first = repair.request(problem, temperature=0.0, seed=0, max_tokens=64)
    follow = repair.follow_up(first, "fn sum_all() {}", "Your code does not compile.")
    assert follow.messages[0].role == "system" and follow.messages[-1].content.startswith("Your code")


def test_code_strategies_and_unknown_names_are_refused():
    with pytest.raises(RustcoderError, match="shows the model code"):
        worded(strategy_named("fim"), VARIANTS["fn"])
    with pytest.raises(RustcoderError, match="shows the model code"):
        worded(STRATEGIES["completion"], VARIANTS["system"])
    with pytest.raises(RustcoderError, match="unknown prompt variant 'terse'; choose one of exact"):
        variant_named("terse")


def test_sign_test_against_hand_computed_values():
    assert sign_test(0, 0) == 1.0
    assert sign_test(5, 0) == pytest.approx(2 / 32)
    assert sign_test(2, 8) == pytest.approx(2 * (1 + 10 + 45) / 1024)
    assert sign_test(3, 3) == 1.0
    pairs = paired({"a", "b"}, {"b", "c", "d"}, ["a", "b", "c", "d", "e"])
    assert pairs.gained == ("c", "d") and pairs.lost == ("a",) and (pairs.both, pairs.neither) == (1, 1)


@pytest.mark.rustc
@pytest.mark.sandbox
def test_variant_runs_are_compared_per_problem(tmp_path, fixtures):
    """A fake model that solves a problem only when the signature comes with `fn`: the comparison counts
    what each wording solves, pairs them and says which problems are stable."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.execute.engine import ExecConfig
    from rustcoder.generation.run import run
    from rustcoder.metrics.variants import compare_variants, write_comparison
    from rustcoder.settings import Sampling

    benchmark = load_benchmark(str(fixtures / "humanevalx_mini.jsonl"))
    by_entry = {p.entry_point: p for p in benchmark.problems}

    def respond(request, call):
        text = request.messages[-1].content
        entry = next(name for name in by_entry if f" {name}(" in text or f"`{name}(" in text)
        p = by_entry[entry]
        solves = f"`fn {entry}(" in text or entry == "sum_all"  # sum_all: solved in every wording
        body = p.canonical_solution if solves else "\n    todo!()\n}\n"
        return f"fn {p.signature} {{{body}RUST_END"

    summaries = {}
    for name in ("exact", "fn", "indented"):
        strategy = worded(STRATEGIES["delimited"], VARIANTS[name])
        summaries[name] = run(
            benchmark,
            benchmark.problems,
            FakeBackend(respond),
            strategy,
            Sampling(),
            tmp_path / name,
            config=ExecConfig(jobs=1),
        )
    comparison = compare_variants(summaries)
    assert comparison.pass_at_1 == pytest.approx({"exact": 1 / 3, "fn": 1.0, "indented": 1 / 3})
    assert comparison.spread == pytest.approx(100 * 2 / 3)
    assert comparison.stability() == {"every": 1, "some": 2, "none": 0}
    versus = comparison.against_baseline()
    assert len(versus["fn"].gained) == 2 and not versus["fn"].lost and not versus["indented"].gained
    _, md = write_comparison(comparison, tmp_path)
    text = md.read_text()
    assert "| `fn` | 100.0 % | 3/3 | 2 | 0 | 0.500 |" in text and "1 problems solved by every" in text
    from rustcoder.metrics.report import load_runs, write_report

    report, _ = write_report(load_runs([tmp_path / "exact", tmp_path / "fn"]), tmp_path / "report")
    assert "| fn | exact | 3 | 1 → 3 | 2 | 0 | 0.500 |" in report.read_text()  # paired, with the sign test
    recorded = json.loads((tmp_path / "fn" / "run.json").read_text())["strategy"]
    assert recorded["template"]["prompt_variant"]["name"] == "fn"
    assert "wording `fn`" in recorded["description"]


def test_the_run_command_runs_and_compares_variants(tmp_path, fixtures):
    bench = str(fixtures / "humanevalx_mini.jsonl")
    out = tmp_path / "variants"
    args = ["run", bench, "--backend", "fake", "--limit", "2", "--out", str(out)]
    proc = rustcoder_cli(*args, "--prompt-variants", "exact,code-block", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Spread: 0.0 points" in proc.stdout
    document = json.loads((out / "variants.json").read_text())
    assert document["solved"] == {"exact": 0, "code-block": 0} and document["problems"] == 2
    assert (out / "report" / "report.md").exists() and (out / "code-block" / "samples.jsonl").exists()
    twins = rustcoder_cli(
        "run", str(fixtures / "humaneval_rust_mini.jsonl"), "--backend", "fake", "--out",
        str(tmp_path / "twins"), "--prompt-variants", "all", timeout=300,
    )  # fmt: skip
    assert twins.returncode == 0, twins.stderr
    assert "variant indented: asks what exact asks on every problem; not run" in twins.stdout
    document = json.loads((tmp_path / "twins" / "variants.json").read_text())
    assert document["repeats"] == {"indented": "exact", "fn-indented": "fn"}  # no indentation to keep
    assert list(document["solved"]) == ["exact", "fn", "code-block", "system"]
    assert not (tmp_path / "twins" / "indented").exists()
    assert "|\n\n`indented` was not run: on every problem it asks what `exact` asks" in twins.stdout
    same = rustcoder_cli(
        "run", str(fixtures / "humaneval_rust_mini.jsonl"), "--backend", "fake", "--out",
        str(tmp_path / "same"), "--prompt-variants", "exact,indented", timeout=120,
    )  # fmt: skip
    assert same.returncode != 0 and "indented = exact); nothing to compare" in same.stderr
    lone = rustcoder_cli(*args, "--prompt-variants", "exact", timeout=120)
    assert lone.returncode != 0 and "at least two different variants" in lone.stderr
    fim = rustcoder_cli(*args, "--strategy", "fim", "--prompt-variant", "fn", timeout=120)
    assert fim.returncode != 0 and "does not apply" in fim.stderr

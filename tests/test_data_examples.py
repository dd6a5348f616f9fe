"""Examples from mined functions: FIM spans at syntax boundaries, instructions, and the split by crate."""

from rustcoder.backends.fim import FAMILIES
from rustcoder.data.crates import Crate
from rustcoder.data.examples import fim_examples, instruction_example, split_of
from rustcoder.data.functions import extract
from rustcoder.data.licences import read_licence
from rustcoder.rust_syntax import SpanKind
from rustcoder.types import FimLayout

SOURCE = """/// Counts the words longer than `limit`.
pub fn long_words(text: &str, limit: usize) -> usize {
    let mut count = 0;
    for word in text.split_whitespace() {
        if word.len() > limit {
            count += 1;
        }
    }
    count
}
"""


def mined(tmp_path, source=SOURCE):
    (tmp_path / "src").mkdir(parents=True, exist_ok=True)
    (tmp_path / "src" / "lib.rs").write_text(source)
    (function,) = extract(Crate("words", "1.2.0", tmp_path, read_licence("MIT OR Apache-2.0"))).functions
    return function


def test_every_kind_of_middle_is_a_syntax_span_and_the_parts_rebuild_the_function(tmp_path):
    function = mined(tmp_path)
    examples = {e.kind: e for e in fim_examples(function)}
    assert set(examples) == set(SpanKind)
    for example in examples.values():
        assert example.prefix + example.middle + example.suffix == function.code
        assert example.middle.strip() and example.licence == "MIT OR Apache-2.0"
    assert examples[SpanKind.BODY].prefix.endswith("usize {") and examples[SpanKind.BODY].suffix == "}"
    assert examples[SpanKind.LINE].middle in {line.strip() for line in SOURCE.splitlines()}
    assert "\n" not in examples[SpanKind.EXPRESSION].middle
    block = examples[SpanKind.BLOCK].middle
    assert block.strip() in ("count += 1;", "if word.len() > limit {\n            count += 1;\n        }")


def test_examples_are_the_same_on_every_run_and_change_with_the_seed(tmp_path):
    function = mined(tmp_path)
    assert fim_examples(function, seed=3) == fim_examples(function, seed=3)
    middles = {
        e.middle for seed in range(12) for e in fim_examples(function, seed=seed, kinds=[SpanKind.LINE])
    }
    assert len(middles) > 1


def test_a_fim_example_renders_with_a_models_own_tokens(tmp_path):
    example = fim_examples(mined(tmp_path), kinds=[SpanKind.BODY])[0]
    qwen = FAMILIES[0]
    psm = example.text(qwen)
    assert (
        psm == f"<|fim_prefix|>{example.prefix}<|fim_suffix|>{example.suffix}<|fim_middle|>{example.middle}"
    )
    assert example.text(qwen, FimLayout.SPM).startswith(f"<|fim_suffix|>{example.suffix}<|fim_prefix|>")


def test_instructions_come_from_documented_functions_only(tmp_path):
    example = instruction_example(mined(tmp_path))
    assert example is not None
    assert example.instruction == (
        "Write a Rust function `fn long_words(text: &str, limit: usize) -> usize` to solve the following "
        "problem:\nCounts the words longer than `limit`."
    )
    assert (
        example.output.startswith("pub fn long_words(")
        and "///" not in example.output
        and example.input == ""
    )
    assert instruction_example(mined(tmp_path / "b", SOURCE.split("\n", 1)[1])) is None


def test_the_split_is_by_crate_fixed_by_the_seed_and_roughly_90_5_5():
    names = [f"crate{i}" for i in range(2000)]
    splits = [split_of(name, seed=7) for name in names]
    assert splits == [split_of(name, seed=7) for name in names]
    share = {s: splits.count(s) / len(names) for s in ("train", "validation", "test")}
    assert 0.87 < share["train"] < 0.93 and 0.03 < share["test"] < 0.07
    assert [split_of(n, seed=8) for n in names] != splits


def test_the_benchmark_sample_takes_each_kind_evenly_over_crates_and_is_seeded():
    from rustcoder.data.examples import benchmark_sample

    rows = [
        {"task_id": f"{crate}/{kind}/{i}", "crate": crate, "kind": kind}
        for crate, count in (("big", 50), ("small", 2), ("mid", 5))
        for kind in ("line", "body")
        for i in range(count)
    ]
    sample = benchmark_sample(rows, per_kind=6, seed=1)
    assert [r["kind"] for r in sample].count("line") == 6 and [r["kind"] for r in sample].count("body") == 6
    lines = [r["crate"] for r in sample if r["kind"] == "line"]
    assert lines.count("small") == 2 and lines.count("big") == 2 and lines.count("mid") == 2
    assert benchmark_sample(rows, per_kind=6, seed=1) == sample
    assert benchmark_sample(rows, per_kind=6, seed=2) != sample
    assert len(benchmark_sample(rows, per_kind=1000)) == len(rows)  # never more than there is

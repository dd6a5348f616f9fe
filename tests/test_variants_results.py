"""benchmarks/variants_results.py: the wording table of docs/results, from a real (fake-model) run."""

import pytest

from tests.conftest import benchmark_modules, rustcoder_cli


@pytest.mark.rustc
@pytest.mark.sandbox
def test_a_variants_run_is_found_published_and_tabled(tmp_path, fixtures):
    variants_results, make_results = benchmark_modules("variants_results", "make_results")
    runs = tmp_path / "runs"
    bench = str(fixtures / "humanevalx_mini.jsonl")
    args = ("run", bench, "--backend", "fake", "--model", "fake", "--limit", "2")
    proc = rustcoder_cli(*args, "--prompt-variants", "exact,fn", "--out", str(runs / "v"), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (found,) = variants_results.found(runs)
    assert (found.name, found.model, found.benchmark) == ("v", "fake", "humanevalx_mini")
    lines = variants_results.table([found], "runs")
    assert lines[0].startswith("| model | benchmark | problems | `exact` | `fn` | spread")
    row = "| fake | [humanevalx_mini](runs/v/variants.md) | 2 | 0.0 | 0.0 (+0 / −0) | 0.0 | 0 / 0 / 2 |"
    assert lines[2] == row
    target = tmp_path / "published" / "v"
    make_results.publish_wordings(runs / "v", target, found.names)
    assert (target / "variants.md").is_file() and (target / "report" / "report.md").is_file()
    assert (target / "fn" / "samples.jsonl").is_file() and (target / "exact" / "run.json").is_file()
    assert [w.name for w in variants_results.found(target.parent)] == ["v"]
    make_results.publish_wordings(target, target, found.names)  # in place: left as it is
    assert (target / "fn" / "samples.jsonl").is_file()


def test_table_marks_a_wording_the_sign_test_separates_and_a_missing_one():
    (variants_results,) = benchmark_modules("variants_results")

    def comparison(pass_at_1, against):
        return {
            "benchmark": "/data/humanevalpack-rust.jsonl.gz",
            "problems": 164,
            "baseline": "exact",
            "pass@1": pass_at_1,
            "against_baseline": against,
            "spread_points": 4.9,
            "stability": {"every": 20, "some": 30, "none": 114},
        }

    fn = {"fn": {"gained": 10, "lost": 2, "sign_test_p": 0.04}}
    system = {"system": {"gained": 3, "lost": 1, "sign_test_p": 0.6}}
    small = variants_results.Wordings("a", "m1", comparison({"exact": 0.232, "fn": 0.28}, fn))
    other = variants_results.Wordings("b", "m2", comparison({"exact": 0.3, "system": 0.31}, system))
    lines = variants_results.table([small, other], "runs")
    assert "`exact` | `fn` | `system`" in lines[0]
    assert lines[2] == (
        "| m1 | [humanevalpack-rust](runs/a/variants.md) | 164 | 23.2 | **28.0 (+10 / −2)** | · | 4.9 | "
        "20 / 30 / 114 |"
    )
    assert "| 30.0 | · | 31.0 (+3 / −1) |" in lines[3]
    twin = comparison({"exact": 0.3, "fn": 0.31}, {"fn": {"gained": 3, "lost": 1, "sign_test_p": 0.6}})
    twin["repeats"] = {"indented": "exact"}  # not run: it asked what `exact` asks
    lines = variants_results.table([small, variants_results.Wordings("c", "m3", twin)], "runs")
    assert lines[0].count("`indented`") == 1 and "| 23.2 | **28.0 (+10 / −2)** | · |" in lines[2]
    assert "| 30.0 | 31.0 (+3 / −1) | = `exact` |" in lines[3]
    assert variants_results.table([]) == ["No run of every wording has been made yet."]


def test_the_plain_extraction_takes_the_first_fence_even_when_a_stop_string_cut_it_off():
    (first_fence,) = benchmark_modules("first_fence")
    two = "Here:\n```rust\nfn a() {}\n```\nand\n```rust\nfn b() {}\n```"
    assert first_fence.first_block(two) == "fn a() {}\n"
    assert first_fence.first_block("Here:\n```rust\nfn a() {\n}\n") == "fn a() {\n}\n"  # cut by `}\n```\n`
    assert first_fence.first_block("fn a() {}") == "fn a() {}"  # no fence: all of it

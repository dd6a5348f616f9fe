"""benchmarks/selection_results.py: the selection table and plot, from real (fake-model) run folders."""

import pytest

from tests.conftest import benchmark_modules, rustcoder_cli


@pytest.mark.rustc
@pytest.mark.sandbox
def test_points_put_each_selection_beside_greedy_and_the_raw_samples(tmp_path, fixtures):
    make_results, selection_results = benchmark_modules("make_results", "selection_results")
    bench = str(fixtures / "humanevalx_mini.jsonl")
    runs = tmp_path / "runs"
    common = ("--backend", "fake", "--model", "fake", "--strategy", "delimited", "--attempts", "1")
    greedy = rustcoder_cli("run", bench, *common, "--out", str(runs / "greedy"))
    sampled = rustcoder_cli(
        "run", bench, *common, "-n", "3", "--temperature", "0.5", "--select", "compile",
        "--out", str(runs / "n3"),
    )  # fmt: skip
    assert greedy.returncode == 0 and sampled.returncode == 0, sampled.stderr[-2000:]
    found = selection_results.points(runs, make_results.finished(runs))
    assert [(p.method, p.pass_at_1) for p in found] == [
        ("greedy", 0.0), ("one of 3 samples", 0.0), ("pass@3 (oracle)", 0.0), ("compile", 0.0)
    ]  # fmt: skip
    assert all(p.model == "fake" and p.benchmark == "humanevalx_mini" for p in found)
    assert found[1].minutes == found[3].minutes > 0  # compiling costs no generation
    lines = selection_results.table(found)
    assert lines[2].startswith("| fake | humanevalx_mini | greedy | 0.0 |")
    svg = selection_results.plot(found, tmp_path / "selection.svg")
    assert svg is not None and svg.read_text().startswith("<?xml")

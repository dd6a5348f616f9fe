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
        ("greedy (greedy)", 0.0), ("one of 3 samples", 0.0), ("pass@3 (oracle)", 0.0), ("compile", 0.0)
    ]  # fmt: skip
    assert all(p.model == "fake" and p.benchmark == "humanevalx_mini" for p in found)
    assert found[1].minutes == found[3].minutes > 0  # compiling costs no generation
    lines = selection_results.table(found)
    assert lines[2].startswith("| fake | humanevalx_mini | greedy (greedy) | 0.0 |")
    svg = selection_results.plot(found, tmp_path / "selection.svg")
    assert svg is not None and svg.read_text().startswith("<svg")
    drawn = svg.read_text()  # text stays text: each method and the run's model are in the legend
    assert all(f">{p.method}<" in drawn for p in found[1:]) and "fake, humanevalx_mini" in drawn
    assert ">greedy<" in drawn and "greedy (greedy)" not in drawn  # one marker for every greedy run
    assert selection_results.plot(found, tmp_path / "again.svg").read_bytes() == svg.read_bytes()


def test_samples_decoded_together_cost_their_slowest_not_their_sum(tmp_path):
    import json

    (selection_results,) = benchmark_modules("selection_results")
    rows = [
        {"task_id": task, "sample_index": i, "gen_seconds": seconds}
        for task, times in (("A", (10.0, 30.0, 20.0)), ("B", (6.0, 12.0, 60.0)))
        for i, seconds in enumerate(times)
    ]
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    together = {"backend": {"backend": "llamacpp", "parallel": 16}}
    assert selection_results._wall_minutes(tmp_path, together) == (30 + 60) / 60
    in_twos = {"backend": {"backend": "llamacpp", "parallel": 2}}  # calls of samples 0-1, then 2
    assert selection_results._wall_minutes(tmp_path, in_twos) == (30 + 20 + 12 + 60) / 60
    one_by_one = {"backend": {"backend": "openai"}}
    assert selection_results._wall_minutes(tmp_path, one_by_one) == sum(r["gen_seconds"] for r in rows) / 60

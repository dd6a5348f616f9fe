"""benchmarks/tuning_results.py: a tuned run paired with its base run, per problem."""

import json
import shutil

import pytest

from tests.conftest import benchmark_modules, rustcoder_cli


@pytest.mark.rustc
@pytest.mark.sandbox
def test_a_run_with_an_adapter_is_paired_with_the_same_run_without(tmp_path, fixtures):
    make_results, tuning_results = benchmark_modules("make_results", "tuning_results")
    bench = str(fixtures / "humanevalx_mini.jsonl")
    runs = tmp_path / "runs"
    common = ("--backend", "fake", "--model", "fake", "--attempts", "1")
    for name, strategy in (("base", "delimited"), ("other", "instruct")):
        done = rustcoder_cli("run", bench, *common, "--strategy", strategy, "--out", str(runs / name))
        assert done.returncode == 0, done.stderr[-2000:]
    assert tuning_results.pairs(make_results.finished(runs)) == []  # no adapter, nothing to pair
    # The tuned run: the base run's folder as if made with an adapter that solved one more problem
    # and was not run on another (left out as training data).
    shutil.copytree(runs / "base", runs / "tuned")
    info = json.loads((runs / "tuned" / "run.json").read_text())
    info["backend"]["lora"] = {"file": "runs/tune/my-recipe/adapter/adapter.gguf", "sha256": "0" * 64}
    (runs / "tuned" / "run.json").write_text(json.dumps(info))
    summary = json.loads((runs / "tuned" / "results.summary.json").read_text())
    problems = sorted(summary["per_problem"])
    assert len(problems) >= 2
    summary["per_problem"][problems[0]].update(c=1, n=1)
    del summary["per_problem"][problems[1]]
    (runs / "tuned" / "results.summary.json").write_text(json.dumps(summary))

    (pair,) = tuning_results.pairs(make_results.finished(runs))
    assert (pair.base, pair.tuned, pair.adapter) == ("base", "tuned", "my-recipe")
    assert pair.problems == len(problems) - 1
    assert (pair.gained, pair.lost, pair.base_pass) == (1, 0, 0.0)
    assert pair.tuned_pass == pytest.approx(1 / (len(problems) - 1))
    assert pair.p_value == 1.0 and pair.tested
    row = tuning_results.table([pair])[2]
    assert row.startswith(f"| my-recipe | humanevalx_mini | {len(problems) - 1} | 0.0 → **")
    assert "| 1 / 0 | 1.000 | - | - | - | - | - |" in row

    # As fill-in-the-middle runs: text scores, and how often the model ended the answer itself
    for name, finish in (("base", "end"), ("tuned", "eos")):
        summary = json.loads((runs / name / "results.summary.json").read_text())
        summary["fim"] = {
            "samples": 2,
            "exact_match": 0.5,
            "edit_similarity": 0.75,
            "parses": 1,
            "compiles": 0.5,
        }
        (runs / name / "results.summary.json").write_text(json.dumps(summary))
        lines = (runs / name / "samples.jsonl").read_text().splitlines()
        rows = [{**json.loads(line), "finish": finish} for line in lines]
        (runs / name / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (fim_pair,) = tuning_results.pairs(make_results.finished(runs), runs)
    assert fim_pair.stops == (0.0, 1.0)
    fim_row = tuning_results.table([fim_pair])[2]
    assert "| 50.0 → 50.0 | 0.750 → 0.750 | 100.0 → 100.0 | 50.0 → 50.0 | 0.0 → 100.0 |" in fim_row
    assert tuning_results.pairs(make_results.finished(runs))[0].stops is None  # no folder, no samples
    # a run whose FIM middles were held (--fim-hold) pairs only with a base run held the same way
    info["strategy"]["template"] = {
        **info["strategy"].get("template", {}),
        "holds_multi_line": ["open bracket"],
    }
    (runs / "tuned" / "run.json").write_text(json.dumps(info))
    assert tuning_results.pairs(make_results.finished(runs)) == []


def test_finish_reasons_give_each_runs_shares_of_how_answers_ended(tmp_path):
    [finish_reasons] = benchmark_modules("finish_reasons")
    run = tmp_path / "hepb-tuned"
    run.mkdir()
    rows = [{"finish": "eos", "tokens": 10}] * 3 + [
        {"finish": "end", "tokens": 30},
        {"finish": "length", "tokens": 64},
    ]
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    samples, shares, tokens = finish_reasons.finish_shares(run)
    assert samples == 5 and shares["eos"] == 0.6 and shares["end"] == 0.2 and shares["length"] == 0.2
    assert tokens == 10
    assert finish_reasons.table([run])[2] == "| hepb-tuned | 5 | 60.0 | 20.0 | 0.0 | 0.0 | 20.0 | 10 |"

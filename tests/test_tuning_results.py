"""benchmarks/tuning_results.py: a tuned run paired with its base run, per problem."""

import json
import shutil

import pytest

from tests.conftest import benchmark_modules, rustcoder_cli


def _mark(path, marks):
    """Add `marks[task]` to each row of the JSONL file `path`."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps({**row, **marks[row["task_id"]]}) + "\n" for row in rows))


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

    # As fill-in-the-middle runs: text scores, and how often the model ended the answer itself, on the
    # problems both runs made (the base's answer to the one the tuned run left out is its only exact
    # one, and the only one it ended itself: neither counts)
    for name, finish in (("base", "end"), ("tuned", "eos")):
        summary = json.loads((runs / name / "results.summary.json").read_text())
        summary["fim"] = {"samples": 9, "exact_match": 0.9, "edit_similarity": 0.9, "parses": 1}
        (runs / name / "results.summary.json").write_text(json.dumps(summary))
        base, left_out = name == "base", problems[1]
        _mark(
            runs / name / "samples.jsonl",
            {t: {"finish": "eos" if t == left_out else finish} for t in problems},
        )
        _mark(
            runs / name / "results.jsonl",
            {
                t: {
                    "exact_match": base and t == left_out,
                    "edit_similarity": 1.0 if base and t == left_out else 0.5,
                    "parses": base or t == problems[0],
                }
                for t in problems
            },
        )
    (fim_pair,) = tuning_results.pairs(make_results.finished(runs), runs)
    assert fim_pair.stops == (0.0, 1.0)
    fim_row = tuning_results.table([fim_pair])[2]
    parses = f"100.0 → {100 / (len(problems) - 1):.1f}"
    assert f"| 0.0 → 0.0 | 0.500 → 0.500 | {parses} |" in fim_row and fim_row.endswith(
        "| 0.0 → 100.0 | [base](runs/base/report/report.md), [tuned](runs/tuned/report/report.md) |"
    )
    assert tuning_results.pairs(make_results.finished(runs))[0].fim is None  # other tasks, no records
    # a run whose FIM middles were held (--fim-hold) pairs only with a base run held the same way
    info["strategy"]["template"] = {
        **info["strategy"].get("template", {}),
        "holds_multi_line": ["open bracket"],
    }
    (runs / "tuned" / "run.json").write_text(json.dumps(info))
    assert tuning_results.pairs(make_results.finished(runs)) == []
    base_info = json.loads((runs / "base" / "run.json").read_text())
    base_info["strategy"]["template"] = info["strategy"]["template"]
    (runs / "base" / "run.json").write_text(json.dumps(base_info))
    (held,) = tuning_results.pairs(make_results.finished(runs))
    assert held.held and "| humanevalx_mini (--fim-hold) |" in tuning_results.table([held])[2]


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


def _training_folder(root, method: str, log: str, rounds: list[dict] | None = None):
    """A finished `rustcoder tune` folder as it leaves its record, card and logs (weights stand-in)."""
    (root / "adapter").mkdir(parents=True)
    record = {
        "method": method,
        "trainable_parameters": 1234,
        "data": {"train_examples": 10, "train_tokens": 2000},
        "metrics": {"epoch": 2.0},
    }
    (root / "adapter" / "rustcoder-tune.json").write_text(json.dumps(record))
    (root / "adapter" / "README.md").write_text("# card\n")
    (root / "adapter" / "adapter_model.safetensors").write_bytes(b"weights")
    header = "step,epoch,loss,eval_loss,learning_rate,tokens,tokens_per_second,seconds\n"
    if rounds is None:
        (root / "log.csv").write_text(header + log)
    for number, counts in enumerate(rounds or []):
        (root / f"round-{number}").mkdir()
        (root / f"round-{number}" / "round.json").write_text(json.dumps(counts))
        (root / f"round-{number}" / "log.csv").write_text(header + log)
    return root


def test_the_methods_table_reads_published_training_records(tmp_path, capsys):
    methods, tuning_results = benchmark_modules("tuning_methods", "tuning_results")
    tune = tmp_path / "runs" / "tune"
    # a killed attempt's rows (steps 1-2), the run again from nothing (1-3), then resumed (3-4);
    # an evaluation row; a step's last row counts: step 2 took 10 s, step 4 14 s (step 3's last row is
    # the resumed process's first, and a first step is not timed)
    # 100 tokens a step: step 2 at 10 tokens/s, step 4 at 100/14
    log = (
        "1,0.1,0.9,,,100,1,50.0\n2,0.2,0.8,,,200,1,99.0\n"
        "1,0.1,0.9,,,100,1,8.0\n2,0.2,0.8,,,200,1,18.0\n2,0.2,,0.7,,200,1,19.0\n3,0.3,0.7,,,300,1,30.0\n"
        "3,0.3,0.7,,,300,1,9.0\n4,0.4,0.6,,,400,1,23.0\n"
    )
    _training_folder(tune / "my-lora", "lora", log)
    _training_folder(tune / "my-self", "self", log, rounds=[{"round": 0, "seconds": {"sampling": 60.0}}])
    (tune / "unfinished").mkdir()
    (tune / "unfinished" / "log.csv").write_text("step\n")
    out = tmp_path / "docs" / "tune"
    methods.publish_all(tune, out)
    assert sorted(p.name for p in out.iterdir()) == ["my-lora", "my-self"]  # finished ones only
    assert sorted(p.name for p in (out / "my-lora").iterdir()) == [
        "README.md",
        "log.csv",
        "rustcoder-tune.json",
    ]
    assert (out / "my-self" / "round-0" / "round.json").exists()
    # trained again: the published record (the one its runs used) stays unless the recipe is named
    first = (tune / "my-lora" / "log.csv").read_text()
    (tune / "my-lora" / "log.csv").write_text("step\n")
    methods.publish_all(tune, out)
    assert capsys.readouterr().out == ""  # the same record: nothing to say
    record = tune / "my-lora" / "adapter" / methods.RECORD
    record.write_text(record.read_text().replace("}", ', "again": true}', 1))
    methods.publish_all(tune, out)
    assert "kept the published record of my-lora" in capsys.readouterr().out
    assert (out / "my-lora" / "log.csv").read_text() == first
    methods.publish_all(tune, out, replace=["my-lora"])
    assert (out / "my-lora" / "log.csv").read_text() == "step\n"
    (tune / "my-lora" / "log.csv").write_text(first)
    methods.publish_all(tune, out, replace=["my-lora"])
    lora, self_trained = methods.recipes(out)
    assert (lora.method, lora.steps, lora.step_seconds) == ("lora", 4, 12.0)  # median of 10, 14
    rate = (10 + 100 / 14) / 2  # the median step's tokens/s; the two untimed first steps at that rate
    assert lora.training_seconds == pytest.approx(10 + 14 + 200 / rate) and lora.other_seconds is None
    assert lora.minutes == pytest.approx(lora.training_seconds / 60)
    assert self_trained.other_seconds == 60.0
    assert self_trained.minutes == pytest.approx((lora.training_seconds + 60) / 60)
    paused = methods._training_seconds([(10.0, 100), (10.0, 100), (400.0, 100)], 300)
    assert paused == pytest.approx(10 + 10 + 20)  # the paused step counted at twice its tokens' time
    base = dict(base="b", tuned="t", problems=4, base_pass=0.25, tuned_pass=0.5, gained=1, lost=0)
    pairs = [
        tuning_results.Pair(**base, adapter="my-lora", benchmark="humanevalpack-rust", p_value=1.0,
                            tested=True, fim=None),
        tuning_results.Pair(**base, adapter="my-lora", benchmark="test-bench", p_value=1.0, tested=False,
                            fim=({"edit_similarity": 0.5}, {"edit_similarity": 0.625})),
        tuning_results.Pair(**base, adapter="my-self", benchmark="humanevalpack-rust-infill-block",
                            p_value=1.0, tested=True, fim=None, held=True),
    ]  # fmt: skip
    for _ in range(2):  # publishing again replaces the cards' results, not adds to them
        methods.card_results(out, pairs[:2])
    card = (out / "my-lora" / "README.md").read_text()
    assert card.startswith("# card\n") and card.count("## Evaluations published in docs/results") == 1
    assert (
        "| my-lora | humanevalpack-rust | 4 | 25.0 → **50.0** |" in card and "](../../runs/b/report" in card
    )
    assert (out / "my-self" / "README.md").read_text() == "# card\n"  # no evaluation, no section
    header, _, first, second = methods.table(methods.recipes(out), pairs[:2])
    assert header.count("|") == first.count("|") == second.count("|")
    assert first.startswith(
        "| LoRA | [my-lora](tune/my-lora/README.md) | 1,234 | 10 (2,000) × 2 | 4 × 12.0 | 1 |"
    )
    assert "| 25.0 → **50.0** (1 / 0, p 1.00; 4) | · | · | 0.500 → **0.625** |" in first
    assert second.startswith("| self-training (LoRA) | [my-self]") and "4 × 12.0 + 1 min sampling" in second
    held = methods.table(methods.recipes(out), pairs)[3]  # only held: shown, and said
    assert "| 25.0 → **50.0** (1 / 0, p 1.00; 4, held) | · |" in held


def test_runs_of_two_trainings_of_one_recipe_are_said_apart():
    (tuning_results,) = benchmark_modules("tuning_results")
    base = dict(base="b", problems=4, base_pass=0.25, tuned_pass=0.5, gained=1, lost=0, p_value=1.0)
    pair = dict(**base, benchmark="humanevalpack-rust", tested=True, fim=None)
    found = [
        tuning_results.Pair(**pair, tuned="hep-a", adapter="a", adapter_sha256="1" * 64),
        tuning_results.Pair(**pair, tuned="mhe-a", adapter="a", adapter_sha256="1" * 64),
        tuning_results.Pair(**pair, tuned="hepb-a", adapter="a", adapter_sha256="2" * 64),
        tuning_results.Pair(**pair, tuned="hep-b", adapter="b", adapter_sha256="3" * 64),
    ]
    assert tuning_results.adapter_notes(found) == [
        "- `a`: its runs used 2 different adapters (adapter `11111111`: hep-a, mhe-a; "
        "adapter `22222222`: hepb-a)."
    ]
    assert tuning_results.adapter_notes(found[:2] + found[3:]) == []  # one adapter a recipe: nothing said
    info = {"backend": {"adapter": {"path": "runs/tune/p/adapter", "sha256": "4" * 64}}}
    assert tuning_results.adapter_hash(info) == "4" * 64
    assert tuning_results.adapter_hash({"backend": {"lora": "x.gguf"}}) is None


def test_the_strategy_grid_takes_one_greedy_llamacpp_run_per_cell():
    make_results, tuning_results = benchmark_modules("make_results", "tuning_results")
    from rustcoder.metrics.summary import summarize

    def info(**changes):
        base = {
            "model": {"name": "m"},
            "strategy": {"name": "delimited", "attempts": 10, "template": {}},
            "backend": {"backend": "llamacpp"},
            "sampling": {"n": 1, "temperature": 0.0},
        }
        for key, value in changes.items():
            base[key] = {**base[key], **value}
        return base

    def summary(pass1):
        made = summarize([], ks=[1])
        made.benchmark, made.pass_at_k = "b", {"1": pass1}
        return made

    others = [  # the same model and strategy, each with one thing that keeps it out of the grid
        info(backend={"backend": "transformers"}),
        info(backend={"lora": {"file": "runs/tune/x/adapter/adapter.gguf"}}),
        info(backend={"backend": "transformers", "adapter": {"path": "runs/tune/x/adapter", "sha256": "0"}}),
        info(sampling={"n": 10, "temperature": 0.8}),
        info(strategy={"template": {"prompt_variant": {"name": "fn"}}}),
    ]
    runs = [("a-greedy", info(), summary(0.25))] + [(f"z{i}", o, summary(0.5)) for i, o in enumerate(others)]
    assert [make_results.headline(i) for _, i, _ in runs] == [True, False, False, False, False, False]
    assert [tuning_results.adapter_of(i) for i in others[1:3]] == [
        "runs/tune/x/adapter/adapter.gguf",
        "runs/tune/x/adapter",
    ]
    (row,) = [line for line in make_results.grid(runs, "b") if line.startswith("| **m**")]
    assert "[25.0](runs/a-greedy/report/report.md)" in row and "50.0" not in row
    assert "| m (transformers) |" in make_results.row("z0", others[0], summary(0.5))
    assert "| delimited, ≤10 attempts, wording `fn` |" in make_results.row("z4", others[4], summary(0.5))

"""`rustcoder run` and `generate` end to end with the fake backend: the manifest, resumes, refusals."""

import json

import pytest

from rustcoder.backends.fake import FakeBackend
from rustcoder.errors import DataError
from rustcoder.prompting.registry import STRATEGIES
from rustcoder.settings import Sampling
from rustcoder.types import Status
from tests.conftest import SUM_OK, rustcoder_cli


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
    assert document.pass_at_k == {"1": 1.0} and document.samples == 3
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "complete" and info["strategy"]["name"] == "delimited"
    assert (
        info["strategy"]["template"]["prefill"] == "RUST_BEGIN\n" and info["sampling"]["temperature"] == 0.0
    )
    assert info["benchmark"]["sha256"] and info["model"]["name"] == "fake"
    assert info["execution"]["environment"]["rustc"].startswith("rustc 1.")
    assert info["execution"]["config"]["limits"]["wall_seconds"] == config.limits.wall_seconds
    assert (out / "report" / "report.html").exists()
    assert document.generation["gen_seconds"].mean > 0
    assert document.generation["gen_seconds"].total == pytest.approx(
        sum(json.loads(line)["gen_seconds"] for line in (out / "samples.jsonl").read_text().splitlines()),
        abs=1e-3,
    )
    report = (out / "report" / "report.md").read_text()
    assert "## Wall time of each start" in report and "| run | 1 | " in report
    again = run(benchmark, benchmark.problems, FakeBackend([]), strategy, Sampling(), out, config=config)
    assert again.run is not None and again.run.executed == 0 and again.samples == 3
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
    assert document.count(Status.BACKEND_ERROR) == 1
    samples.write_text(json.dumps({"task_id": "Mini/0", "sample_index": 0, "solution": SUM_OK}) + "\n")
    document = evaluate(benchmark, load_samples(samples, {"Mini/0"}), out)  # generated again: no clash
    assert document.count(Status.PASSED) == 1 and document.run is not None and document.run.executed == 1


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

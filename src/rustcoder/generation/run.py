"""`rustcoder run`: generate, evaluate and report into one directory; resumable after a crash or kill.

RUN_DIR/run.json records everything that produced the result. Resuming with different settings (another
model file, strategy, template or sampling) is refused rather than mixed into the same samples.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rustcoder.backends.base import Backend
from rustcoder.benchmarks import Benchmark
from rustcoder.evaluation.checks import sandbox_check, with_usable_examples
from rustcoder.evaluation.run import evaluate
from rustcoder.evaluation.samples import load_samples
from rustcoder.execute.engine import ExecConfig, Executor
from rustcoder.generation.generate import generate
from rustcoder.generation.manifest import RunManifest, now
from rustcoder.jsonl import write_json
from rustcoder.metrics.summary import Summary
from rustcoder.prompting.base import MultiTurn, Strategy
from rustcoder.settings import Sampling
from rustcoder.types import Problem

Progress = Callable[[int, int], None]


def run(
    benchmark: Benchmark,
    problems: Sequence[Problem],
    backend: Backend,
    strategy: Strategy,
    sampling: Sampling,
    run_dir: Path,
    *,
    config: ExecConfig | None = None,
    generation_progress: Progress | None = None,
    evaluation_progress: Progress | None = None,
) -> Summary:
    """Generate what is missing, evaluate what is not evaluated, report; returns the summary."""
    run_dir.mkdir(parents=True, exist_ok=True)
    info_path = run_dir / "run.json"
    manifest = RunManifest.describe(benchmark, problems, backend, strategy, sampling)
    if info_path.exists():
        manifest.resuming(info_path)
    this_start = manifest.start()
    manifest.status = "generating"
    manifest.write(info_path)

    try:
        started = time.monotonic()
        samples_path = run_dir / "samples.jsonl"
        check, asked = None, problems
        if isinstance(strategy, MultiTurn):
            check = sandbox_check(Executor(dataclasses.replace(config or ExecConfig(), jobs=1)))
            asked = with_usable_examples(problems, config)  # feedback never from a mistyped example
        generated = generate(backend, strategy, asked, sampling, samples_path, generation_progress, check)
        this_start.update(generated=generated, generation_seconds=round(time.monotonic() - started, 2))
        manifest.status = "evaluating"
        manifest.write(info_path)

        started = time.monotonic()
        sample_set = load_samples(samples_path, {p.task_id for p in problems})
        origin = {"path": str(samples_path), "strategy": strategy.name, "model": manifest.model.get("name")}
        summary = evaluate(
            benchmark,
            sample_set,
            run_dir / "results.jsonl",
            config=config,
            samples_origin=origin,
            progress=evaluation_progress,
        )
        assert summary.run is not None
        summary.run = dataclasses.replace(
            summary.run,
            generation={
                "model": manifest.model,
                "backend": manifest.backend,
                "strategy": manifest.strategy,
                "sampling": manifest.sampling,
            },
        )
        # rustc, crates and limits, in the manifest too
        manifest.execution = {"environment": summary.run.environment, "config": summary.run.config}
        write_json(run_dir / "results.summary.json", summary.to_json())
        this_start.update(evaluation_seconds=round(time.monotonic() - started, 2), finished_at=now())
        manifest.status = "reporting"
        manifest.write(info_path)

        from rustcoder.metrics.report import load_runs, write_report

        write_report(load_runs([run_dir]), run_dir / "report")
        manifest.status = "complete"
        manifest.write(info_path)
        return summary
    except BaseException:
        # Ctrl-C or an error: the start's end goes into the history, so its wall time is known.
        this_start["ended_at"] = now()
        manifest.write(info_path)
        raise

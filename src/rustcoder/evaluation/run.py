"""Evaluate samples against a benchmark: execute what is not done yet, append results, summarise."""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rustcoder.benchmarks import Benchmark
from rustcoder.errors import DataError
from rustcoder.evaluation.results import read_results, result_record, reusable
from rustcoder.evaluation.samples import SampleSet
from rustcoder.execute.assemble import assemble
from rustcoder.execute.distributed import executor_for
from rustcoder.execute.engine import ExecConfig
from rustcoder.jsonl import JsonlAppender, write_json
from rustcoder.metrics.passk import DEFAULT_KS
from rustcoder.metrics.summary import RunInfo, Summary, summarize, summary_path
from rustcoder.provenance import source_version
from rustcoder.types import ExecResult, Sample, Status

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (samples done, samples in total) as results land."""


def reference_samples(benchmark: Benchmark) -> SampleSet:
    """One sample per problem: its reference solution as a completion of the prompt."""
    samples = [
        Sample(p.task_id, 0, completion=p.canonical_solution)
        for p in benchmark.problems
        if p.canonical_solution is not None
    ]
    if not samples:
        raise DataError(f"benchmark {benchmark.name} has no reference solutions to check")
    return SampleSet(samples, [])


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def evaluate(
    benchmark: Benchmark,
    sample_set: SampleSet,
    out: Path,
    *,
    config: ExecConfig | None = None,
    ks: Sequence[int] = DEFAULT_KS,
    overwrite: bool = False,
    samples_origin: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Execute every sample without a result in `out` yet, then write and return the summary."""
    config = config or ExecConfig()
    samples = sample_set.samples
    if overwrite and out.exists():
        out.unlink()
    done = reusable(read_results(out), samples, out)
    todo = [s for s in samples if s.key not in done]
    by_key = {f"{s.task_id}\x00{s.index}": s for s in todo}
    problems = {p.task_id: p for p in benchmark.problems}
    failed = {key: s for key, s in by_key.items() if s.meta.get("error")}
    text_only = {
        key: s for key, s in by_key.items() if key not in failed and not problems[s.task_id].executable
    }
    programs = [
        assemble(problems[s.task_id], s, key)
        for key, s in by_key.items()
        if key not in failed and key not in text_only
    ]
    executor = executor_for(config)
    started = time.monotonic()
    finished = len(samples) - len(todo)
    if progress:
        progress(finished, len(samples))
    with JsonlAppender(out) as results:

        def on_result(key: str, result: ExecResult) -> None:
            nonlocal finished
            sample = by_key[key]
            results.write(result_record(sample, result, problems[sample.task_id]).to_json())
            finished += 1
            if progress:
                progress(finished, len(samples))

        for key, sample in failed.items():  # nothing to execute: the backend made no code
            reason = f"generation failed: {sample.meta['error']}"
            on_result(key, ExecResult(Status.BACKEND_ERROR, reason=reason))
        for key in text_only:  # a gap in a file that needs its crate: scored by text, never built
            on_result(key, ExecResult(Status.NOT_EXECUTED, reason="text-scored task: not compiled"))
        executor.execute(programs, on_result)
    seconds = time.monotonic() - started
    records = list(read_results(out).values())
    summary = summarize(records, ks=ks, total_problems=len(benchmark.problems))
    summary.benchmark = benchmark.name
    summary.run = RunInfo(
        rustcoder=source_version(),
        finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        results=str(out),
        samples_file=samples_origin or {},
        resumed_from=len(samples) - len(todo),
        executed=len(todo),
        execution_wall_seconds=round(seconds, 3),
        data=benchmark.provenance(),
        environment=executor.environment({p.language for p in benchmark.problems}),
        config={
            "jobs": config.workers,
            "batch_size": config.batch_size,
            "limits": {k: getattr(config.limits, k) for k in config.limits.__dataclass_fields__},
            **({"ray_address": config.ray_address} if config.ray_address is not None else {}),
        },
        machine=_machine(),
        warnings=sample_set.warnings,
    )
    write_json(summary_path(out), summary.to_json())
    return summary

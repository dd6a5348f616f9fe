"""Summarise result records: pass@k and its interval, statuses, error codes, per problem, latency."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rustcoder.metrics.passk import DEFAULT_KS, bootstrap_pass_at_1, mean_pass_at_k, pass_at_k, usable_ks
from rustcoder.types import ResultRecord, Status


def summary_path(results: Path) -> Path:
    """`runs/x/results.jsonl` keeps its summary in `runs/x/results.summary.json`."""
    return results.with_name(results.name.removesuffix(".jsonl") + ".summary.json")


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def describe(values: Sequence[float]) -> dict[str, float]:
    """mean, p50, p95 and max, rounded for reports."""
    return {
        "mean": round(statistics.fmean(values), 4),
        "p50": round(_quantile(values, 0.5), 4),
        "p95": round(_quantile(values, 0.95), 4),
        "max": round(max(values), 4),
    }


def _generation(records: Sequence[ResultRecord]) -> dict[str, Any]:
    """Per-sample statistics of each generation figure, with totals for time and tokens, and the
    generation time per problem (all its samples together): the samples' own figures, so a run
    resumed after a kill still counts the time its earlier starts spent."""
    figures: dict[str, Any] = {}
    for name in ("gen_seconds", "ttft_seconds", "tokens_per_second", "tokens"):
        values = [v for r in records if (v := r.figure(name)) is not None]
        if values:
            figures[name] = describe(values)
            if name in ("gen_seconds", "tokens"):
                figures[name]["total"] = round(sum(values), 4)
    per_problem: dict[str, float] = defaultdict(float)
    for record in records:
        if (seconds := record.figure("gen_seconds")) is not None:
            per_problem[record.task_id] += seconds
    if per_problem:
        figures["gen_seconds_per_problem"] = {
            **describe(list(per_problem.values())),
            "total": round(sum(per_problem.values()), 4),
        }
    return figures


def _attempts(records: Sequence[ResultRecord]) -> dict[str, Any] | None:
    with_attempts = [(int(a), r.passed) for r in records if (a := r.figure("attempts")) is not None]
    if not with_attempts:
        return None
    distribution = Counter(attempts for attempts, _ in with_attempts)
    correct = Counter(attempts for attempts, passed in with_attempts if passed)
    cumulative, running = [], 0
    for attempts in range(1, max(distribution) + 1):
        running += correct.get(attempts, 0)
        cumulative.append([attempts, running])
    return {
        "distribution": {str(a): distribution[a] for a in sorted(distribution)},
        "cumulative_correct": cumulative,
    }


def summarize(
    records: Iterable[ResultRecord], *, ks: Sequence[int] = DEFAULT_KS, total_problems: int | None = None
) -> dict[str, Any]:
    """Everything a report shows about one run, from its result records."""
    rows = list(records)
    by_task: dict[str, list[ResultRecord]] = defaultdict(list)
    for row in rows:
        by_task[row.task_id].append(row)
    counts = [(len(items), sum(1 for r in items if r.passed)) for items in by_task.values()]
    chosen = usable_ks(counts, ks) if counts else []
    status_counts = Counter(r.status.value for r in rows)
    codes = Counter(code for r in rows for code in dict.fromkeys(r.error_codes))
    summary: dict[str, Any] = {
        "problems": len(by_task),
        "benchmark_problems": total_problems if total_problems is not None else len(by_task),
        "samples": len(rows),
        "pass_at_k": {str(k): round(mean_pass_at_k(counts, k), 6) for k in chosen},
        "pass_at_1_ci95": [round(x, 6) for x in bootstrap_pass_at_1(counts)] if counts else None,
        "status_counts": {s.value: status_counts.get(s.value, 0) for s in Status},
        "error_codes": dict(codes.most_common()),
        "per_problem": {
            task: {
                "n": len(items),
                "c": sum(1 for r in items if r.passed),
                "pass@1": round(pass_at_k(len(items), sum(1 for r in items if r.passed), 1), 6),
                "statuses": dict(Counter(r.status.value for r in items)),
            }
            for task, items in by_task.items()
        },
        "execution": {
            "compile_seconds": round(sum(r.compile_seconds for r in rows), 3),
            "run_seconds": round(sum(r.run_seconds for r in rows), 3),
        },
        "generation": _generation(rows),
    }
    attempts = _attempts(rows)
    if attempts is not None:
        summary["attempts"] = attempts
    repaired = [(str(int(rounds)), r.passed) for r in rows if (rounds := r.figure("rounds")) is not None]
    if repaired:
        summary["repair_rounds"] = {
            "distribution": dict(sorted(Counter(rounds for rounds, _ in repaired).items())),
            "passed": dict(sorted(Counter(rounds for rounds, passed in repaired if passed).items())),
        }
    return summary

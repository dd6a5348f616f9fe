"""Summarise result records: pass@k and its interval, statuses, error codes, per problem, latency."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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


def _generation(records: Sequence[ResultRecord]) -> dict[str, Stats]:
    """Per-sample statistics of each generation figure, with totals for time and tokens, and the
    generation time per problem (its samples' times, the samples of one call decoded together counted
    once, at the slowest): the samples' own figures, so a run resumed after a kill still counts the
    time its earlier starts spent."""
    figures: dict[str, Stats] = {}
    for name in ("gen_seconds", "ttft_seconds", "tokens_per_second", "tokens"):
        values = [v for r in records if (v := r.figure(name)) is not None]
        if values:
            figures[name] = Stats.of(values, total=name in ("gen_seconds", "tokens"))
    per_problem: dict[str, float] = defaultdict(float)
    slowest: dict[tuple[str, float], float] = {}  # per call of samples decoded together
    for record in records:
        if (seconds := record.figure("gen_seconds")) is None:
            continue
        if (call := record.figure("call")) is None:
            per_problem[record.task_id] += seconds
        else:
            slowest[(record.task_id, call)] = max(slowest.get((record.task_id, call), 0.0), seconds)
    for (task_id, _), seconds in slowest.items():
        per_problem[task_id] += seconds
    if per_problem:
        figures["gen_seconds_per_problem"] = Stats.of(list(per_problem.values()), total=True)
    return figures


def _fim_scores(scored: Sequence[ResultRecord]) -> dict[str, float]:
    def share(values: list[bool]) -> float:
        return round(sum(values) / len(values), 4)

    marks = [r.fim for r in scored if r.fim is not None]
    out: dict[str, float] = {
        "samples": len(marks),
        "exact_match": share([m.exact_match for m in marks]),
        "edit_similarity": round(sum(m.edit_similarity for m in marks) / len(marks), 4),
        "parses": share([m.parses for m in marks]),
    }
    executed = [r for r in scored if r.status is not Status.NOT_EXECUTED]
    if executed:  # text-scored tasks are never compiled
        out["compiles"] = share(
            [r.status not in (Status.COMPILE_ERROR, Status.BACKEND_ERROR) for r in executed]
        )
    return out


def _fim(records: Sequence[ResultRecord]) -> dict[str, float] | None:
    scored = [r for r in records if r.fim is not None]
    return _fim_scores(scored) if scored else None


def _fim_by_kind(records: Sequence[ResultRecord]) -> dict[str, dict[str, float]] | None:
    """FIM scores for each `kind` label (line, body, block, statement ...), when the tasks have one."""
    by_kind: dict[str, list[ResultRecord]] = defaultdict(list)
    for record in records:
        if record.fim is not None and "kind" in record.labels:
            by_kind[record.labels["kind"]].append(record)
    if not by_kind:
        return None
    out = {}
    for kind, items in sorted(by_kind.items()):
        scores = _fim_scores(items)
        executed = [r for r in items if r.status is not Status.NOT_EXECUTED]
        if executed:
            scores["passed"] = round(sum(r.passed for r in executed) / len(executed), 4)
        out[kind] = scores
    return out


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


@dataclass(frozen=True, slots=True)
class Stats:
    """Mean, median, 95th percentile and maximum of one figure (and its total, for times and tokens)."""

    mean: float
    p50: float
    p95: float
    max: float
    total: float | None = None

    @classmethod
    def of(cls, values: Sequence[float], *, total: bool = False) -> Stats:
        return cls(**describe(values), total=round(sum(values), 4) if total else None)

    def to_json(self) -> dict[str, float]:
        out = {"mean": self.mean, "p50": self.p50, "p95": self.p95, "max": self.max}
        return out if self.total is None else {**out, "total": self.total}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Stats:
        return cls(row["mean"], row["p50"], row["p95"], row["max"], row.get("total"))


@dataclass(frozen=True, slots=True)
class ProblemResult:
    """One problem's samples: how many (n), how many passed (c), pass@1 and the statuses."""

    n: int
    c: int
    pass_at_1: float
    statuses: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"n": self.n, "c": self.c, "pass@1": self.pass_at_1, "statuses": self.statuses}

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ProblemResult:
        return cls(int(row["n"]), int(row["c"]), float(row["pass@1"]), dict(row["statuses"]))


@dataclass(frozen=True, slots=True)
class RunInfo:
    """How a summary's results were made: where from, with what, on what, how long."""

    rustcoder: str
    finished_at: str
    results: str | None
    """The results file (None when it was temporary)."""
    samples_file: dict[str, Any]
    resumed_from: int
    executed: int
    execution_wall_seconds: float
    data: dict[str, Any]
    """The benchmark's provenance: origin, sha256, defects."""
    environment: dict[str, Any]
    """rustc, crates, sandbox."""
    config: dict[str, Any]
    """jobs, batch_size, limits."""
    machine: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    generation: dict[str, Any] | None = None
    """For `rustcoder run`: the model, backend, strategy and sampling (from run.json)."""
    starts: list[dict[str, Any]] | None = None
    """For a run directory: run.json's history of starts (attached when a report is made)."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rustcoder": self.rustcoder,
            "finished_at": self.finished_at,
            "results": self.results,
            "samples_file": self.samples_file,
            "resumed_from": self.resumed_from,
            "executed": self.executed,
            "execution_wall_seconds": self.execution_wall_seconds,
            "data": self.data,
            "environment": self.environment,
            "config": self.config,
            "machine": self.machine,
            "warnings": self.warnings,
        }
        if self.generation is not None:
            out["generation"] = self.generation
        if self.starts is not None:
            out["starts"] = self.starts
        return out

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> RunInfo:
        return cls(
            rustcoder=str(row.get("rustcoder", "")),
            finished_at=str(row.get("finished_at", "")),
            results=row.get("results"),
            samples_file=dict(row.get("samples_file") or {}),
            resumed_from=int(row.get("resumed_from", 0)),
            executed=int(row.get("executed", 0)),
            execution_wall_seconds=float(row.get("execution_wall_seconds", 0.0)),
            data=dict(row["data"]),
            environment=dict(row.get("environment") or {}),
            config=dict(row["config"]),
            machine=dict(row.get("machine") or {}),
            warnings=list(row.get("warnings") or []),
            generation=row.get("generation"),
            starts=row.get("starts"),
        )


@dataclass(slots=True)
class Summary:
    """Everything a report shows about one run: results.summary.json, and `--json`'s output.

    Written by `to_json` and read by `from_json` only, in the layout rustcoder 0.1 wrote.
    """

    problems: int
    benchmark_problems: int
    samples: int
    pass_at_k: dict[str, float]
    """pass@k by k (as a string: "1", "10"), for the ks the samples allow."""
    pass_at_1_ci95: tuple[float, float] | None
    status_counts: dict[str, int]
    error_codes: dict[str, int]
    """Samples with each rustc error code, most frequent first."""
    per_problem: dict[str, ProblemResult]
    execution: dict[str, float]
    """compile_seconds and run_seconds, summed over samples."""
    generation: dict[str, Stats]
    """gen_seconds, ttft_seconds, tokens_per_second, tokens (per sample), gen_seconds_per_problem."""
    attempts: dict[str, Any] | None = None
    repair_rounds: dict[str, Any] | None = None
    fim: dict[str, float] | None = None
    """For fill-in-the-middle tasks: the share of samples with an exact match, that parse and that
    compile (executed tasks only), and the mean edit similarity."""
    fim_by_kind: dict[str, dict[str, float]] | None = None
    """The same for each `kind` label of the tasks, with the share that passed (executed tasks only)."""
    benchmark: str = ""
    run: RunInfo | None = None
    check: dict[str, Any] | None = None
    """For `rustcoder check`: the verdict (evaluation.verdict)."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "benchmark": self.benchmark,
            "problems": self.problems,
            "benchmark_problems": self.benchmark_problems,
            "samples": self.samples,
            "pass_at_k": self.pass_at_k,
            "pass_at_1_ci95": list(self.pass_at_1_ci95) if self.pass_at_1_ci95 else None,
            "status_counts": self.status_counts,
            "error_codes": self.error_codes,
            "per_problem": {task: item.to_json() for task, item in self.per_problem.items()},
            "execution": self.execution,
            "generation": {name: stats.to_json() for name, stats in self.generation.items()},
        }
        if self.attempts is not None:
            out["attempts"] = self.attempts
        if self.repair_rounds is not None:
            out["repair_rounds"] = self.repair_rounds
        if self.fim is not None:
            out["fim"] = self.fim
        if self.fim_by_kind is not None:
            out["fim_by_kind"] = self.fim_by_kind
        if self.run is not None:
            out["run"] = self.run.to_json()
        if self.check is not None:
            out["check"] = self.check
        return out

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Summary:
        """KeyError, ValueError or TypeError when the document is not a rustcoder summary."""
        ci = row.get("pass_at_1_ci95")
        return cls(
            benchmark=str(row["benchmark"]),
            problems=int(row["problems"]),
            benchmark_problems=int(row.get("benchmark_problems", row["problems"])),
            samples=int(row["samples"]),
            pass_at_k={str(k): float(v) for k, v in row["pass_at_k"].items()},
            pass_at_1_ci95=(float(ci[0]), float(ci[1])) if ci else None,
            status_counts={str(k): int(v) for k, v in row["status_counts"].items()},
            error_codes={str(k): int(v) for k, v in (row.get("error_codes") or {}).items()},
            per_problem={t: ProblemResult.from_json(item) for t, item in row["per_problem"].items()},
            execution=dict(row.get("execution") or {}),
            generation={n: Stats.from_json(v) for n, v in (row.get("generation") or {}).items()},
            attempts=row.get("attempts"),
            repair_rounds=row.get("repair_rounds"),
            fim=row.get("fim"),
            fim_by_kind=row.get("fim_by_kind"),
            run=RunInfo.from_json(row["run"]) if row.get("run") else None,
            check=row.get("check"),
        )

    def count(self, status: Status) -> int:
        return self.status_counts.get(status.value, 0)


def summarize(
    records: Iterable[ResultRecord], *, ks: Sequence[int] = DEFAULT_KS, total_problems: int | None = None
) -> Summary:
    """Everything a report shows about one run, from its result records (benchmark and run unset)."""
    rows = list(records)
    by_task: dict[str, list[ResultRecord]] = defaultdict(list)
    for row in rows:
        by_task[row.task_id].append(row)
    counts = [  # pass@k is over the tasks that were executed (not the text-scored ones)
        (len(items), sum(1 for r in items if r.passed))
        for items in by_task.values()
        if any(r.status is not Status.NOT_EXECUTED for r in items)
    ]
    chosen = usable_ks(counts, ks) if counts else []
    status_counts = Counter(r.status.value for r in rows)
    codes = Counter(code for r in rows for code in dict.fromkeys(r.error_codes))
    ci = bootstrap_pass_at_1(counts) if counts else None
    repaired = [(str(int(rounds)), r.passed) for r in rows if (rounds := r.figure("rounds")) is not None]
    return Summary(
        problems=len(by_task),
        benchmark_problems=total_problems if total_problems is not None else len(by_task),
        samples=len(rows),
        pass_at_k={str(k): round(mean_pass_at_k(counts, k), 6) for k in chosen},
        pass_at_1_ci95=(round(ci[0], 6), round(ci[1], 6)) if ci else None,
        status_counts={s.value: status_counts.get(s.value, 0) for s in Status},
        error_codes=dict(codes.most_common()),
        per_problem={
            task: ProblemResult(
                n=len(items),
                c=sum(1 for r in items if r.passed),
                pass_at_1=round(pass_at_k(len(items), sum(1 for r in items if r.passed), 1), 6),
                statuses=dict(Counter(r.status.value for r in items)),
            )
            for task, items in by_task.items()
        },
        execution={
            "compile_seconds": round(sum(r.compile_seconds for r in rows), 3),
            "run_seconds": round(sum(r.run_seconds for r in rows), 3),
        },
        generation=_generation(rows),
        attempts=_attempts(rows),
        fim=_fim(rows),
        fim_by_kind=_fim_by_kind(rows),
        repair_rounds={
            "distribution": dict(sorted(Counter(rounds for rounds, _ in repaired).items())),
            "passed": dict(sorted(Counter(rounds for rounds, passed in repaired if passed).items())),
        }
        if repaired
        else None,
    )

"""Two fill-in-the-middle runs of the same tasks (a base model and its adapter, say) paired gap by gap:
the mean difference of edit similarity with a 95 % bootstrap interval, how many gaps came closer to the
reference and how many further, and the sign test on those; exact match and parsing the same way.

    .venv/bin/python benchmarks/fim_paired.py BASE_RUN TUNED_RUN [--resamples 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from rustcoder.evaluation.results import read_results
from rustcoder.metrics.paired import sign_test
from rustcoder.metrics.passk import bootstrap_mean
from rustcoder.types import FimScores


@dataclass(frozen=True, slots=True)
class PairedFim:
    tasks: int
    base: float
    tuned: float
    """Mean edit similarity of each run on the common tasks."""
    low: float
    high: float
    """The 95 % bootstrap interval of the mean per-task difference (tuned - base)."""
    closer: int
    further: int
    exact: tuple[int, int]
    parses: tuple[int, int]

    @property
    def p_value(self) -> float:
        return sign_test(self.closer, self.further)


def _scores(run: Path) -> dict[str, FimScores]:
    records = read_results(run / "results.jsonl")
    return {task: r.fim for (task, index), r in records.items() if index == 0 and r.fim is not None}


def compare(base_run: Path, tuned_run: Path, resamples: int = 10_000, seed: int = 0) -> PairedFim:
    base, tuned = _scores(base_run), _scores(tuned_run)
    tasks = sorted(base.keys() & tuned.keys())
    if not tasks:
        raise SystemExit(f"{base_run} and {tuned_run} have no scored FIM task in common")
    diffs = [tuned[t].edit_similarity - base[t].edit_similarity for t in tasks]
    low, high = bootstrap_mean(diffs, rounds=resamples, seed=seed)
    return PairedFim(
        tasks=len(tasks),
        base=sum(base[t].edit_similarity for t in tasks) / len(tasks),
        tuned=sum(tuned[t].edit_similarity for t in tasks) / len(tasks),
        low=low,
        high=high,
        closer=sum(d > 0 for d in diffs),
        further=sum(d < 0 for d in diffs),
        exact=(sum(base[t].exact_match for t in tasks), sum(tuned[t].exact_match for t in tasks)),
        parses=(sum(base[t].parses for t in tasks), sum(tuned[t].parses for t in tasks)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("tuned", type=Path)
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    p = compare(args.base, args.tuned, args.resamples, args.seed)
    print(f"{p.tasks} gaps in both runs")
    print(
        f"edit similarity {p.base:.3f} -> {p.tuned:.3f}: mean difference {p.tuned - p.base:+.3f} "
        f"(95 % bootstrap interval {p.low:+.3f} to {p.high:+.3f})"
    )
    print(f"closer to the reference {p.closer}, further {p.further}, sign test p = {p.p_value:.2g}")
    print(f"exact matches {p.exact[0]} -> {p.exact[1]}; parses {p.parses[0]} -> {p.parses[1]}")


if __name__ == "__main__":
    main()

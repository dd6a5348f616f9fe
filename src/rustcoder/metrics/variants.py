"""How much a score depends on the instruction's wording: one run per prompt variant on the same problems,
compared (`rustcoder run --prompt-variants`): pass@1 of each, the spread, and which problems every
variant solves, some do, or none does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustcoder.jsonl import write_json
from rustcoder.metrics.paired import Paired, paired
from rustcoder.metrics.summary import Summary


@dataclass(frozen=True, slots=True)
class VariantComparison:
    benchmark: str
    problems: tuple[str, ...]
    """The problems every variant's run has results for (the comparison's common set)."""
    pass_at_1: dict[str, float]
    solved: dict[str, frozenset[str]]
    """Each variant's problems with at least one passing sample."""
    baseline: str
    """The variant the others are paired against (the first: `exact` when it was run)."""
    repeats: dict[str, str] = field(default_factory=dict)
    """Variants not run because their requests were another's on every problem, and that variant."""

    @property
    def spread(self) -> float:
        """Highest minus lowest pass@1, in points."""
        values = self.pass_at_1.values()
        return 100 * (max(values) - min(values)) if values else 0.0

    def stability(self) -> dict[str, int]:
        """Problems solved by every variant, by some but not all, and by none."""
        counts = {"every": 0, "some": 0, "none": 0}
        for task in self.problems:
            hits = sum(task in solved for solved in self.solved.values())
            counts["every" if hits == len(self.solved) else "some" if hits else "none"] += 1
        return counts

    def against_baseline(self) -> dict[str, Paired]:
        base = self.solved[self.baseline]
        return {
            name: paired(set(base), set(solved), self.problems)
            for name, solved in self.solved.items()
            if name != self.baseline
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "problems": len(self.problems),
            "baseline": self.baseline,
            "pass@1": {name: round(value, 4) for name, value in self.pass_at_1.items()},
            "solved": {name: len(solved) for name, solved in self.solved.items()},
            "spread_points": round(self.spread, 2),
            "stability": self.stability(),
            "repeats": dict(self.repeats),
            "against_baseline": {name: p.to_json() for name, p in self.against_baseline().items()},
            "per_problem": {
                task: sorted(name for name, solved in self.solved.items() if task in solved)
                for task in self.problems
            },
        }


def compare_variants(
    summaries: Mapping[str, Summary], repeats: Mapping[str, str] | None = None
) -> VariantComparison:
    """Summaries by variant name (in the order to report them; the first is the baseline); `repeats`:
    the variants not run, each with the one whose requests it repeats."""
    if not summaries:
        raise ValueError("no variant runs to compare")
    common = set.intersection(*(set(s.per_problem) for s in summaries.values()))
    problems = tuple(sorted(common, key=_task_order))
    solved = {name: frozenset(t for t in problems if s.per_problem[t].c > 0) for name, s in summaries.items()}
    pass_at_1 = {
        name: sum(s.per_problem[t].pass_at_1 for t in problems) / len(problems) if problems else 0.0
        for name, s in summaries.items()
    }
    benchmark = next(iter(summaries.values())).benchmark
    return VariantComparison(
        benchmark, problems, pass_at_1, solved, next(iter(summaries)), dict(repeats or {})
    )


def _task_order(task: str) -> tuple[str, int]:
    head, _, number = task.rpartition("/")
    return (head, int(number)) if number.isdigit() else (task, -1)


def markdown(comparison: VariantComparison) -> str:
    n = len(comparison.problems)
    paired_rows = comparison.against_baseline()
    lines = [
        f"# Prompt variants on {comparison.benchmark or 'the benchmark'}",
        "",
        f"{n} problems, every variant run on each. Paired against `{comparison.baseline}` with the exact "
        "two-sided sign test on the problems one solves and the other does not.",
        "",
        "| variant | pass@1 | solved | gained | lost | sign test p |",
        "|---|---|---|---|---|---|",
    ]
    for name, value in comparison.pass_at_1.items():
        row = paired_rows.get(name)
        versus = (
            f"{len(row.gained)} | {len(row.lost)} | {row.p_value:.3f}" if row is not None else "- | - | -"
        )
        lines.append(f"| `{name}` | {100 * value:.1f} % | {len(comparison.solved[name])}/{n} | {versus} |")
    for name, twin in comparison.repeats.items():  # after a blank line: a table takes in the next line
        lines += [
            "",
            f"`{name}` was not run: on every problem it asks what `{twin}` asks, so its answers are "
            f"`{twin}`'s.",
        ]
    stability = comparison.stability()
    lines += [
        "",
        f"Spread: {comparison.spread:.1f} points between the best and the worst wording.",
        "",
        f"Stability: {stability['every']} problems solved by every variant, {stability['some']} by some "
        f"but not all, {stability['none']} by none.",
        "",
    ]
    return "\n".join(lines)


def write_comparison(comparison: VariantComparison, out_dir: Path) -> tuple[Path, Path]:
    """OUT/variants.json and OUT/variants.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "variants.json", out_dir / "variants.md"
    write_json(json_path, comparison.to_json())
    tmp = md_path.with_name(md_path.name + ".tmp")
    tmp.write_text(markdown(comparison), encoding="utf-8")
    tmp.replace(md_path)
    return json_path, md_path

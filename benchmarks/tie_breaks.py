"""Would a second method help `examples` choose among the candidates that pass every public example?

Reads a finished N-sample run's `select-examples`, `select-self-tests` and `select-agreement` records
(their per-candidate checks; nothing is run again) and its hidden-test results, and counts the problems
solved when the tie among candidates passing all their examples is broken: by the first (what `examples`
does), by the most of the model's own tests passed, by the largest behaviour cluster, and by a random
pick (expected value); where no candidate passes them all, `examples`' own fallback is kept. The ceiling
is the number of problems where some all-passing candidate is right. A tie-break whose selection has not
been made yet is left out, and said so (`examples` itself is required).

    .venv/bin/python benchmarks/tie_breaks.py docs/results/runs/mhe-qwen0.5b-n10
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rustcoder.jsonl import read_jsonl

ALL_EXAMPLES = re.compile(r"^passed \((\d+)/\1 examples\)$")
OWN_TESTS = re.compile(r"^(\d+)/\d+ own tests$")
CLUSTER = re.compile(r"^cluster \d+ of \d+ \((\d+) candidates\)$")
TIE_BREAKS = (("own tests passed", "self-tests", OWN_TESTS), ("behaviour cluster size", "agreement", CLUSTER))


def records(run: Path, method: str) -> Path:
    """Where `rustcoder select RUN --method METHOD` writes its per-problem records."""
    return run / f"select-{method}" / "selection.jsonl"


def choices(run: Path, method: str) -> dict[str, dict[str, Any]]:
    """The `select-METHOD` records of `run`, by task id."""
    return {row["task_id"]: row for _, row in read_jsonl(records(run, method))}


def score(pattern: re.Pattern[str]) -> Callable[[str], int]:
    """A candidate's check → the number the pattern captures (-1: did not run, e.g. a compile error)."""

    def read(check: str) -> int:
        found = pattern.match(check)
        return int(found.group(1)) if found else -1

    return read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    args = parser.parse_args()
    for needed in (args.run / "results.jsonl", records(args.run, "examples")):
        if not needed.is_file():
            missing = needed.relative_to(args.run)
            parser.error(f"{args.run}: no {missing} (rustcoder run, then select --method examples)")
    hidden = {
        (r["task_id"], int(r["sample_index"])): bool(r["passed"])
        for _, r in read_jsonl(args.run / "results.jsonl")
    }
    examples = choices(args.run, "examples")
    breakers = {
        name: (choices(args.run, method), score(pattern))
        for name, method, pattern in TIE_BREAKS
        if records(args.run, method).is_file()
    }
    for name, method, _ in TIE_BREAKS:
        if name not in breakers:
            print(f"left out: {name} (no select-{method} in {args.run})")
    solved = dict.fromkeys(["first (examples)", *breakers, "random (expected)"], 0.0)
    with_passing = ceiling = tied = 0
    for task, record in examples.items():
        checks: dict[str, str] = record["checks"]
        passing = sorted(int(i) for i, check in checks.items() if ALL_EXAMPLES.match(check))
        if not passing:  # examples' fallback (most examples passed, else compile) for every row
            for name in solved:
                solved[name] += hidden[(task, int(record["chosen"]))]
            continue
        with_passing += 1
        tied += len(passing) > 1
        right = [hidden[(task, i)] for i in passing]
        ceiling += any(right)
        solved["first (examples)"] += hidden[(task, int(record["chosen"]))]  # what examples chose
        solved["random (expected)"] += sum(right) / len(right)
        for name, (other, read) in breakers.items():
            other_checks: dict[str, str] = other[task]["checks"]
            best = max(passing, key=lambda i: (read(other_checks[str(i)]), -i))
            solved[name] += hidden[(task, best)]
    print(
        f"{args.run.name}: {len(examples)} problems; {with_passing} with a candidate passing all its "
        f"examples ({tied} with more than one); some such candidate is right on {ceiling}"
    )
    print("| tie among all-passing candidates broken by | solved |\n|---|---|")
    for name, count in solved.items():
        print(f"| {name} | {count:.1f} |" if name.startswith("random") else f"| {name} | {count:.0f} |")


if __name__ == "__main__":
    main()

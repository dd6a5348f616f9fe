"""How each run's generations ended, as shares of its samples: `eos` (the model ended the answer with
its end token: for fill-in-the-middle, it stopped where it judged the span to end), `end` (rustcoder's
end rules cut it), `stop` (a stop string), `loop`, `length` (the token budget ran out); and the median
tokens an answer. For FIM before and after tuning: whether the model learned to stop by itself.

    .venv/bin/python benchmarks/finish_reasons.py docs/results/runs/hepb-qwen0.5b-fim runs/hepb-...
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from collections.abc import Collection
from pathlib import Path

from rustcoder.jsonl import read_jsonl

REASONS = ("eos", "end", "stop", "loop", "length")


def finish_shares(run: Path, tasks: Collection[str] | None = None) -> tuple[int, dict[str, float], float]:
    """Samples, the share of each finish reason, and the median tokens an answer, of one run (of its
    samples of `tasks` only, where given)."""
    rows = [row for _, row in read_jsonl(run / "samples.jsonl") if tasks is None or row["task_id"] in tasks]
    if not rows:
        raise SystemExit(f"{run}: no samples")
    counts = Counter(str(row.get("finish") or "") for row in rows)
    shares = {reason: counts[reason] / len(rows) for reason in REASONS}
    return len(rows), shares, float(statistics.median(int(row.get("tokens") or 0) for row in rows))


def table(runs: list[Path]) -> list[str]:
    lines = [
        "| run | samples | " + " | ".join(f"{r} %" for r in REASONS) + " | tokens, median |",
        "|---|---|" + "---|" * len(REASONS) + "---|",
    ]
    for run in runs:
        samples, shares, tokens = finish_shares(run)
        cells = " | ".join(f"{100 * shares[r]:.1f}" for r in REASONS)
        lines.append(f"| {run.name} | {samples} | {cells} | {tokens:g} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=Path, nargs="+", help="Run folders (with samples.jsonl).")
    print("\n".join(table(parser.parse_args().runs)))


if __name__ == "__main__":
    main()

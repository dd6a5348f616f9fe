"""The instruction-wording table of docs/results: for each `rustcoder run --prompt-variants` folder
(OUT/variants.json beside one run per wording in OUT/VARIANT), pass@1 of each wording with its problems
gained and lost against the first (the benchmark's own text), the spread, and how many problems every
wording, some or none solves.

Used by make_results.py; on its own: .venv/bin/python benchmarks/variants_results.py [--runs runs]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selection_results import bench_name


@dataclass(frozen=True, slots=True)
class Wordings:
    """One folder of runs that differ only in the instruction's wording, and their comparison."""

    name: str
    model: str
    comparison: dict[str, Any]
    """variants.json as `rustcoder run --prompt-variants` wrote it."""

    @property
    def names(self) -> list[str]:
        """The wordings run, in the order run."""
        return list(self.comparison["pass@1"])

    @property
    def repeats(self) -> dict[str, str]:
        """The wordings not run because they ask what another asks, and that wording."""
        return dict(self.comparison.get("repeats", {}))

    @property
    def benchmark(self) -> str:
        return bench_name(self.comparison["benchmark"])


def found(runs_dir: Path) -> list[Wordings]:
    """Every folder under `runs_dir` with a variants.json whose baseline run records its model."""
    out = []
    for path in sorted(runs_dir.glob("*/variants.json")):
        comparison = json.loads(path.read_text(encoding="utf-8"))
        run_json = path.parent / comparison["baseline"] / "run.json"
        if not run_json.is_file():
            continue
        model = json.loads(run_json.read_text(encoding="utf-8"))["model"]["name"]
        out.append(Wordings(path.parent.name, model, comparison))
    return out


def _cell(comparison: dict[str, Any], name: str) -> str:
    value = f"{100 * comparison['pass@1'][name]:.1f}"
    versus = comparison["against_baseline"].get(name)
    if versus is None:
        return value
    text = f"{value} (+{versus['gained']} / −{versus['lost']})"
    return f"**{text}**" if versus["sign_test_p"] < 0.05 else text


def table(found: list[Wordings], runs: str = "runs") -> list[str]:
    """One row per model and benchmark, one column per wording (in the order first run), `·` where a
    wording was not run, `= NAME` where it asks what NAME asks; `runs` is the link prefix of the
    folders."""
    if not found:
        return ["No run of every wording has been made yet."]
    names: list[str] = []
    for item in found:
        names += [n for n in [*item.names, *item.repeats] if n not in names]
    lines = [
        "| model | benchmark | problems | " + " | ".join(f"`{n}`" for n in names) + " | spread (points) | "
        "solved by every / some / no wording |",
        "|---" * (len(names) + 5) + "|",
    ]
    for item in found:
        c = item.comparison
        cells = " | ".join(
            _cell(c, n) if n in c["pass@1"] else f"= `{item.repeats[n]}`" if n in item.repeats else "·"
            for n in names
        )
        stable = c["stability"]
        lines.append(
            f"| {item.model} | [{item.benchmark}]({runs}/{item.name}/variants.md) | {c['problems']} | "
            f"{cells} | {c['spread_points']:.1f} | {stable['every']} / {stable['some']} / {stable['none']} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    args = parser.parse_args()
    print("\n".join(table(found(args.runs), str(args.runs))))


if __name__ == "__main__":
    main()

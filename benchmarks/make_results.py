"""Publish finished runs: copy each run directory into docs/results/runs/ and write docs/results/README.md.

Only runs whose run.json says "complete" are published; the table is built from their summaries, so
every figure comes from a real run, and each row links that run's report.

    .venv/bin/python benchmarks/make_results.py [--runs runs] [--out docs/results] [--refresh]

`--refresh` recomputes each published run's summary figures from its results.jsonl with this
rustcoder's `summarize` (the "run" section, which says how the run was executed, is kept) and writes
its report again; `--runs docs/results/runs` does that to the published runs in place.
A run's copy kept while it computed (benchmarks/keep_partial.sh, docs/results/partial/) is removed once
the run is published.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import selection_results as selection
import tuning_methods
import tuning_results as tuning
import variants_results as variants
from rustcoder.evaluation.results import read_results
from rustcoder.jsonl import write_json
from rustcoder.metrics.report import load_runs, write_report
from rustcoder.metrics.starts import describe_start, minutes, starts
from rustcoder.metrics.summary import Summary, summarize

PUBLISHED = [
    ("Llama-3.2-1B, 1 attempt (seed study)", "2.27"),
    ("Llama-3.2-1B, up to 10 attempts until well-formed (seed study)", "5.30"),
    ("Llama-3.2-1B, prompt-tuned (seed study)", "7.58"),
    ("Llama-3.2-1B, one-shot (seed study)", "12.12"),
    ("CodeLlama-13B (seed study)", "28.79"),
    ("Qwen2.5-Coder-0.5B-Instruct, chat + first fenced block (FIELD.md baseline)", "28.0"),
    ("Qwen2.5-Coder-1.5B-Instruct, chat + first fenced block (FIELD.md baseline)", "35.4"),
]
MULTIPLE_PUBLISHED = [
    ("StarCoderBase-1.1B (BigCode leaderboard, t=0.2, n=50)", "10.2"),
    ("DeepSeek-Coder-1.3B", "18.1"),
    ("CodeLlama-13B", "29.7"),
    ("DeepSeek-Coder-6.7B-instruct", "47.7"),
]
# The seed study's table: one row per model, one column per strategy (delimited with 1 attempt and with up
# to 10 attempts until well-formed, one-shot), extended with rustcoder's other strategies.
COLUMNS = ("delimited, 1 attempt", "delimited, ≤10 attempts", "one-shot", "instruct", "alpaca", "repair")
PUBLISHED_GRID = [
    (
        "Llama-3.2-1B (seed study; prompt-tuned: 7.58)",
        {"delimited, 1 attempt": "2.27", "delimited, ≤10 attempts": "5.30", "one-shot": "12.12"},
    ),
    ("CodeLlama-13B (seed study)", {"delimited, 1 attempt": "28.79"}),
    ("Qwen2.5-Coder-0.5B-Instruct (FIELD.md baseline: chat, first fenced block)", {"instruct": "28.0"}),
    ("Qwen2.5-Coder-1.5B-Instruct (FIELD.md baseline: chat, first fenced block)", {"instruct": "35.4"}),
]
Runs = list[tuple[str, dict[str, Any], Summary]]
"""(run directory name, run.json, results summary) of each finished run."""
KEEP = ("run.json", "samples.jsonl", "results.jsonl", "results.summary.json", "report", "written-tests.jsonl")
"""What a published run keeps; its `select-*` folders (rustcoder select) go with it too."""


def publish_run(source: Path, target: Path, items: Sequence[str] = KEEP) -> None:
    """Copy a run folder's `items` (and its `select-*` folders) to `target`, replacing what was there;
    a folder already in place (the published runs published again) is left as it is."""
    if target.resolve() == source.resolve():
        return
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    selections = [p.name for p in source.glob("select-*") if p.is_dir()]
    for item in (*items, *selections):
        if (source / item).is_dir():
            shutil.copytree(source / item, target / item)
        elif (source / item).exists():
            shutil.copy2(source / item, target / item)


def publish_wordings(source: Path, target: Path, names: Sequence[str]) -> None:
    """A `--prompt-variants` folder: its comparison and joint report, then each wording's run."""
    publish_run(source, target, ("variants.json", "variants.md", "report"))
    for name in names:
        publish_run(source / name, target / name)


def finished(runs: Path) -> Runs:
    found = []
    for folder in sorted(p for p in runs.iterdir() if (p / "run.json").exists()):
        info = json.loads((folder / "run.json").read_text())
        if info.get("status") == "complete" and (folder / "results.summary.json").exists():
            summary = Summary.from_json(json.loads((folder / "results.summary.json").read_text()))
            found.append((folder.name, info, summary))
    return found


def _fmt(value: object, digits: int) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "-"


def column(info: dict[str, Any]) -> str:
    """Which column of the strategy grid a run belongs to."""
    name, attempts = info["strategy"]["name"], info["strategy"]["attempts"]
    if name == "delimited":
        return "delimited, 1 attempt" if attempts == 1 else f"delimited, ≤{attempts} attempts"
    return str(name)


def _link(name: str, summary: Summary) -> str:
    """A run's pass@1 %, linked to its report."""
    return f"[{100 * summary.pass_at_k['1']:.1f}](runs/{name}/report/report.md)"


def _pivot(cells: dict[str, dict[str, str]], columns: Sequence[str], label: str) -> list[str]:
    """A Markdown table, one row per model (`label` formats its name), `·` where a run is missing."""
    lines = ["| model | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for model, row_cells in sorted(cells.items()):
        values = " | ".join(row_cells.get(c, "·") for c in columns)
        lines.append(f"| {label.format(model)} | {values} |")
    return lines


def headline(info: dict[str, Any]) -> bool:
    """Whether a run belongs in the strategy tables: llama.cpp (the default backend), one greedy sample,
    the benchmark's own wording, no adapter (tuned runs, samples and variants have their own tables)."""
    sampling = info.get("sampling") or {}
    return (
        (info.get("backend") or {}).get("backend") == "llamacpp"
        and tuning.adapter_of(info) is None
        and sampling.get("n", 1) == 1
        and not sampling.get("temperature")
        and "prompt_variant" not in (info["strategy"].get("template") or {})
    )


def grid(runs: Runs, benchmark: str) -> list[str]:
    """The seed-study-shaped table for one benchmark: pass@1 % per model and strategy, each linked."""
    cells: dict[str, dict[str, str]] = {}
    for name, info, summary in runs:
        if summary.benchmark == benchmark and headline(info):
            cells.setdefault(info["model"]["name"], {})[column(info)] = _link(name, summary)
    lines = _pivot(cells, COLUMNS, "**{}** (rustcoder)")
    for system, values in PUBLISHED_GRID:
        lines.append(f"| {system} | " + " | ".join(values.get(c, "") for c in COLUMNS) + " |")
    return lines


def language_gap(runs: Runs) -> list[str]:
    """Instruct pass@1 % per model on each benchmark, side by side (Rust versus Python)."""
    cells: dict[str, dict[str, str]] = {}
    for name, info, summary in runs:
        if info["strategy"]["name"] == "instruct" and headline(info):
            bench = selection.bench_name(summary.benchmark)
            cells.setdefault(info["model"]["name"], {})[bench] = _link(name, summary)
    benchmarks = sorted({bench for row_cells in cells.values() for bench in row_cells})
    return _pivot(cells, benchmarks, "{}")


def _stat(summary: Summary, figure: str, which: str, digits: int) -> str:
    stats = summary.generation.get(figure)
    return "-" if stats is None else _fmt(getattr(stats, which), digits)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def fim_table(runs: Runs) -> list[str]:
    """Fill-in-the-middle scores of every FIM run: one row for all its tasks, one per kind of gap."""
    lines = [
        "| run | model | benchmark | layout | middles end | kind | tasks | exact match % | edit similarity | "
        "parses % | compiles % | pass@1 % | generation | TTFT p50 (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, info, summary in runs:
        if summary.fim is None:
            continue
        template = info["strategy"]["template"]
        layout = template.get("fim_layout", "-") if isinstance(template, dict) else "-"
        line_end = "a line at its first newline" if "stop_single_line" in template else "by the end rules"
        if template.get("holds_multi_line"):  # --fim-hold
            line_end += "; no end token while a bracket is open"
        bench = Path(summary.benchmark).name.removesuffix(".jsonl")
        if bench in ("train", "validation", "test", "test-bench"):
            bench = "mined test split, sampled" if bench == "test-bench" else f"mined {bench} split"
        gen = summary.generation.get("gen_seconds")
        kinds: list[tuple[str, dict[str, float], float | None]] = [
            ("all", summary.fim, summary.pass_at_k.get("1"))
        ]
        if summary.fim_by_kind and len(summary.fim_by_kind) > 1:
            kinds += [(k, v, v.get("passed")) for k, v in summary.fim_by_kind.items()]
        for kind, fim, passed in kinds:
            first = kind == "all"
            lines.append(
                f"| {f'[{name}](runs/{name}/report/report.md)' if first else ''} | "
                f"{info['model']['name'] if first else ''} | {bench if first else ''} | "
                f"{layout if first else ''} | {line_end if first else ''} | {kind} | {int(fim['samples'])} | "
                f"{_pct(fim['exact_match'])} | "
                f"{fim['edit_similarity']:.3f} | {_pct(fim['parses'])} | {_pct(fim.get('compiles'))} | "
                f"{'**' + _pct(passed) + '**' if first and passed is not None else _pct(passed)} | "
                f"{minutes(gen.total) if first and gen and gen.total is not None else ''} | "
                f"{_stat(summary, 'ttft_seconds', 'p50', 2) if first else ''} |"
            )
    return lines


def row(name: str, info: dict[str, Any], summary: Summary) -> str:
    pass1 = summary.pass_at_k.get("1")
    low, high = (100 * x for x in summary.pass_at_1_ci95 or (0.0, 0.0))
    counts = summary.status_counts
    gen_seconds = summary.generation.get("gen_seconds")
    generation = gen_seconds.total if gen_seconds else None
    walls = "; ".join(describe_start(s) for s in starts(info.get("history", [])))
    codes = ", ".join(f"{c} ×{n}" for c, n in list(summary.error_codes.items())[:3])
    attempts = info["strategy"]["attempts"]
    rounds = (
        info["strategy"]["template"].get("rounds") if isinstance(info["strategy"]["template"], dict) else None
    )
    strategy = info["strategy"]["name"] + (f" ({rounds} rounds)" if rounds else f", ≤{attempts} attempts")
    template = info["strategy"]["template"]
    wording = template.get("prompt_variant") if isinstance(template, dict) else None
    if isinstance(wording, dict):
        strategy += f", wording `{wording.get('name')}`"
    backend = (info.get("backend") or {}).get("backend")
    model = info["model"]["name"] + (f" ({backend})" if backend and backend != "llamacpp" else "")
    return (
        f"| [{name}](runs/{name}/report/report.md) | {model} | {strategy} | "
        f"{f'**{100 * pass1:.1f}** ({low:.1f}–{high:.1f})' if pass1 is not None else 'not executed'} | "
        f"{counts['passed']}/{summary.samples} | "
        f"{counts['compile_error']} | {counts['test_failure']} | {counts['panic'] + counts['timeout']} | "
        f"{codes} | {minutes(generation) if generation is not None else '-'} | "
        f"{_stat(summary, 'gen_seconds_per_problem', 'p50', 1)} / "
        f"{_stat(summary, 'gen_seconds_per_problem', 'p95', 1)} | {walls} | "
        f"{_stat(summary, 'ttft_seconds', 'p50', 2)} / {_stat(summary, 'ttft_seconds', 'p95', 2)} | "
        f"{_stat(summary, 'tokens_per_second', 'p50', 1)} |"
    )


def adapter_section(notes: list[str]) -> list[str]:
    """The recipes whose runs used more than one adapter file, under a line saying so."""
    if not notes:
        return []
    return [
        "Recipes whose runs above did not all use the same adapter file (trained again, or converted "
        "again; the record under `tune/NAME` is one training's; what differs: "
        "[analysis.md](analysis.md#tuning)):",
        "",
        *notes,
        "",
    ]


def refresh(folder: Path) -> None:
    """Summary figures again from the run's own result records; its report written again."""
    path = folder / "results.summary.json"
    stored = Summary.from_json(json.loads(path.read_text()))
    records = list(read_results(folder / "results.jsonl").values())
    fresh = summarize(
        records, ks=[int(k) for k in stored.pass_at_k], total_problems=stored.benchmark_problems
    )
    fresh.benchmark, fresh.run, fresh.check = stored.benchmark, stored.run, stored.check
    write_json(path, fresh.to_json())
    write_report(load_runs([folder]), folder / "report")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    parser.add_argument("--out", type=Path, default=Path("docs/results"))
    parser.add_argument(
        "--exclude",
        action="append",
        default=["default"],
        help="Run directories to leave out (default: `default`, the README's main job, timed in "
        "docs/benchmarks.md, which repeats hep-qwen0.5b-delimited).",
    )
    parser.add_argument(
        "--republish",
        action="append",
        default=[],
        metavar="RECIPE",
        help="Replace the published training record of RECIPE with runs/tune/RECIPE's (a recipe trained "
        "again whose runs were made again); by default a published record is kept.",
    )
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="Recompute each run's summary figures from its results.jsonl and write its report again.",
    )
    args = parser.parse_args()
    if args.refresh:
        for folder in sorted(p for p in args.runs.iterdir() if (p / "results.summary.json").exists()):
            refresh(folder)
    runs = [run for run in finished(args.runs) if run[0] not in args.exclude]
    for name, _, _ in runs:
        publish_run(args.runs / name, args.out / "runs" / name)
    wordings = variants.found(args.runs)
    for item in wordings:
        publish_wordings(args.runs / item.name, args.out / "runs" / item.name, item.names)
    for name in [name for name, _, _ in runs] + [item.name for item in wordings]:
        # the copy keep_partial.sh kept while it computed
        shutil.rmtree(args.out / "partial" / name, ignore_errors=True)
    paired = tuning.pairs(runs, args.runs)
    tuning_methods.publish_all(args.runs / "tune", args.out / "tune", args.republish)
    tuning_methods.card_results(args.out / "tune", paired)
    picked = selection.points(args.runs, runs)
    figure = selection.plot(picked, args.out / "selection.svg")
    by_benchmark: dict[str, list[str]] = {}
    for name, info, summary in runs:
        # one section a file name: the same benchmark read from two places is one benchmark
        by_benchmark.setdefault(Path(summary.benchmark).name, []).append(row(name, info, summary))
    header = (
        "| run | model | strategy | pass@1 % (95 % CI) | passed | compile errors | test failures | "
        "panics + timeouts | top rustc errors | generation (samples' sum) | per problem p50 / p95 (s) | "
        "wall time per start | TTFT p50 / p95 (s) | tokens/s p50 |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [
        "# Results",
        "",
        "Every row is a complete `rustcoder run` on this project's 2-core machine (greedy decoding, the "
        "first attempt greedy and retries at temperature 0.5 where a strategy retries), linked to its "
        "report; `runs/NAME/run.json` holds everything that produced it. The runs come from "
        "`benchmarks/run_results.sh` (resumable); regenerate this page with "
        "`.venv/bin/python benchmarks/make_results.py`. What the numbers mean, and how they compare "
        "with published ones: [analysis.md](analysis.md).",
        "",
        "## HumanEvalPack-Rust pass@1 % by model and strategy",
        "",
        "Shaped like the seed study's table; rustcoder's rows are greedy runs of all 164 problems on this "
        "machine (each figure links its report), the other rows are the published numbers from FIELD.md. "
        "`·`: not run yet.",
        "",
        *grid(runs, "humanevalpack-rust"),
        "",
        "## Rust versus Python (instruct strategy, pass@1 %)",
        "",
        *language_gap(runs),
        "",
        "## Fill-in-the-middle",
        "",
        "The `fim` strategy (the model's own FIM tokens, raw, greedy; a single-line gap ends at the end "
        "of its first non-blank line, a multi-line gap where it closes the block the prefix opened or "
        "repeats the suffix). `humanevalpack-rust-infill-line` masks each line of each canonical "
        "solution, `-infill-block` each function body and block; both are judged by the benchmark's "
        "tests. The mined test split (crates no example of the training split comes from) is scored by "
        "text and parsing only: its files need their crates to build. What the figures say about "
        "these Instruct models' FIM: [analysis.md](analysis.md#fill-in-the-middle).",
        "",
        *fim_table(runs),
        "",
        "## Tuning: each adapter against the base model",
        "",
        "Each run made with an adapter (`rustcoder tune`, `configs/*-cpu.yaml`) beside the same run "
        "without it (benchmark, model, strategy, backend, sampling), paired on the problems both ran: "
        "gained = solved only with the adapter, lost = solved only without; the sign test's p is the "
        "chance of a split at least that uneven if the adapter changed nothing; for fill-in-the-middle, "
        "'ends itself' is the share of answers the model ended with its own end token, where it judged "
        "the span to end (the rest were cut by rustcoder's end rules or ran out of tokens). The runs "
        "come from `benchmarks/run_tuning.sh`; what they say: [analysis.md](analysis.md#tuning).",
        "",
        *tuning.table(paired),
        "",
        "### The methods side by side",
        "",
        "As the seed study's table: each CPU recipe (`configs/NAME.yaml`) with its training record "
        "(`tune/NAME/`: the adapter's record and card, the trainer's log) and its pass@1 before → after "
        "from the table above. Minutes: each step as long as it took, but a step longer than twice "
        "its tokens' time at the median step's tokens/s counted at that (the job was paused), each "
        "process's first step at that rate, plus self-training's sampling and judging where its round "
        "recorded them; the wall-clock figures and peak memory are in "
        "[docs/benchmarks.md](../benchmarks.md#training-throughput-rustcoder-tune-on-2-cpu-cores). "
        "`·`: not run yet.",
        "",
        *tuning_methods.table(tuning_methods.recipes(args.out / "tune"), paired),
        "",
        *adapter_section(tuning.adapter_notes(paired)),
        "## The instruction's wording",
        "",
        "The same model, strategy and greedy decoding, one run per wording of the instruction "
        "(`rustcoder run --prompt-variants all`): pass@1 %, with the problems each wording solves that "
        "the benchmark's own text (`exact`) does not (+) and the reverse (−), in bold where the sign test "
        "gives p < 0.05; `= NAME`: not run, as it asks exactly what NAME asks on every problem. The "
        "wordings: [README.md](../../README.md#models-backends-and-strategies); what they say: "
        "[analysis.md](analysis.md).",
        "",
        *variants.table(wordings),
        "",
        "## Many samples, one answer",
        "",
        "Runs of N samples per problem at temperature, and the answer each selection method chose "
        "without the hidden tests (`rustcoder select`): pass@1 of the chosen answer beside one greedy "
        "answer, a random sample (pass@1 of the N) and the oracle pass@N, with the generation time each "
        "costs on this machine." + (" The plot: [selection.svg](selection.svg)." if figure else ""),
        "",
        *selection.table(picked),
        "",
        "## Every run",
        "",
    ]
    for benchmark, rows in sorted(by_benchmark.items()):
        lines += [f"### {benchmark}", "", header, *rows, ""]
    lines += ["## Published numbers for comparison (HumanEvalPack-Rust / HumanEval-X Rust pass@1 %)", ""]
    lines += ["| system | pass@1 % |", "|---|---|", *(f"| {s} | {v} |" for s, v in PUBLISHED), ""]
    lines += ["MultiPL-E HumanEval-rs pass@1 % (BigCode leaderboard, base models, t=0.2, n=50):", ""]
    lines += ["| system | pass@1 % |", "|---|---|", *(f"| {s} | {v} |" for s, v in MULTIPLE_PUBLISHED), ""]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"published {len(runs)} runs to {args.out}")


if __name__ == "__main__":
    main()

"""`rustcoder data mine`: crates → licences → functions → deduplication → decontamination → examples.

Output: `fim/SPLIT.jsonl` and `instructions/SPLIT.jsonl`, the same rows as parquet beside them with a
dataset card (`README.md`, for `datasets.load_dataset(DIR, "fim")`), `removed.jsonl`, `report.json` and
`datasheet.md`. A FIM split's JSONL is also a text-scored FIM benchmark (`"execute": false`), and
`fim/test-bench.jsonl` samples the test split evenly over kinds and crates:
`rustcoder run DIR/fim/test-bench.jsonl --strategy fim` measures a model on crates it was not trained on.

The output directory is written whole or not at all: everything goes to `DIR.partial` and is renamed
into place at the end, so an interrupted run leaves nothing that looks complete, and running again
starts cleanly. The same input and settings give the same bytes, datasheet included (stable orders,
seeded choices, no timestamps).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rustcoder.backends.fim import FimTokens
from rustcoder.data.crates import discover
from rustcoder.data.decontaminate import Index, decontaminate
from rustcoder.data.dedup import deduplicate
from rustcoder.data.examples import SPLITS, benchmark_sample, fim_examples, instruction_example, split_of
from rustcoder.data.functions import MinedFunction, extract
from rustcoder.data.report import MineReport, MineSettings
from rustcoder.errors import DataError
from rustcoder.types import Problem

Progress = Callable[[int, int], None]


def _write_jsonl(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def _percentiles(values: list[int]) -> dict[str, int]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> int:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"min": ordered[0], "p50": at(0.5), "p90": at(0.9), "max": ordered[-1]}


def mine(
    sources: Sequence[Path],
    out: Path,
    *,
    benchmarks: Sequence[tuple[str, Sequence[Problem]]],
    settings: MineSettings | None = None,
    fim_tokens: FimTokens | None = None,
    progress: Progress | None = None,
) -> MineReport:
    """Mine `sources` into `out` (replaced whole at the end); returns what each stage did."""
    settings = settings or MineSettings()
    report = MineReport(sources=[str(s) for s in sources])
    found = discover(sources)
    if not found.crates:
        raise DataError(
            f"no crates (a Cargo.toml with [package]) under {', '.join(map(str, sources)) or '-'}"
        )
    report.crates = len(found.crates)
    report.licences = {v.value: n for v, n in found.by_verdict().items()}
    report.discovery_skipped = {reason: len(paths) for reason, paths in found.skipped.items()}
    roots = {c.root for c in found.crates}
    functions: list[MinedFunction] = []
    skipped: Counter[str] = Counter()
    for number, crate in enumerate(found.crates, start=1):
        if crate.licence.verdict not in settings.licences:
            report.licence_excluded.setdefault(crate.licence.verdict.value, []).append(
                f"{crate.key} ({crate.licence.expression or 'no licence'})"
            )
        else:
            nested = {r for r in roots if r != crate.root and crate.root in r.parents}
            extraction = extract(crate, nested=nested, include_tests=settings.include_tests)
            functions += extraction.functions
            skipped += extraction.skipped
            report.files += extraction.files
        if progress:
            progress(number, len(found.crates))
    report.functions = len(functions)
    report.extraction_skipped = dict(sorted(skipped.items()))
    unique = deduplicate(functions)
    report.exact_duplicates, report.near_duplicates = unique.count("exact"), unique.count("near")
    index = Index()
    for name, problems in benchmarks:
        index.add(name, problems)
    report.benchmark_problems = index.problems
    clean = decontaminate(unique.kept, index)
    report.contaminated = [
        {"function": f"{c.function.crate}-{c.function.version}:{c.function.path}:{c.function.start_line}",
         "benchmark": c.benchmark, "task_id": c.task_id, "overlap": round(c.overlap, 3)}
        for c in clean.removed
    ]  # fmt: skip
    report.kept = len(clean.kept)
    _write(out, clean.kept, report, settings, fim_tokens, unique.removed)
    return report


def _write(
    out: Path,
    functions: list[MinedFunction],
    report: MineReport,
    settings: MineSettings,
    fim_tokens: FimTokens | None,
    duplicates: Sequence[Any],
) -> None:
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    fim: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in SPLITS}
    instructions: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in SPLITS}
    lengths: dict[str, list[int]] = {}
    for function in functions:
        split = split_of(function.crate, settings.seed)
        report.split_crates.setdefault(split, [])
        if function.crate not in report.split_crates[split]:
            report.split_crates[split].append(function.crate)
        for example in fim_examples(function, seed=settings.seed):
            row: dict[str, Any] = {
                **asdict(example), "kind": example.kind.value, "split": split, "execute": False
            }  # fmt: skip
            if fim_tokens is not None:
                for layout in settings.fim_layouts:
                    row[f"text_{layout.value}"] = example.text(fim_tokens, layout)
            fim[split].append(row)
            lengths.setdefault(example.kind.value, []).append(len(example.middle))
        if (instruction := instruction_example(function)) is not None:
            instructions[split].append({**asdict(instruction), "split": split})
    for split in fim:
        _write_jsonl(staging / "fim" / f"{split}.jsonl", fim[split])
        _write_jsonl(staging / "instructions" / f"{split}.jsonl", instructions[split])
        kinds = Counter(row["kind"] for row in fim[split])
        report.fim_examples[split] = dict(sorted(kinds.items()))
        report.instructions[split] = len(instructions[split])
    bench = benchmark_sample(fim["test"], settings.bench_per_kind, settings.seed)
    _write_jsonl(staging / "fim" / "test-bench.jsonl", bench)
    report.bench_tasks = dict(sorted(Counter(str(row["kind"]) for row in bench).items()))
    report.split_crates = {split: sorted(names) for split, names in sorted(report.split_crates.items())}
    report.middle_lengths = {kind: _percentiles(values) for kind, values in sorted(lengths.items())}
    removed = [
        {"function": f"{r.function.crate}-{r.function.version}:{r.function.path}:{r.function.start_line}",
         "reason": f"{r.reason} duplicate", "of": r.kept}
        for r in duplicates
    ] + [{**c, "reason": "contaminated"} for c in report.contaminated]  # fmt: skip
    _write_jsonl(staging / "removed.jsonl", removed)
    (staging / "report.json").write_text(json.dumps(asdict(report), indent=2, sort_keys=True) + "\n")
    from rustcoder.data.datasheet import datasheet
    from rustcoder.data.hfdataset import write_parquet

    sheet = datasheet(report, settings, fim_tokens)
    (staging / "datasheet.md").write_text(sheet, encoding="utf-8")
    write_parquet(staging, {"fim": fim, "instructions": instructions}, sheet)
    if out.exists():
        shutil.rmtree(out)
    staging.replace(out)

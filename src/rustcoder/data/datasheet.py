"""The datasheet of a mined dataset (Markdown): where the code came from, under which licences, what each
filter removed, what decontamination found, the examples and their lengths, and the split."""

from __future__ import annotations

from rustcoder.backends.fim import FimTokens
from rustcoder.data.decontaminate import THRESHOLD, N
from rustcoder.data.dedup import SHINGLE
from rustcoder.data.dedup import THRESHOLD as NEAR_THRESHOLD
from rustcoder.data.report import MineReport, MineSettings


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def datasheet(report: MineReport, settings: MineSettings, fim_tokens: FimTokens | None) -> str:
    excluded = sum(len(v) for v in report.licence_excluded.values())
    lines = [
        "# Datasheet: Rust functions mined by rustcoder",
        "",
        "## Sources",
        "",
        *(f"- `{source}`" for source in report.sources),
        "",
        f"{report.crates} crates (each version a crate of its own). Licences, from each Cargo.toml: "
        + ", ".join(f"{n} {verdict}" for verdict, n in report.licences.items())
        + f". Mined: {', '.join(sorted(v.value for v in settings.licences))}; {excluded} crates excluded:",
        "",
        *(f"- {verdict}: {', '.join(names)}" for verdict, names in sorted(report.licence_excluded.items())),
        "",
        "## What each stage kept",
        "",
        *_table(
            ("stage", "count"),
            [
                ("files parsed", report.files),
                ("functions extracted", report.functions),
                *((f"left out: {reason}", n) for reason, n in report.extraction_skipped.items()),
                ("exact duplicates removed (normalised tokens)", report.exact_duplicates),
                (
                    f"near duplicates removed (MinHash LSH, Jaccard ≥ {NEAR_THRESHOLD}, "
                    f"{SHINGLE}-token shingles)",
                    report.near_duplicates,
                ),
                ("removed by decontamination", len(report.contaminated)),
                ("functions kept", report.kept),
            ],
        ),
        "",
        "## Decontamination",
        "",
        f"Against {report.benchmark_problems} benchmark problems (prompts, canonical solutions, tests): a "
        f"function is removed when at least {THRESHOLD:.0%} of its word {N}-grams occur in one problem.",
        "",
    ]
    if report.contaminated:
        lines += _table(
            ("function", "benchmark", "task", "overlap"),
            [(c["function"], c["benchmark"], c["task_id"], c["overlap"]) for c in report.contaminated],
        )
    else:
        lines.append("Nothing reached the threshold.")
    lines += [
        "",
        "## Examples",
        "",
        f"Split by crate with seed {settings.seed} (train / validation / test = 90 / 5 / 5 % of crates).",
        "",
        *_table(
            ("split", "crates", "FIM examples", "instructions"),
            [
                (
                    split,
                    len(report.split_crates.get(split, [])),
                    sum(kinds.values()),
                    report.instructions[split],
                )
                for split, kinds in report.fim_examples.items()
            ],
        ),
        "",
        "FIM middles by kind (characters):",
        "",
        *_table(
            ("kind", "min", "p50", "p90", "max"),
            [
                (kind, *(v.get(k, "-") for k in ("min", "p50", "p90", "max")))
                for kind, v in report.middle_lengths.items()
            ],
        ),
        "",
        (
            f"FIM texts rendered with {fim_tokens.family} tokens in "
            + ", ".join(layout.value.upper() for layout in settings.fim_layouts)
            + "."
            if fim_tokens
            else "FIM examples hold prefix, middle and suffix; no model's tokens were rendered (use --model)."
        ),
        "",
        "Test crates: " + (", ".join(report.split_crates.get("test", [])) or "none") + ".",
        "",
        f"`fim/test-bench.jsonl`, a FIM benchmark from the test split (up to {settings.bench_per_kind} "
        "tasks of each kind, spread over the test crates, seeded; text-scored: exact match, edit "
        "similarity, parses): "
        + (", ".join(f"{n} {kind}" for kind, n in report.bench_tasks.items()) or "empty")
        + ". Run it with `rustcoder run DIR/fim/test-bench.jsonl --strategy fim`.",
        "",
    ]
    return "\n".join(lines)

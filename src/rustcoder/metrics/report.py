"""`rustcoder report`: Markdown and a self-contained HTML page for one or more runs, side by side."""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Sequence
from pathlib import Path

from rustcoder.errors import DataError
from rustcoder.metrics import plots
from rustcoder.metrics.plots import Run
from rustcoder.metrics.summary import Summary, summary_path
from rustcoder.provenance import source_version
from rustcoder.types import Status


def _summary_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.summary.json"))
    if path.name.endswith(".summary.json"):
        return [path]
    if path.suffix == ".jsonl":
        return [summary_path(path)]
    return []


def _label(path: Path) -> str:
    stem = path.name.removesuffix(".summary.json")
    return path.parent.name if stem == "results" else stem


def _with_starts(summary: Summary, info_path: Path) -> Summary:
    """A run directory's start history (from its run.json) goes with its summary into the report."""
    try:
        history = json.loads(info_path.read_text(encoding="utf-8")).get("history")
    except (OSError, json.JSONDecodeError, AttributeError):
        return summary
    if isinstance(history, list) and summary.run is not None:
        summary.run = dataclasses.replace(summary.run, starts=history)
    return summary


def load_runs(paths: Sequence[Path]) -> list[Run]:
    """Summary documents for run directories, results files or summary files."""
    runs: list[Run] = []
    for path in paths:
        files = [f for f in _summary_files(path) if f.exists()]
        if not files:
            raise DataError(f"{path}: no rustcoder run found (expected a run directory or a results .jsonl)")
        for file in files:
            try:
                document = json.loads(file.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise DataError(f"{file}: invalid JSON: {exc.msg} (line {exc.lineno})") from exc
            try:
                summary = Summary.from_json(document)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise DataError(f"{file}: not a rustcoder summary ({exc})") from exc
            runs.append((_label(file), _with_starts(summary, file.parent / "run.json")))
    labels = [label for label, _ in runs]
    return [
        (f"{label} ({i + 1})" if labels.count(label) > 1 else label, doc)
        for i, (label, doc) in enumerate(runs)
    ]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _summary_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    ks = sorted({int(k) for _, doc in runs for k in doc.pass_at_k})
    header = ["run", "benchmark", "model / strategy", "problems", "samples", *(f"pass@{k}" for k in ks)]
    header.append("pass@1 95 % CI")
    header += [s.value for s in Status]
    rows = []
    for label, doc in runs:
        ci = doc.pass_at_1_ci95
        row = [label, doc.benchmark, _producer(doc), f"{doc.problems}/{doc.benchmark_problems}"]
        row.append(str(doc.samples))
        row += [_pct(doc.pass_at_k.get(str(k))) for k in ks]
        row.append(f"{_pct(ci[0])} – {_pct(ci[1])}" if ci else "-")
        row += [str(doc.count(s)) for s in Status]
        rows.append(row)
    return header, rows


def _producer(doc: Summary) -> str:
    """Model and strategy, with the sampling settings, for generated runs; "-" for evaluated sample files."""
    generation = doc.run.generation if doc.run else None
    if not generation:
        return "-"
    sampling = generation["sampling"]
    strategy = generation["strategy"]
    return (
        f"{generation['model'].get('name')} / {strategy['name']} "
        f"(T={sampling['temperature']:g}, n={sampling['n']}, attempts<={strategy['attempts']})"
    )


def _code_rows(runs: Sequence[Run], top: int = 20) -> tuple[list[str], list[list[str]]]:
    codes: dict[str, int] = {}
    for _, doc in runs:
        for code, count in doc.error_codes.items():
            codes[code] = codes.get(code, 0) + count
    ordered = sorted(codes, key=lambda c: -codes[c])[:top]
    header = ["error code", *(label for label, _ in runs)]
    return header, [[code, *(str(doc.error_codes.get(code, 0)) for _, doc in runs)] for code in ordered]


def _problem_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    tasks: list[str] = []
    for _, doc in runs:
        tasks += [t for t in doc.per_problem if t not in tasks]
    header = ["task", *(label for label, _ in runs)]
    rows = []
    for task in tasks:
        cells = [task]
        for _, doc in runs:
            item = doc.per_problem.get(task)
            if item is None:
                cells.append("-")
                continue
            statuses = ", ".join(f"{s} {n}" for s, n in item.statuses.items() if s != Status.PASSED.value)
            cells.append(f"{item.c}/{item.n}" + (f" ({statuses})" if statuses else ""))
        rows.append(cells)
    return header, rows


def _paired_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    """Each run against the first run of its benchmark, on their common problems: what it solves that
    the first does not (gained) and the reverse (lost), with the exact sign test on those."""
    from rustcoder.metrics.paired import paired

    header = ["run", "against", "problems", "solved", "gained", "lost", "sign test p"]
    first: dict[str, Run] = {}
    rows = []
    for label, doc in runs:
        if doc.benchmark not in first:
            first[doc.benchmark] = (label, doc)
            continue
        base_label, base = first[doc.benchmark]
        common = [t for t in base.per_problem if t in doc.per_problem]
        solved = {t for t in common if doc.per_problem[t].c > 0}
        result = paired({t for t in common if base.per_problem[t].c > 0}, solved, common)
        rows.append(
            [label, base_label, str(len(common)), f"{result.both + len(result.lost)} → {len(solved)}",
             str(len(result.gained)), str(len(result.lost)), f"{result.p_value:.3f}"]
        )  # fmt: skip
    return header, rows


def _generation_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    """Each generation figure per sample (and the time per problem), from the samples' own figures."""
    header = ["run", "figure", "total", "mean", "p50", "p95", "max"]
    rows = []
    for label, doc in runs:
        for name, stats in doc.generation.items():
            total = "-" if stats.total is None else str(stats.total)
            rows.append([label, name, total, *map(str, (stats.mean, stats.p50, stats.p95, stats.max))])
    return header, rows


def _start_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    """Wall time of each start of each run (run directories only: their run.json keeps the history)."""
    from rustcoder.metrics.starts import describe_start, starts

    header = ["run", "start", "started at (UTC)", "wall time", "samples generated"]
    rows = []
    for label, doc in runs:
        history = doc.run.starts if doc.run and doc.run.starts else []
        for number, start in enumerate(starts(history), start=1):
            generated = "-" if start.generated is None else str(start.generated)
            rows.append([label, str(number), start.started_at, describe_start(start), generated])
    return header, rows


def _fim_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    """One row per run and one per kind of gap (`kind` label) within it."""
    header = ["run", "kind", "samples", "exact match", "edit similarity", "parses", "compiles", "pass@1"]
    rows = []
    for label, doc in runs:
        if not doc.fim:
            continue
        kinds = [("all", doc.fim, doc.pass_at_k.get("1"))]
        if doc.fim_by_kind and len(doc.fim_by_kind) > 1:
            kinds += [(kind, scores, scores.get("passed")) for kind, scores in doc.fim_by_kind.items()]
        for kind, fim, passed in kinds:
            similarity = f"{fim['edit_similarity']:.3f}"
            rows.append(
                [label, kind, str(int(fim["samples"])), _pct(fim["exact_match"]), similarity,
                 _pct(fim["parses"]), _pct(fim.get("compiles")), _pct(passed)]
            )  # fmt: skip
    return header, rows


def _repair_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    header = ["run", "feedback rounds used", "samples", "of which passed"]
    rows = []
    for label, doc in runs:
        rounds = doc.repair_rounds
        if rounds:
            for used, count in rounds["distribution"].items():
                rows.append([label, used, str(count), str(rounds["passed"].get(used, 0))])
    return header, rows


def _defect_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    header = ["run", "task", "defect", "action"]
    rows = []
    for label, doc in runs:
        for note in doc.run.data.get("defects", []) if doc.run else []:
            action = note["action"] + (f": {note['detail']}" if note.get("detail") else "")
            rows.append([label, note["task_id"], note["summary"], action])
    return header, rows


def _note_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    return ["run", "note"], [
        [label, note] for label, doc in runs for note in (doc.run.data.get("notes", []) if doc.run else [])
    ]


def _settings_rows(runs: Sequence[Run]) -> tuple[list[str], list[list[str]]]:
    header = ["run", "data", "toolchain and sandbox", "execution", "machine"]
    rows = []
    for label, doc in runs:
        run = doc.run
        if run is None:
            continue
        data = f"{run.data['origin']} (sha256 {run.data['sha256'][:12]})"
        env = ", ".join(f"{k}: {v}" for k, v in run.environment.items() if k != "crates")
        limits = run.config["limits"]
        execution = (
            f"jobs {run.config['jobs']}, batch {run.config['batch_size']}, "
            f"timeout {limits['wall_seconds']} s, memory {limits['memory_bytes'] >> 20} MiB; "
            f"wall {run.execution_wall_seconds} s for {run.executed} samples"
        )
        machine = f"{run.machine['platform']}, {run.machine['cpus']} CPUs; rustcoder {run.rustcoder}"
        rows.append([label, data, env, execution, machine])
    return header, rows


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


Table = tuple[list[str], list[list[str]]]
Section = tuple[str, str, str | None, Table | None]
"""(title, figure file stem, figure SVG or None, table or None)."""


def _sections(runs: Sequence[Run]) -> list[Section]:
    """The report's sections in order; empty ones are left out."""
    sections: list[Section] = [
        ("Summary", "", None, _summary_rows(runs)),
        ("Paired against the first run (problems with a passing sample)", "", None, _paired_rows(runs)),
        ("Why samples failed", "status", plots.status_plot(runs), None),
        (
            "rustc error codes (samples with each code)",
            "error-codes",
            plots.error_code_plot(runs),
            _code_rows(runs),
        ),
        ("Attempts until the output was well-formed", "attempts", plots.attempts_plot(runs), None),
        ("pass@1 against latency", "latency", plots.latency_plot(runs), _generation_rows(runs)),
        ("Wall time of each start (a resumed run has several)", "", None, _start_rows(runs)),
        ("Fill-in-the-middle scores", "", None, _fim_rows(runs)),
        ("Repair rounds", "", None, _repair_rows(runs)),
        ("Known data defects", "", None, _defect_rows(runs)),
        ("Notes on the problems", "", None, _note_rows(runs)),
        ("Settings that produced these results", "", None, _settings_rows(runs)),
        ("Per-problem results (correct/samples)", "", None, _problem_rows(runs)),
    ]
    return [s for s in sections if s[2] is not None or (s[3] is not None and s[3][1])]


def write_report(runs: Sequence[Run], out_dir: Path) -> tuple[Path, Path]:
    """Write report.md (figures as SVG files beside it) and a self-contained report.html."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sections = _sections(runs)
    version = source_version()
    md = [f"# rustcoder report\n\n{len(runs)} run(s); rustcoder {version}.\n"]
    body = [f"<h1>rustcoder report</h1><p>{len(runs)} run(s); rustcoder {html.escape(version)}.</p>"]
    for title, stem, figure, table in sections:
        md.append(f"## {title}\n")
        body.append(f"<h2>{html.escape(title)}</h2>")
        if figure is not None:
            name = f"{stem}.svg"
            (out_dir / name).write_text(figure, encoding="utf-8")
            md.append(f"![{title}]({name})\n")
            body.append(f'<div class="figure">{figure}</div>')
        if table is not None and table[1]:
            md.append(_md_table(*table) + "\n")
            rendered = _html_table(*table)
            body.append(
                f"<details><summary>{len(table[1])} rows</summary>{rendered}</details>"
                if len(table[1]) > 30
                else rendered
            )
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    md_path.write_text("\n".join(md), encoding="utf-8")
    html_path.write_text(_page("\n".join(body)), encoding="utf-8")
    return md_path, html_path


def _page(body: str) -> str:
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0;font-size:0.85em}"
        "td,th{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}"
        "th{background:#f3f3f3}.figure svg{max-width:100%;height:auto}"
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>rustcoder report</title>'
        f"<style>{style}</style></head><body>{body}</body></html>\n"
    )

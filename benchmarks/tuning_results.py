"""The tuning table of docs/results: each run made with an adapter beside its base run (the same
benchmark, model, strategy, backend and sampling, without an adapter), on the problems both ran (an
adapter trained on part of a benchmark is evaluated without those problems): pass@1 before and after,
the problems gained and lost, the exact sign test on them, and for fill-in-the-middle runs exact match,
edit similarity, the shares that parse and (judged tasks) compile, and the share the model ended with its
own end token (it stopped where it judged the span to end: benchmarks/finish_reasons.py), before and after.

Used by make_results.py; on its own: .venv/bin/python benchmarks/tuning_results.py [--runs runs]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finish_reasons import finish_shares
from rustcoder.evaluation.results import read_results
from rustcoder.metrics.paired import paired
from rustcoder.metrics.summary import Summary, summarize

Runs = list[tuple[str, dict[str, Any], Summary]]


@dataclass(frozen=True, slots=True)
class Pair:
    base: str
    tuned: str
    adapter: str
    """The recipe: the adapter's training folder's name."""
    benchmark: str
    problems: int
    base_pass: float
    tuned_pass: float
    gained: int
    lost: int
    p_value: float
    tested: bool
    """Whether the runs were judged by tests (the mined split is scored by text only)."""
    fim: tuple[dict[str, float], dict[str, float]] | None
    """(base, tuned) FIM text scores, for runs that have them."""
    stops: tuple[float, float] | None = None
    """(base, tuned) share of FIM answers the model ended with its end token (from the runs' samples)."""
    held: bool = False
    """Whether both runs held FIM answers open while a bracket they opened was open (--fim-hold)."""
    adapter_sha256: str | None = None
    """The adapter file's hash as the tuned run recorded it (runs of one recipe may differ in it)."""


SAMPLING_BEFORE = {"loop_span": 0}
"""Sampling settings added since the first published runs, as those runs were made (no loop guard)."""


def _adapter_record(info: dict[str, Any]) -> Any:
    backend = info.get("backend") or {}
    return backend.get("lora") or backend.get("adapter")


def adapter_of(info: dict[str, Any]) -> str | None:
    """The adapter a run used (llama.cpp's `lora`, a record of its GGUF file; transformers' `adapter`),
    else None."""
    found = _adapter_record(info)
    if isinstance(found, dict):  # llama.cpp records the GGUF's `file`, transformers the folder's `path`
        found = found.get("file") or found.get("path")
    return str(found) if found else None


def adapter_hash(info: dict[str, Any]) -> str | None:
    """The sha256 the run recorded of its adapter (None where it recorded none)."""
    found = _adapter_record(info)
    return str(found["sha256"]) if isinstance(found, dict) and found.get("sha256") else None


def _held(info: dict[str, Any]) -> bool:
    """Whether a FIM run held its answers open (--fim-hold)."""
    return bool((info["strategy"].get("template") or {}).get("holds_multi_line"))


def _setting(info: dict[str, Any], summary: Summary) -> str:
    """What must match between a tuned run and its base: all but the adapter."""
    strategy = info["strategy"]
    same = (
        summary.benchmark, info["model"]["name"], strategy["name"], strategy.get("attempts"), _held(info),
        info["backend"].get("backend"), {**SAMPLING_BEFORE, **(info.get("sampling") or {})},
    )  # fmt: skip
    return json.dumps(same, sort_keys=True, default=str)


def _recipe(adapter: str) -> str:
    """The training folder's name: runs/tune/NAME/adapter[/adapter.gguf] → NAME."""
    path = Path(adapter)
    while path.name in ("adapter", "adapter.gguf") and path.parent != path:
        path = path.parent
    return path.name


def _pass(summary: Summary, problems: list[str]) -> float:
    rates = [summary.per_problem[t].c / max(1, summary.per_problem[t].n) for t in problems]
    return sum(rates) / len(rates) if rates else 0.0


def _fim_on(
    folder: Path | None, names: tuple[str, str], summaries: tuple[Summary, Summary], common: list[str]
) -> tuple[dict[str, float], dict[str, float]] | None:
    """(base, tuned) FIM text scores on the tasks both runs made: the summaries' own where each run made
    just those, else recomputed from the runs' result records (None without their folder)."""
    if not all(s.fim for s in summaries):
        return None
    if all(len(s.per_problem) == len(common) for s in summaries):
        return summaries[0].fim, summaries[1].fim  # type: ignore[return-value]
    if folder is None:
        return None
    tasks = set(common)
    scores = []
    for name in names:
        records = read_results(folder / name / "results.jsonl").values()
        scores.append(summarize([r for r in records if r.task_id in tasks], ks=[1]).fim)
    return (scores[0], scores[1]) if scores[0] and scores[1] else None


def _stops(folder: Path | None, base: str, tuned: str, common: list[str]) -> tuple[float, float] | None:
    if folder is None or not all((folder / name / "samples.jsonl").exists() for name in (base, tuned)):
        return None
    tasks = set(common)
    return finish_shares(folder / base, tasks)[1]["eos"], finish_shares(folder / tuned, tasks)[1]["eos"]


def pairs(runs: Runs, folder: Path | None = None) -> list[Pair]:
    """Every run with an adapter that has a base run, in the order of the runs; `folder`: where the
    runs' folders are (for FIM runs' finish reasons)."""
    bases = {_setting(info, s): (name, s) for name, info, s in runs if adapter_of(info) is None}
    found = []
    for name, info, summary in runs:
        adapter = adapter_of(info)
        if adapter is None or (base := bases.get(_setting(info, summary))) is None:
            continue
        base_name, base_summary = base
        common = [t for t in base_summary.per_problem if t in summary.per_problem]
        result = paired(
            {t for t in common if base_summary.per_problem[t].c > 0},
            {t for t in common if summary.per_problem[t].c > 0},
            common,
        )
        fim = _fim_on(folder, (base_name, name), (base_summary, summary), common)
        found.append(
            Pair(
                base=base_name,
                tuned=name,
                adapter=_recipe(adapter),
                benchmark=Path(summary.benchmark).name.removesuffix(".jsonl"),
                problems=len(common),
                base_pass=_pass(base_summary, common),
                tuned_pass=_pass(summary, common),
                gained=len(result.gained),
                lost=len(result.lost),
                p_value=result.p_value,
                tested="1" in summary.pass_at_k,
                fim=fim,
                stops=_stops(folder, base_name, name, common) if fim else None,
                held=_held(info),
                adapter_sha256=adapter_hash(info),
            )
        )
    return found


def adapter_notes(found: list[Pair]) -> list[str]:
    """Markdown notes for the recipes whose runs used more than one adapter file (different hashes:
    trained again, or converted again), each hash with its runs; nothing where each recipe's runs
    share one."""
    used: dict[str, dict[str, list[str]]] = {}
    for pair in found:
        files = used.setdefault(pair.adapter, {})
        files.setdefault(pair.adapter_sha256 or "unrecorded", []).append(pair.tuned)
    notes = []
    for recipe, files in sorted(used.items()):
        if len(files) > 1:
            parts = "; ".join(f"adapter `{sha[:8]}`: {', '.join(runs)}" for sha, runs in files.items())
            notes.append(f"- `{recipe}`: its runs used {len(files)} different adapters ({parts}).")
    return notes


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def table(found: list[Pair], runs: str = "runs") -> list[str]:
    """Markdown: one row per tuned run against its base, each linking the runs' reports under `runs`
    (relative to the page the table goes in)."""
    if not found:
        return ["No tuned run has finished yet (`benchmarks/run_tuning.sh`)."]
    lines = [
        "| recipe | benchmark | problems | pass@1 % before → after | gained / lost | sign test p | "
        "FIM exact % before → after | edit similarity | parses % | compiles % | ends itself % | runs |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for pair in found:
        exact = similarity = parses = compiles = stops = "-"
        if pair.fim is not None:
            before, after = pair.fim
            exact = f"{_pct(before.get('exact_match'))} → {_pct(after.get('exact_match'))}"
            similarity = f"{before['edit_similarity']:.3f} → {after['edit_similarity']:.3f}"
            parses = f"{_pct(before.get('parses'))} → {_pct(after.get('parses'))}"
            if "compiles" in before and "compiles" in after:  # the mined split is never compiled
                compiles = f"{_pct(before['compiles'])} → {_pct(after['compiles'])}"
        if pair.stops is not None:
            stops = f"{_pct(pair.stops[0])} → {_pct(pair.stops[1])}"
        tested = pair.tested
        lines.append(
            f"| {pair.adapter} | {pair.benchmark}{' (--fim-hold)' if pair.held else ''} | {pair.problems} | "
            f"{f'{_pct(pair.base_pass)} → **{_pct(pair.tuned_pass)}**' if tested else '-'} | "
            f"{f'{pair.gained} / {pair.lost}' if tested else '-'} | "
            f"{f'{pair.p_value:.3f}' if tested else '-'} | {exact} | {similarity} | {parses} | {compiles} | "
            f"{stops} | "
            f"[{pair.base}]({runs}/{pair.base}/report/report.md), "
            f"[{pair.tuned}]({runs}/{pair.tuned}/report/report.md) |"
        )
    return lines


def main() -> None:
    from make_results import finished

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=Path, default=Path("runs"))
    args = parser.parse_args()
    print("\n".join(table(pairs(finished(args.runs), args.runs))))


if __name__ == "__main__":
    main()

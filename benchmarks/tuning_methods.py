"""Prompt tuning, LoRA and self-training side by side, as in the seed study's table: one row per CPU
recipe, from its published training record (`docs/results/tune/NAME/`: the adapter's
rustcoder-tune.json and model card, the trainer's log.csv, each self-training round's round.json) and
its runs paired with the base model's (tuning_results.pairs).

Used by make_results.py, which publishes the records from runs/tune/ (the adapters' weights stay
there); on its own: .venv/bin/python benchmarks/tuning_methods.py [--runs docs/results/runs]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import shutil
import statistics
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import tuning_results
from tuning_results import Pair

RECORD = "rustcoder-tune.json"
METHODS = {"prompt": "prompt tuning", "lora": "LoRA", "self": "self-training (LoRA)"}


def publish_all(tune: Path, out: Path, replace: Collection[str] = ()) -> None:
    """Publish every finished training folder under `tune` (runs/tune) to `out` (docs/results/tune).

    A record already published is kept unless its recipe is named in `replace`: it is the record of the
    training its published runs used, and a recipe trained again (to check that it reproduces, or for
    runs a fresh machine lacked the adapter for) replaces it only when its runs are made again too.
    """
    for source in sorted(tune.glob(f"*/adapter/{RECORD}")):
        folder = source.parent.parent
        published = out / folder.name / RECORD
        if published.exists() and folder.name not in replace:
            if published.read_bytes() != source.read_bytes():
                print(
                    f"kept the published record of {folder.name}: {folder} was trained again "
                    f"(--republish {folder.name} if its published runs were made again with it)"
                )
            continue
        if (out / folder.name).resolve() != folder.resolve():
            shutil.rmtree(out / folder.name, ignore_errors=True)
            publish(folder, out / folder.name)


def publish(source: Path, target: Path) -> None:
    """Copy a training folder's record, card and logs (not its weights or checkpoints) to `target`."""
    files = {
        source / "adapter" / RECORD: target / RECORD,
        source / "adapter" / "README.md": target / "README.md",
        source / "log.csv": target / "log.csv",
    }
    for round_folder in sorted(source.glob("round-*")):
        for name in ("round.json", "log.csv"):
            files[round_folder / name] = target / round_folder.name / name
    for origin, copy in files.items():
        if origin.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, copy)


CARD_RESULTS = "\n## Evaluations published in docs/results\n"


def card_results(out: Path, found: list[Pair]) -> None:
    """Write each published recipe's evaluations (its runs paired with the base's) into its card, in
    place of those written before: the card then says what the adapter scored, not only how it was
    made."""
    for card in sorted(out.glob("*/README.md")):
        mine = [p for p in found if p.adapter == card.parent.name]
        text = card.read_text(encoding="utf-8").split(CARD_RESULTS)[0].rstrip("\n") + "\n"
        if mine:
            rows = tuning_results.table(mine, runs="../../runs")  # the card is in docs/results/tune/NAME
            notes = tuning_results.adapter_notes(mine)
            text += CARD_RESULTS + "\n" + "\n".join(rows) + "\n" + "".join(f"\n{n}" for n in notes)
            text += "\n" if notes else ""
        card.write_text(text, encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Recipe:
    name: str
    method: str
    trainable: int
    examples: int
    tokens: int
    epochs: float
    steps: int
    step_seconds: float
    """The median optimizer step (the first of each process left out: it warms up)."""
    other_seconds: float | None
    """Self-training's judging and sampling, where its rounds recorded them."""
    training_seconds: float = 0.0
    """Each timed step as long as it took, but at most twice as long as its tokens take at the median
    step's tokens/s (a longer one was paused: SIGSTOP for a benchmark), and each process's untimed
    first step at that rate."""

    @property
    def minutes(self) -> float:
        """Training, plus what else the recipe ran: a figure that pauses of the job (a killed run,
        SIGSTOP) do not inflate, and that holds where steps differ by design (examples grouped by
        length: short steps and long ones, which a median step would not weigh)."""
        training = self.training_seconds or self.steps * self.step_seconds
        return (training + (self.other_seconds or 0.0)) / 60


def _steps(logs: list[Path]) -> tuple[int, list[tuple[float, int]], int]:
    """(optimizer steps, the seconds and tokens of each step timed within one process after its
    first, tokens trained on in all)."""
    steps: int = 0
    timed: list[tuple[float, int]] = []
    seen = 0
    for path in logs:
        with path.open(newline="", encoding="utf-8") as handle:  # a step's last row: a log written
            # before rustcoder dropped a killed run's rows on resuming holds those steps twice
            last = {int(row["step"]): row for row in csv.DictReader(handle) if row["loss"]}
        rows = [last[step] for step in sorted(last)]  # rows with a loss: one a step; eval rows apart
        steps += len(rows)
        seen += int(rows[-1]["tokens"]) if rows else 0  # counted on across a resume
        for before, after in itertools.pairwise(rows):
            gap = float(after["seconds"]) - float(before["seconds"])
            if int(after["step"]) == int(before["step"]) + 1 and gap > 0:  # not across a resume
                timed.append((gap, int(after["tokens"]) - int(before["tokens"])))
    return steps, timed, seen


def _training_seconds(timed: list[tuple[float, int]], seen: int) -> float:
    rate = statistics.median(tokens / gap for gap, tokens in timed) if timed else 0.0
    if rate <= 0:
        return 0.0
    untimed = seen - sum(tokens for _, tokens in timed)
    return sum(min(gap, 2 * tokens / rate) for gap, tokens in timed) + max(0, untimed) / rate


def read(folder: Path) -> Recipe | None:
    """A published recipe's figures, or None where its record is missing."""
    if not (folder / RECORD).exists():
        return None
    record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    logs = sorted(folder.glob("round-*/log.csv")) or [folder / "log.csv"]
    steps, timed, seen = _steps([p for p in logs if p.exists()])
    durations = [gap for gap, _ in timed]
    rounds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("round-*/round.json"))]
    other = [sum(r["seconds"].values()) for r in rounds if "seconds" in r]
    return Recipe(
        name=folder.name,
        method=record["method"],
        trainable=int(record["trainable_parameters"]),
        examples=int(record["data"]["train_examples"]),
        tokens=int(record["data"]["train_tokens"]),
        epochs=float(record["metrics"].get("epoch", 0.0)),
        steps=steps,
        step_seconds=statistics.median(durations) if durations else 0.0,
        other_seconds=sum(other) if rounds and len(other) == len(rounds) else None,
        training_seconds=_training_seconds(timed, seen),
    )


def _pass(pair: Pair | None) -> str:
    if pair is None:
        return "·"
    return (
        f"{100 * pair.base_pass:.1f} → **{100 * pair.tuned_pass:.1f}** "
        f"({pair.gained} / {pair.lost}, p {pair.p_value:.2f}; {pair.problems}{', held' if pair.held else ''})"
    )


def _similarity(pair: Pair | None) -> str:
    if pair is None or pair.fim is None:
        return "·"
    before, after = pair.fim
    return f"{before['edit_similarity']:.3f} → **{after['edit_similarity']:.3f}**"


def table(recipes: list[Recipe], found: list[Pair]) -> list[str]:
    """Markdown: one row per recipe; `·` where its run has not finished."""
    if not recipes:
        return ["No training record published yet (`benchmarks/run_tuning.sh`, then make_results.py)."]

    def pair(recipe: str, benchmark: str) -> Pair | None:  # without --fim-hold where it ran both ways
        mine = [p for p in found if p.adapter == recipe and p.benchmark == benchmark]
        return min(mine, key=lambda p: p.held, default=None)

    lines = [
        "| method | recipe | trainable parameters | trained on: examples (tokens) × epochs | steps × "
        "median s | minutes | HumanEvalPack-Rust pass@1 % (gained / lost, sign p; problems) | "
        "MultiPL-E HumanEval-rs pass@1 % | infill-block pass@1 % | mined FIM edit similarity |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(recipes, key=lambda r: (list(METHODS).index(r.method), r.name)):
        other = f" + {r.other_seconds / 60:.0f} min sampling and judging" if r.other_seconds else ""
        lines.append(
            f"| {METHODS.get(r.method, r.method)} | [{r.name}](tune/{r.name}/README.md) | {r.trainable:,} | "
            f"{r.examples:,} ({r.tokens:,}) × {r.epochs:g} | {r.steps} × {r.step_seconds:.1f}{other} | "
            f"{r.minutes:.0f} | {_pass(pair(r.name, 'humanevalpack-rust'))} | "
            f"{_pass(pair(r.name, 'multiple-humaneval-rs'))} | "
            f"{_pass(pair(r.name, 'humanevalpack-rust-infill-block'))} | "
            f"{_similarity(pair(r.name, 'test-bench'))} |"
        )
    return lines


def recipes(folder: Path) -> list[Recipe]:
    """Every recipe published under `folder` (docs/results/tune)."""
    found = [read(p) for p in sorted(folder.iterdir()) if p.is_dir()] if folder.is_dir() else []
    return [r for r in found if r is not None]


def main() -> None:
    from make_results import finished
    from tuning_results import pairs

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=Path, default=Path("docs/results/runs"))
    args = parser.parse_args()
    found = pairs(finished(args.runs), args.runs)
    print("\n".join(table(recipes(args.runs.parent / "tune"), found)))


if __name__ == "__main__":
    main()

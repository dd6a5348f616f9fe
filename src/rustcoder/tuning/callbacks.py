"""What a training run reports as it goes: a CSV of every logged step, a progress bar with loss, tokens/s
and ETA, and optionally each checkpoint's score on a benchmark subset."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transformers import TrainerCallback

if TYPE_CHECKING:
    from rustcoder.tuning.config import TuneConfig

FIELDS = ("step", "epoch", "loss", "eval_loss", "learning_rate", "tokens", "tokens_per_second", "seconds")
SCORE_FIELDS = ("step", "benchmark", "problems", "pass@1", "run")


def _tokens(state: Any) -> int:
    return int(getattr(state, "num_input_tokens_seen", 0) or 0)


class _Throughput(TrainerCallback):
    """Tokens trained on since this process began training (a resumed run counts from its resume)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.tokens_at_start = 0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        self.started = time.perf_counter()
        self.tokens_at_start = _tokens(state)

    def since_start(self, state: Any) -> tuple[int, float, float]:
        """(tokens seen in all, seconds since training began, tokens per second since then)."""
        tokens, seconds = _tokens(state), time.perf_counter() - self.started
        return tokens, seconds, (tokens - self.tokens_at_start) / seconds if seconds > 0 else 0.0


class CsvLog(_Throughput):
    """Appends one row per log event to `path`, kept across a resume: the header is written once, and
    the rows a killed run logged after the checkpoint it resumes from (all its rows when it starts again
    from nothing) are dropped, since those steps are trained again."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        super().on_train_begin(args, state, control, **kw)
        if state.is_world_process_zero and self.path.exists():
            keep_rows_until(self.path, state.global_step)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kw: Any
    ) -> None:
        if not state.is_world_process_zero or not logs:
            return
        tokens, seconds, rate = self.since_start(state)
        row = {
            "step": state.global_step,
            "epoch": round(state.epoch or 0.0, 4),
            "loss": logs.get("loss", ""),
            "eval_loss": logs.get("eval_loss", ""),
            "learning_rate": logs.get("learning_rate", ""),
            "tokens": tokens,
            "tokens_per_second": round(rate, 1),
            "seconds": round(seconds, 1),
        }
        append_row(self.path, FIELDS, row)


def append_row(path: Path, fields: Sequence[str], row: dict[str, Any]) -> None:
    """Append `row` to the CSV `path`, writing its header first when the file is new."""
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        if new:
            writer.writeheader()
        writer.writerow(row)


def keep_rows_until(path: Path, step: int, fields: Sequence[str] = FIELDS) -> None:
    """Rewrite the log `path` without its rows of steps after `step`."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if int(row["step"]) <= step]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


class CheckpointScores(TrainerCallback):
    """Scores each checkpoint on the recipe's benchmark subset as training saves it, through rustcoder's
    harness (`evaluate_adapter`, a backend of its own: the model in training is not touched), one row a
    checkpoint in `path`, whose rows after a resumed checkpoint are dropped as CsvLog's. Process zero
    scores; under DDP the other processes wait for it at their next synchronisation."""

    def __init__(self, config: TuneConfig, split: dict[str, Any] | None, path: Path) -> None:
        self.config = config
        self.split = split
        """The run's `train_split` record, written beside each checkpoint so that its evaluation
        leaves out the problems trained on."""
        self.path = path

    def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        if state.is_world_process_zero and self.path.exists():
            keep_rows_until(self.path, state.global_step, SCORE_FIELDS)

    def on_save(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        if not state.is_world_process_zero:
            return
        from rustcoder.tuning.evaluate import eval_folder, evaluate_adapter
        from rustcoder.tuning.record import RECORD_FILE

        step = state.global_step
        checkpoint = Path(args.output_dir) / f"checkpoint-{step}"
        (checkpoint / RECORD_FILE).write_text(json.dumps({"train_split": self.split}), encoding="utf-8")
        scored = evaluate_adapter(self.config, checkpoint, eval_folder(self.config) / f"step-{step}")
        append_row(self.path, SCORE_FIELDS, {"step": step, **{k: scored[k] for k in SCORE_FIELDS[1:]}})


def checkpoint_scores(path: Path) -> list[dict[str, Any]]:
    """The rows CheckpointScores wrote, typed."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {**row, "step": int(row["step"]), "problems": int(row["problems"]),
             "pass@1": float(row["pass@1"]) if row["pass@1"] else None}
            for row in csv.DictReader(handle)
        ]  # fmt: skip


class Progress(_Throughput):
    """A rich progress bar over optimizer steps, showing the last loss and tokens/s."""

    def __init__(self) -> None:
        super().__init__()
        self.bar: Any = None
        self.task: Any = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        super().on_train_begin(args, state, control, **kw)
        if not state.is_world_process_zero:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
            TimeRemainingColumn(),
        )  # fmt: skip
        self.bar.start()
        self.task = self.bar.add_task("train", total=state.max_steps, completed=state.global_step, status="")

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **kw: Any
    ) -> None:
        if self.bar is None or not logs:
            return
        _, seconds, rate = self.since_start(state)
        parts = []
        if "loss" in logs:
            parts.append(f"loss {logs['loss']:.3f}")
        if "eval_loss" in logs:
            parts.append(f"val {logs['eval_loss']:.3f}")
        if seconds > 0:
            parts.append(f"{rate:.0f} tok/s")
        self.bar.update(self.task, completed=state.global_step, status="  ".join(parts))

    def on_train_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=state.global_step)
            self.bar.stop()
            self.bar = None

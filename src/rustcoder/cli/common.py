"""Options, error handling and output shared by the commands."""

import functools
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from rustcoder.errors import RustcoderError

if TYPE_CHECKING:
    from rustcoder.metrics.summary import Summary

P = ParamSpec("P")
R = TypeVar("R")

stderr = Console(stderr=True)
stdout = Console(soft_wrap=True)
"""soft_wrap: a long line (a path, a name) is never broken with a newline, piped or not."""

AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout instead of a table.")]
NoPatches = Annotated[
    bool, typer.Option("--no-patches", help="Report known data defects but do not patch them.")
]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")]
OutPath = Annotated[
    Path | None, typer.Option("--out", "-o", help="Results file (.jsonl); a summary is written beside it.")
]


def setup_logging(verbose: bool) -> None:
    from rich.logging import RichHandler

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=stderr, show_path=False, show_time=False)],
    )
    # rustcoder's own progress notes (downloads, one-time builds) are worth seeing without --verbose.
    logging.getLogger("rustcoder").setLevel(logging.DEBUG if verbose else logging.INFO)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """User errors become one line on stderr and exit code 2; Ctrl-C exits 130 (results so far are kept)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except RustcoderError as exc:
            stderr.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            stderr.print("interrupted; results written so far are kept (run again to resume)")
            raise typer.Exit(130) from None

    return wrapper


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar with ETA on stderr; yields the callback evaluation calls with (done, total)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def parse_ks(text: str) -> list[int]:
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise typer.BadParameter(f"expected comma-separated integers like 1,10,100, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise typer.BadParameter("every k must be a positive integer")
    return ks


def print_summary(summary: "Summary") -> None:
    """A short human-readable account of one run."""
    from rustcoder.cli.tables import Column, print_table

    rows: list[list[str]] = []
    for k, value in summary.pass_at_k.items():
        rows.append([f"pass@{k}", f"{100 * value:.2f} %"])
    if summary.pass_at_1_ci95:
        low, high = summary.pass_at_1_ci95
        rows.append(["pass@1 95 % CI", f"{100 * low:.1f} – {100 * high:.1f} %"])
    for status, count in summary.status_counts.items():
        if count:
            rows.append([status, str(count)])
    if summary.fim:
        rows.append(["FIM exact match", f"{100 * summary.fim['exact_match']:.1f} %"])
        rows.append(["FIM edit similarity", f"{summary.fim['edit_similarity']:.3f}"])
        compiles = summary.fim.get("compiles")
        rows.append(
            [
                "FIM parses / compiles",
                f"{100 * summary.fim['parses']:.1f} % / "
                + ("not compiled (text-scored)" if compiles is None else f"{100 * compiles:.1f} %"),
            ]
        )
        kinds = summary.fim_by_kind or {}
        for kind, scores in kinds.items() if len(kinds) > 1 else ():
            rows.append(
                [
                    f"FIM {kind}",
                    f"{int(scores['samples'])} samples, exact {100 * scores['exact_match']:.1f} %, "
                    f"edit similarity {scores['edit_similarity']:.3f}, parses {100 * scores['parses']:.1f} %"
                    + (f", passed {100 * scores['passed']:.1f} %" if "passed" in scores else ""),
                ]
            )
    codes = list(summary.error_codes.items())[:8]
    if codes:
        rows.append(["top error codes", ", ".join(f"{c} ×{n}" for c, n in codes)])
    run = summary.run
    if run is not None:
        rows.append(
            ["executed / resumed", f"{run.executed} / {run.resumed_from} in {run.execution_wall_seconds} s"]
        )
    title = f"{summary.benchmark}: {summary.samples} samples, {summary.problems} problems"
    columns = [Column("metric"), Column("value", keep=True)]
    print_table(stdout, columns, [[escape(cell) for cell in row] for row in rows], title=title)
    if run is None:
        return
    if run.results:
        stdout.print(f"results: {run.results}", highlight=False)
    defects = [d for d in run.data["defects"] if d["action"] != "absent"]
    if defects:
        stdout.print(
            f"known data defects: {len(defects)} "
            f"({', '.join(d['task_id'] + ' ' + d['action'] for d in defects)}); see the report for details",
            highlight=False,
        )

"""`rustcoder select RUN --method compile|examples`: one answer per problem from a run's N samples,
chosen without the hidden tests, then scored: pass@1 of the chosen answers beside the raw pass@k."""

import json
from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import (
    AsJson,
    Verbose,
    handle_errors,
    print_json,
    print_summary,
    setup_logging,
    stderr,
)
from rustcoder.cli.modelopts import EXECUTION
from rustcoder.cli.options import with_settings
from rustcoder.selection import Method
from rustcoder.settings import Execution


@handle_errors
@with_settings(EXECUTION)
def select_command(
    run: Annotated[Path, typer.Argument(help="A run folder (`rustcoder run -n N --out RUN`).")],
    *,
    execution: Execution,
    method: Annotated[Method, typer.Option("--method", help="compile or examples.")] = Method.COMPILE,
    out: Annotated[Path | None, typer.Option(help="Where to write (default RUN/select-METHOD).")] = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Choose one of each problem's samples with public checks only (never the hidden tests), record every
    candidate's check and why the chosen one won, and score the chosen answers."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.errors import DataError
    from rustcoder.evaluation.run import evaluate
    from rustcoder.evaluation.samples import SampleSet, load_samples
    from rustcoder.jsonl import JsonlAppender
    from rustcoder.selection import sample_row, select

    setup_logging(verbose)
    try:
        info = json.loads((run / "run.json").read_text(encoding="utf-8"))
        bench = info["benchmark"]["name"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{run}: not a run folder with a readable run.json ({exc})") from None
    benchmark = load_benchmark(bench)
    candidates = load_samples(run / "samples.jsonl", {p.task_id for p in benchmark.problems})
    out = out or run / f"select-{method.value}"
    out.mkdir(parents=True, exist_ok=True)
    choices, chosen = select(benchmark.problems, candidates.samples, method, execution.config())
    for path, rows in ((out / "selection.jsonl", [c.to_json() for c in choices]),
                       (out / "samples.jsonl", [sample_row(s) for s in chosen])):  # fmt: skip
        path.unlink(missing_ok=True)
        with JsonlAppender(path) as lines:
            for row in rows:
                lines.write(row)
    summary = evaluate(benchmark, SampleSet(chosen, []), out / "results.jsonl", overwrite=True)
    raw = run / "results.summary.json"
    if raw.is_file():
        stderr.print(f"raw samples: pass@k {json.loads(raw.read_text())['pass_at_k']}", highlight=False)
    if as_json:
        print_json(summary.to_json())
    else:
        print_summary(summary)


def register(app: typer.Typer) -> None:
    app.command("select")(select_command)

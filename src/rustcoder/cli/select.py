"""`rustcoder select RUN --method compile|examples|self-tests|agreement`: one answer per problem from a
run's N samples, chosen without the hidden tests, then scored: pass@1 of the chosen answers beside the
raw pass@k."""

import json
from pathlib import Path
from typing import Annotated

import typer

from rustcoder.backends.factory import BackendOptions
from rustcoder.cli.common import (
    AsJson,
    Verbose,
    handle_errors,
    print_json,
    print_summary,
    setup_logging,
    stderr,
)
from rustcoder.cli.modelopts import BACKEND, EXECUTION
from rustcoder.cli.options import with_settings
from rustcoder.selection import Method
from rustcoder.settings import Execution


@handle_errors
@with_settings(BACKEND, EXECUTION)
def select_command(
    run: Annotated[Path, typer.Argument(help="A run folder (`rustcoder run -n N --out RUN`).")],
    *,
    backend: BackendOptions,
    execution: Execution,
    method: Annotated[
        Method, typer.Option("--method", help="compile, examples, self-tests or agreement.")
    ] = Method.COMPILE,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="The model that writes tests (self-tests, agreement) and repairs (default: the run's).",
        ),
    ] = None,
    repair_rounds: Annotated[
        int,
        typer.Option(
            "--repair-rounds",
            min=0,
            help="Then give each chosen answer that fails its public checks up to N rounds of rustc's "
            "diagnostics / the failing example (the repair strategy's feedback); 0: none.",
        ),
    ] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Where to write (default RUN/select-METHOD[-repair]).")
    ] = None,
    as_json: AsJson = False,
    verbose: Verbose = False,
) -> None:
    """Choose one of each problem's samples with public checks only (never the hidden tests), record every
    candidate's check and why the chosen one won, and score the chosen answers."""
    from rustcoder.selection.run import select_run

    setup_logging(verbose)
    engine = None
    if method.writes_tests or repair_rounds:
        from rustcoder.backends.factory import create_backend

        name = model or _run_model(run)
        kind, settings = backend.resolve(name)
        engine = create_backend(kind, name, settings)
    summary = select_run(run, method, execution.config(), out, backend=engine, repair_rounds=repair_rounds)
    raw = run / "results.summary.json"
    if raw.is_file():
        stderr.print(f"raw samples: pass@k {json.loads(raw.read_text())['pass_at_k']}", highlight=False)
    if as_json:
        print_json(summary.to_json())
    else:
        print_summary(summary)


def _run_model(run: Path) -> str:
    from rustcoder.errors import DataError
    from rustcoder.selection.run import recorded_name

    try:
        return recorded_name(run, "model")
    except DataError as exc:
        raise DataError(f"{exc}; give one with --model") from None


def register(app: typer.Typer) -> None:
    app.command("select")(select_command)

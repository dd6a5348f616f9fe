"""`rustcoder report RUN...`: Markdown and HTML with plots for one or more runs side by side."""

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import handle_errors, stdout


@handle_errors
def report_command(
    runs: Annotated[list[Path], typer.Argument(help="Run directories or results .jsonl files.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Report directory (default: RUN/report for one run; for several, FIRST/report-vs-OTHERS, "
            "so that a comparison never replaces the first run's own report).",
        ),
    ] = None,
) -> None:
    """Write report.md and a self-contained report.html comparing the runs."""
    from rustcoder.metrics.report import load_runs, write_report

    loaded = load_runs(runs)
    md, page = write_report(loaded, out or default_out(runs))
    stdout.print(f"wrote {md} and {page}", highlight=False)


def default_out(runs: list[Path]) -> Path:
    """RUN/report for one run; for several, a folder of the comparison's own beside the first's report."""
    first, *rest = [run if run.is_dir() else run.parent for run in runs]
    if not rest:
        return first / "report"
    others = "+".join(folder.name for folder in rest)
    name = f"report-vs-{others}"
    if len(name) > 200:  # file names stop at 255 bytes
        name = f"report-vs-{len(runs) - 1}-runs-{hashlib.sha256(others.encode()).hexdigest()[:12]}"
    return first / name


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)

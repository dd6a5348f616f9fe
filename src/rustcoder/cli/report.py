"""`rustcoder report RUN...`: Markdown and HTML with plots for one or more runs side by side."""

from pathlib import Path
from typing import Annotated

import typer

from rustcoder.cli.common import handle_errors, stdout


@handle_errors
def report_command(
    runs: Annotated[list[Path], typer.Argument(help="Run directories or results .jsonl files.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Report directory (default: RUN/report).")
    ] = None,
) -> None:
    """Write report.md and a self-contained report.html comparing the runs."""
    from rustcoder.metrics.report import load_runs, write_report

    loaded = load_runs(runs)
    first = runs[0] if runs[0].is_dir() else runs[0].parent
    md, page = write_report(loaded, out or first / "report")
    stdout.print(f"wrote {md} and {page}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)

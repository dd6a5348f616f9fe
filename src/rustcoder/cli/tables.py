"""Tables on stdout whose names, paths and figures are never cut.

On a terminal a rich table is drawn; the columns marked `keep` (names, paths, figures) are as wide as
their longest cell and only the other columns fold. When the kept columns alone do not fit, or when
stdout is not a terminal (piped, redirected, in CI), a plain layout is printed instead: one line per
row, columns separated by two spaces, no width limit, so that `rustcoder models | grep qwen` finds the
whole name a user passes to `--model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.text import Text

GAP = "  "


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    keep: bool = False
    """Never truncated or folded: names, paths, figures a user copies or greps."""
    justify: Literal["left", "right"] = "left"


def _plain(cell: str) -> str:
    """The cell's text without rich markup."""
    return Text.from_markup(cell).plain


def plain_lines(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[str]:
    """The plain layout: a header line, then one line per row; columns aligned, nothing cut."""
    table = [[c.header for c in columns], *([_plain(cell) for cell in row] for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = []
    for line in table:
        cells = [
            cell.rjust(width) if column.justify == "right" else cell.ljust(width)
            for cell, width, column in zip(line, widths, columns, strict=True)
        ]
        lines.append(GAP.join(cells).rstrip())
    return lines


def _width(columns: Sequence[Column], rows: Sequence[Sequence[str]], index: int) -> int:
    return max([len(columns[index].header), *(len(_plain(row[index])) for row in rows)])


def _fits(console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> bool:
    """Whether the kept columns, at full width, leave at least a few characters to each other column."""
    kept = sum(_width(columns, rows, i) + 3 for i, c in enumerate(columns) if c.keep)
    others = sum(8 for c in columns if not c.keep)
    return kept + others + 1 <= console.width


def print_table(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], *, title: str | None = None
) -> None:
    """Print `rows` (cells may hold rich markup) under `columns`, never cutting a kept column."""
    if not console.is_terminal or not _fits(console, columns, rows):
        if title:
            console.print(title, highlight=False, markup=False, soft_wrap=True)
        for line in plain_lines(columns, rows):
            console.print(line, highlight=False, markup=False, soft_wrap=True)
        return
    from rich.table import Table

    table = Table(title=Text(title) if title else None)
    for index, column in enumerate(columns):
        if column.keep:
            width = _width(columns, rows, index)
            table.add_column(column.header, justify=column.justify, no_wrap=True, min_width=width)
        else:
            table.add_column(column.header, justify=column.justify, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)

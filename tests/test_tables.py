"""Tables never cut a name, a path or a figure: on a narrow terminal, and piped into grep."""

import io
from pathlib import Path

import pytest
from rich.console import Console

from rustcoder.cli.tables import Column, plain_lines, print_table
from rustcoder.models.registry import BUILTIN
from tests.conftest import rustcoder_cli

LONG = "qwen2.5-coder-0.5b-instruct-with-a-much-longer-name"
COLUMNS = [Column("name", keep=True), Column("notes"), Column("size", keep=True, justify="right")]
ROWS = [[LONG, "a description that is long enough to need folding on a narrow screen", "491 MB"]]


def render(terminal: bool, width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=terminal, color_system=None, soft_wrap=True)
    print_table(console, COLUMNS, ROWS)
    return out.getvalue()


def test_plain_layout_aligns_columns_and_keeps_every_cell_whole():
    lines = plain_lines(COLUMNS, [*ROWS, ["short", "x", "98 MB"]])
    assert lines[0].split() == ["name", "notes", "size"]
    assert LONG in lines[1] and lines[1].endswith("491 MB") and lines[2].endswith(" 98 MB")
    assert lines[1].index("a description") == lines[0].index("notes") == lines[2].index("x ")


def test_a_narrow_terminal_folds_other_columns_but_not_kept_ones():
    text = render(terminal=True, width=72)
    assert "┃" in text or "│" in text  # a drawn table
    assert any(LONG in line for line in text.splitlines())
    assert "491 MB" in text and "…" not in text


def test_kept_columns_wider_than_the_terminal_fall_back_to_the_plain_layout():
    text = render(terminal=True, width=40)
    assert LONG in text.splitlines()[1] and "…" not in text


def test_not_a_terminal_prints_the_plain_layout():
    text = render(terminal=False, width=40)
    assert text.splitlines()[1].startswith(LONG) and "│" not in text


def narrow(**extra: str) -> dict[str, str]:
    return {"COLUMNS": "60", "TERM": "dumb", **extra}


def test_models_piped_into_grep_shows_every_full_name(tmp_path):
    proc = rustcoder_cli("models", env=narrow(RUSTCODER_CACHE=str(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    names = {line.split()[0] for line in proc.stdout.splitlines()[1:] if line.strip()}
    assert {spec.name for spec in BUILTIN} <= names
    assert "…" not in proc.stdout


@pytest.mark.network
def test_benchmarks_piped_shows_every_full_name():
    from rustcoder.benchmarks import all_specs

    proc = rustcoder_cli("benchmarks", env=narrow())
    assert proc.returncode == 0, proc.stderr
    names = {line.split()[0] for line in proc.stdout.splitlines()[1:] if line.strip()}
    assert set(all_specs()) <= names and "…" not in proc.stdout


@pytest.mark.rustc
@pytest.mark.sandbox
def test_run_summary_piped_keeps_the_results_path_and_figures_whole(fixtures, tmp_path):
    deep = Path(tmp_path, *["a-rather-long-directory-name"] * 4)
    deep.mkdir(parents=True)
    results = deep / "results.jsonl"
    proc = rustcoder_cli(
        "check", str(fixtures / "humanevalx_mini.jsonl"), "--out", str(results), env=narrow()
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"results: {results}" in lines
    assert any(line.startswith("pass@1 ") and "100.00 %" in line for line in lines)
    assert "humanevalx_mini.jsonl" in lines[0]

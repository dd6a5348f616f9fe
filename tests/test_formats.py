import json

import pytest

from rustcoder.benchmarks.formats import Format, detect_format, from_humaneval_x, load_problems
from rustcoder.benchmarks.text import split_python_prompt, split_rust_prompt
from rustcoder.errors import DataError
from rustcoder.types import Language, TestStyle

HEADER = "use std::collections::HashMap;\nuse rand::Rng;\n"


def test_humaneval_x_rows_become_problems(fixtures):
    fmt, problems = load_problems(fixtures / "humanevalx_mini.jsonl")
    assert fmt is Format.HUMANEVAL_X
    first = problems[0]
    assert first.task_id == "Mini/0"
    assert first.language is Language.RUST and first.test_style is TestStyle.LIBTEST
    assert first.header.startswith("use std::{slice::Iter")
    assert "use rand::Rng;" in first.header
    assert first.prompt.rstrip().endswith("fn sum_all(xs: Vec<i64>) -> i64{")
    assert "use " not in first.prompt
    assert first.signature == "sum_all(xs: Vec<i64>) -> i64"
    assert first.entry_point == "sum_all"
    assert first.docstring.startswith("Return the sum of all numbers in the vector.")
    assert first.instruction == (
        "Write a Rust function `sum_all(xs: Vec<i64>) -> i64` to solve the following problem:\n"
        + first.docstring
    )
    assert first.example_tests is None  # the string "None" means none


def test_humanevalpack_hub_row_with_main_stub_and_own_instruction():
    row = {
        "task_id": "Rust/7",
        "prompt": (
            "fn main(){}\n\nuse std::collections::HashMap;\n/*\n Do a thing.\n*/\nfn thing(x: i32) -> i32{\n"
        ),
        "declaration": "\nuse std::collections::HashMap;\n\nfn thing(x: i32) -> i32{\n",
        "canonical_solution": "\n    x\n}\n",
        "test": "#[cfg(test)]\nmod tests {}\n",
        "instruction": (
            "Write a Rust function `thing(x: i32) -> i32` to solve the following problem:\nDo a thing."
        ),
        "entry_point": "thing",
        "import": "use std::collections::HashMap;\n",
    }
    problem = from_humaneval_x(row)
    assert problem.prompt.count("fn thing") == 1
    assert "fn main" not in problem.prompt
    assert problem.header == "use std::collections::HashMap;\n"
    assert problem.instruction == row["instruction"]


def test_multipl_e_tests_close_the_function(fixtures):
    fmt, problems = load_problems(fixtures / "multiple_mini.jsonl")
    assert fmt is Format.MULTIPL_E
    add, count = problems
    assert add.completion_closer == "}"
    assert add.tests.lstrip().startswith("fn main()")
    assert add.test_style is TestStyle.MAIN
    assert add.canonical_solution is None
    assert count.header == "use std::collections::HashMap;\n"
    assert count.prompt.startswith("/// How many keys")
    assert "assert_eq!(add(1, 2), 3);" in (add.example_tests or "")  # the doc comment's example
    assert count.example_tests is None  # its doc comment shows none


def test_doc_comment_examples_are_rust_calls_of_the_entry_point_with_a_value():
    from rustcoder.benchmarks.examples import doc_examples, example_tests

    doc = "\n".join((
        "Examples:",
        ">>> add(1, 2)", "3",
        ">>> add(1, 2)", "3",  # the same example twice: once
        ">>> sum(1, 2)", "3",  # another function's name (MultiPL-E's HumanEval_133 calls `lst`)
        ">>> add(vec![1,", "2]) ", "3",  # not one expression
        ">>> add(2, 2)", ">>> add(3, 3)", "6",  # a value missing
        ">>> add(-1, 1)", "0 # and a note",  # not an expression
        ">>> add(String::from(\"a\"), 1)", "vec![String::from(\"b\")]",
    ))  # fmt: skip
    pairs = doc_examples(doc, "add")
    assert pairs == [
        ("add(1, 2)", "3"),
        ("add(3, 3)", "6"),
        ('add(String::from("a"), 1)', 'vec![String::from("b")]'),
    ]
    module = example_tests(pairs) or ""
    assert module.count("#[test]") == 3 and "assert_eq!(add(3, 3), 6);" in module
    assert example_tests([]) is None


def test_humaneval_layout_detects_language_from_tests(fixtures):
    python = load_problems(fixtures / "humaneval_python_mini.jsonl")[1]
    _, rust = load_problems(fixtures / "humaneval_rust_mini.jsonl")
    assert python[0].language is Language.PYTHON and python[0].header == "from typing import List\n"
    assert python[0].signature == "total(xs: List[int]) -> int"
    assert python[0].docstring.startswith("Sum of the list.")
    assert rust[0].language is Language.RUST and rust[0].signature == "larger(a: i32, b: i32) -> i32"


def test_unknown_format_names_missing_fields(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"task_id": "a", "prompt": "p"}) + "\n")
    with pytest.raises(DataError) as info:
        load_problems(path)
    message = str(info.value)
    assert "x.jsonl:1" in message
    assert "HumanEval-X/HumanEvalPack needs canonical_solution, declaration, test" in message
    assert "MultiPL-E needs name, tests" in message


def test_a_later_row_missing_fields_names_its_line(fixtures, tmp_path):
    rows = (fixtures / "humanevalx_mini.jsonl").read_text().splitlines()
    broken = json.loads(rows[1])
    del broken["test"]
    path = tmp_path / "x.jsonl"
    path.write_text(rows[0] + "\n" + json.dumps(broken) + "\n")
    with pytest.raises(DataError, match=r"x.jsonl:2: missing field\(s\) test"):
        load_problems(path)


def test_duplicate_task_ids_are_rejected(fixtures, tmp_path):
    row = (fixtures / "humanevalx_mini.jsonl").read_text().splitlines()[0]
    path = tmp_path / "x.jsonl"
    path.write_text(row + "\n" + row + "\n")
    with pytest.raises(DataError, match="already defined on line 1"):
        load_problems(path)


def test_non_rust_multipl_e_is_rejected(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"name": "a", "language": "py", "prompt": "def f():\n", "tests": ""}) + "\n")
    with pytest.raises(DataError, match="only Rust"):
        load_problems(path)


def test_prompt_without_signature_is_an_error(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(
        json.dumps({"name": "a", "language": "rs", "prompt": "/// nothing\n", "tests": "}"}) + "\n"
    )
    with pytest.raises(DataError, match="no Rust function signature"):
        load_problems(path)


def test_detect_format_prefers_the_richest_match():
    assert (
        detect_format({"task_id", "prompt", "declaration", "canonical_solution", "test", "entry_point"}, "x")
        is Format.HUMANEVAL_X
    )


def test_use_lines_inside_a_block_comment_stay_in_the_doc():
    parts = split_rust_prompt("/*\nuse the force.\n*/\nuse std::fmt;\nfn f() -> i32{\n")
    assert "use the force." in parts.docstring
    assert parts.header == "use std::fmt;\n"


def test_pub_fn_signature_and_line_comments():
    parts = split_rust_prompt("/// Doc line one\n/// two\npub fn g(a: u8) -> u8 {\n")
    assert parts.signature == "g(a: u8) -> u8"
    assert parts.entry_point == "g"
    assert parts.docstring == "Doc line one\ntwo"


def test_python_prompt_with_helper_before_entry_point():
    prompt = (
        'import math\n\n\ndef helper(x):\n    return x\n\n\ndef main_fn(y: int) -> int:\n    """Doc."""\n'
    )
    parts = split_python_prompt(prompt, "main_fn")
    assert parts.header == "import math\n"
    assert "def helper" in parts.prompt
    assert parts.signature == "main_fn(y: int) -> int"
    assert parts.docstring == "Doc."

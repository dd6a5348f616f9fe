"""tuning/standalone.py: which mined answers stand on their own, as benchmark answers must."""

import json
import subprocess

import pytest

from rustcoder.tuning.config import DataSource
from rustcoder.tuning.examples import read_rows
from rustcoder.tuning.standalone import standalone

KEPT = {
    "std only": "pub fn total(xs: &[i64]) -> i64 {\n    xs.iter().sum()\n}",
    "its own helper": "fn f(n: u32) -> u32 {\n    g(n) + 1\n}\nfn g(n: u32) -> u32 {\n    n * 2\n}",
    "generic": "fn clamp<T: PartialOrd>(x: T, max: T) -> T {\n    if x > max { max } else { x }\n}",
    "std paths and macros": (
        "fn count(words: Vec<String>) -> std::collections::HashMap<String, usize> {\n"
        "    let mut seen = std::collections::HashMap::new();\n"
        "    for w in words {\n        *seen.entry(w).or_insert(0) += 1;\n    }\n"
        '    assert!(!seen.is_empty() || true, "{}", format!("{}", 1));\n    seen\n}'
    ),
    "a closure parameter": "fn apply(f: impl Fn(i32) -> i32, x: i32) -> i32 {\n    f(x)\n}",
    "nested fn and patterns": (
        "fn pair(p: (u8, u8)) -> u8 {\n    fn add(a: u8, b: u8) -> u8 { a + b }\n"
        "    let (a, b) = p;\n    match Some(a) {\n        Some(v) => add(v, b),\n"
        "        None => 0,\n    }\n}"
    ),
}
DROPPED = {
    "a method": "pub fn len(&self) -> usize {\n        self.items.len()\n    }",
    "a crate helper": 'pub fn to_kebab(s: &str) -> String {\n    to_case_snake_like(s, "-")\n}',
    "a crate constant": "pub const fn tb(bytes: u64) -> u64 {\n    bytes * TERABYTE\n}",
    "a crate type": "fn parse(s: &str) -> Config {\n    Config::new(s)\n}",
    "a crate path": "fn f() -> u8 {\n    crate::util::one()\n}",
    "a crate macro": "fn f() -> u8 {\n    my_macro!(1)\n}",
    "Self": "fn new() -> Self {\n    Self {}\n}",
    "not Rust": "fn broken( {",
}


@pytest.mark.parametrize("name", KEPT)
def test_free_functions_naming_only_std_and_themselves_are_kept(name):
    assert standalone(KEPT[name])


@pytest.mark.parametrize("name", DROPPED)
def test_functions_leaning_on_their_crate_are_dropped(name):
    assert not standalone(DROPPED[name])


@pytest.mark.rustc
def test_what_is_kept_compiles_on_its_own(tmp_path):
    source = tmp_path / "kept.rs"
    source.write_text("#![allow(dead_code)]\n" + "\n".join(KEPT.values()).replace("fn f(", "fn f0(") + "\n")
    done = subprocess.run(
        ["rustc", "--edition", "2021", "--crate-type", "lib", "--emit=metadata", "-o", str(tmp_path / "k"),
         str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_the_standalone_option_filters_instruction_rows(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "".join(
            json.dumps({"instruction": f"Write {name}.", "output": code}) + "\n"
            for name, code in (*KEPT.items(), *DROPPED.items())
        )
    )
    assert len(read_rows(DataSource(path=str(rows)), 0)) == len(KEPT) + len(DROPPED)
    kept = read_rows(DataSource(path=str(rows), standalone=True), 0)
    assert [row["output"] for row in kept] == list(KEPT.values())

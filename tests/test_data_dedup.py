"""Exact and near-duplicate removal: the newest copy stays, and every removal names what it duplicates."""

from rustcoder.data.dedup import deduplicate
from rustcoder.data.functions import MinedFunction

LONG = """fn {name}(words: &[&str], limit: usize) -> Vec<String> {{
    let mut out = Vec::new();
    for word in words.iter() {{
        if word.len() > limit && !word.starts_with('#') {{
            out.push(word.to_uppercase());
        }} else if word.is_empty() {{
            continue;
        }} else {{
            out.push(word.trim().to_lowercase());
        }}
    }}
    out.sort();
    out.dedup();
    out
}}"""


def function(crate: str, version: str, code: str, line: int = 1) -> MinedFunction:
    signature, _, rest = code.partition(" {")
    return MinedFunction(crate, version, "MIT", "src/lib.rs", signature.split("(")[0].split()[-1], signature,
                         "", code, "{" + rest, None, line, line + code.count("\n"))  # fmt: skip


def test_exact_copies_across_versions_keep_the_newest():
    old = function("text", "0.9.0", LONG.format(name="normalise"))
    new = function("text", "0.10.0", LONG.format(name="normalise").replace("    ", "  "))  # reformatted
    result = deduplicate([old, new])
    assert result.kept == [new] and result.count("exact") == 1
    assert result.removed[0].kept == "text-0.10.0:src/lib.rs:1"


def test_a_near_copy_is_removed_and_a_different_function_stays():
    original = function("a", "1.0.0", LONG.format(name="normalise"))
    tweaked = function("b", "1.0.0", LONG.format(name="normalise").replace("out.dedup();\n", ""))
    other = function(
        "c", "1.0.0", "fn area(w: f64, h: f64) -> f64 {\n    if w < 0.0 || h < 0.0 { 0.0 } else { w * h }\n}"
    )
    result = deduplicate([tweaked, other, original])
    assert [f.crate for f in result.kept] == ["a", "c"]
    assert [(r.function.crate, r.reason, r.kept) for r in result.removed] == [
        ("b", "near", "a-1.0.0:src/lib.rs:1")
    ]
    assert deduplicate([tweaked, other, original], near=False).count("near") == 0


def test_deduplication_is_deterministic():
    functions = [function(f"c{i}", "1.0.0", LONG.format(name=f"f{i % 3}")) for i in range(9)]
    first, second = deduplicate(functions), deduplicate(list(reversed(functions)))
    assert [f.crate for f in first.kept] == [f.crate for f in second.kept]

import dataclasses

from rustcoder.benchmarks.defects import (
    DEFECTS,
    apply_defects,
    drop_repeated_signature,
    encode_cyclic_into_tests,
    her38_decode_cyclic,
    rand04_gen_range,
    seed_test_rng,
    uncomment_tests,
)
from rustcoder.benchmarks.formats import Format
from rustcoder.types import Language, Problem, TestStyle

TESTS = (
    "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n"
    "    fn t() {\n        let x = rng.gen_range(0, 4);\n    }\n}\n"
)


def problem(task_id="Rust/50", **changes) -> Problem:
    base = Problem(
        task_id=task_id,
        language=Language.RUST,
        prompt="/* doc */\nfn f(s: &str) -> String{\n",
        header="",
        signature="f(s: &str) -> String",
        docstring="doc",
        instruction="i",
        entry_point="f",
        tests=TESTS,
        test_style=TestStyle.LIBTEST,
        canonical_solution="\n    s.to_string()\n}\n",
    )
    return dataclasses.replace(base, **changes)


def test_rand04_gen_range_becomes_a_range():
    patched = rand04_gen_range(problem(tests="a.gen_range(0, 4); b.gen_range(b'a', b'z' + 1);"))
    assert patched.tests == "a.gen_range(0..4); b.gen_range(b'a'..b'z' + 1);"


def test_uncomment_tests_removes_the_wrapping_comment():
    patched = uncomment_tests(problem(tests="\n/*\n#[cfg(test)]\nmod tests {}\n*/\n"))
    assert patched.tests.strip() == "#[cfg(test)]\nmod tests {}"


def test_seeded_rng_replaces_thread_rng():
    patched = seed_test_rng(problem(tests="let mut rng = rand::thread_rng();"))
    assert "thread_rng" not in patched.tests
    assert "seed_from_u64(4)" in patched.tests


def test_encode_cyclic_moves_from_reference_into_tests():
    solution = (
        "\n    decode(s)\n}\n\n"
        "pub fn encode_cyclic(s: &str) -> String {\n    if true { s.into() } else { s.into() }\n}\n"
    )
    patched = encode_cyclic_into_tests(problem(canonical_solution=solution))
    assert "encode_cyclic" not in (patched.canonical_solution or "")
    assert "pub fn encode_cyclic(s: &str) -> String {" in patched.tests
    assert patched.tests.index("use super::*;") < patched.tests.index("fn encode_cyclic")
    assert encode_cyclic_into_tests(patched) == patched


def test_repeated_signature_is_dropped_once():
    fixed = drop_repeated_signature(problem(canonical_solution="fn f(s: &str) -> String{\n    s.into()\n}\n"))
    assert fixed.canonical_solution == "\n    s.into()\n}\n"
    assert drop_repeated_signature(fixed) == fixed


def test_her38_declares_decode_cyclic():
    solution = (
        "    task 37 body\n}\n\npub fn encode_cyclic(s: &str) -> String {\n    enc(s)\n}\n\n"
        "pub fn decode_cyclic(s: &str) -> String {\n    dec(s)\n}\n"
    )
    before = problem(prompt="// doc\nfn encode_cyclic(s: &str) -> String {", canonical_solution=solution)
    after = her38_decode_cyclic(before)
    assert after.entry_point == "decode_cyclic"
    assert after.prompt.endswith("fn decode_cyclic(s: &str) -> String {")
    assert after.canonical_solution == "\n    dec(s)\n}"
    assert "fn encode_cyclic" in after.tests


def test_apply_records_patched_unpatched_and_absent():
    broken = problem("Rust/50")
    fixed = problem("Rust/50", tests="gen_range(0..4)")
    clean = problem("Rust/1")
    out, notes = apply_defects(Format.HUMANEVAL_X, [broken, clean])
    assert "gen_range(0..4)" in out[0].tests and out[1] == clean
    assert [(n.task_id, n.action) for n in notes] == [("Rust/50", "patched")]
    out, notes = apply_defects(Format.HUMANEVAL_X, [broken], patches=False)
    assert out[0] == broken and notes[0].action == "unpatched" and "turned off" in notes[0].detail
    _, notes = apply_defects(Format.HUMANEVAL_X, [fixed])
    assert notes[0].action == "absent"


def test_defects_apply_only_to_their_format_and_language():
    python = problem("HumanEval/50", language=Language.PYTHON)
    out, notes = apply_defects(Format.HUMANEVAL, [python])
    assert out == [python] and notes == []


def test_defect_table_is_well_formed():
    keys = [(d.fmt, d.language, d.task_id) for d in DEFECTS]
    assert len(keys) == len(set(keys))
    for defect in DEFECTS:
        assert defect.summary and (defect.patch is None or defect.patch_summary)

"""Doc examples of mined instructions made into tests (tuning/doctests.py); rustc runs them in
test_tuning's self-training test."""

from rustcoder.tuning.doctests import doc_examples, doc_tests

ASK = "Write a Rust function `fn double(x: i32) -> i32` to solve the following problem:\nDoubles.\n\n"


def test_only_the_blocks_rustdoc_runs_become_examples():
    instruction = ASK + (
        "```\nassert_eq!(double(1), 2);\n```\n"
        "```rust,edition2021\nassert_eq!(double(2), 4);\n```\n"
        "```ignore\ndouble(oops)\n```\n"
        "```no_run\nloop {}\n```\n"
        '```compile_fail\ndouble("x");\n```\n'
        "```should_panic\nassert!(false);\n```\n"
        "```text\nnot code\n```\n"
        "```toml\n[dependencies]\n```\n"
        "```\nfn main() { assert_eq!(double(3), 6); }\n```\n"
    )
    assert doc_examples(instruction) == ["assert_eq!(double(1), 2);", "assert_eq!(double(2), 4);"]


def test_the_crates_imports_go_hidden_lines_show_and_std_imports_stay():
    instruction = ASK + (
        "```\n"
        "    # extern crate demo;\n"
        "    # use demo::double;\n"
        "    use demo::{\n        double, other,\n    };\n"
        "    use std::collections::HashMap;\n"
        "    #\n"
        "    # let m: HashMap<i32, i32> = HashMap::new();\n"
        "    assert_eq!(double(2), 4);\n"
        "```\n"
    )
    [example] = doc_examples(instruction)
    assert example.split("\n") == [
        "    use std::collections::HashMap;",
        "    let m: HashMap<i32, i32> = HashMap::new();",
        "    assert_eq!(double(2), 4);",
    ]


def test_examples_become_one_libtest_module_and_ok_endings_return_a_result():
    module = doc_tests(
        ASK + "```\nassert_eq!(double(2), 4);\n```\n```\nlet x = double(1);\nOk::<(), String>(())\n```\n"
    )
    assert module.startswith("#[cfg(test)]\nmod doc_examples {\n    use super::*;\n")
    assert "    #[test]\n    fn doc_example_1() {\n        assert_eq!(double(2), 4);\n    }\n" in module
    assert "fn doc_example_2() -> Result<(), impl std::fmt::Debug> {" in module


def test_an_instruction_without_examples_has_no_tests():
    assert doc_tests(ASK) == ""
    assert doc_tests(ASK + "```text\nfoo\n```\n") == ""

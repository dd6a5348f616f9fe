"""HumanEval's Python doctests written as Rust examples for a Rust signature."""

import dataclasses

import pytest

from rustcoder.benchmarks.python_doctests import Example, doctest_module, python_doctests, rust_examples
from rustcoder.selection import Method
from rustcoder.selection.run import select
from rustcoder.types import Sample
from tests.conftest import fixture_problems

PROMPT = '''def f(xs, t):
    """ Things.
    >>> f([1.0, 2.0], 0.5)
    False
    >>> f([], 3)
    True
    >>> g(1)
    2
    >>> f(xs, 1)
    True
    >>> f([1.0], 2)
    >>> f({'a': 1}, 2)
    True
    """
'''


def test_python_doctests_are_read_as_literals_of_the_entry_point_only():
    assert python_doctests(PROMPT, "f") == [
        (([1.0, 2.0], 0.5), False),
        (([], 3), True),
        (({"a": 1}, 2), True),
    ]
    # g is another function, `xs` no literal, and `>>> f([1.0], 2)` has no value before the next prompt
    prose = """Examples:
    f([1, 2], 'a') == 3
    f([], "b\\"c") => true
    - f([3], 'x') \u279e [1, 'y']
    f([4], 'z') -> 19 - 5 = 14
    g(f([5], 'q')) == 1
    af([6], 'w') == 2
    f((7,), '(') # returns None.
    """
    assert python_doctests(prose, "f") == [
        (([1, 2], "a"), 3), (([], 'b"c'), True), (([3], "x"), [1, "y"]), (([4], "z"), 14),
        (((7,), "("), None),
    ]  # fmt: skip
    # a worked sum's result (19 - 5 = 14); not inside another call, nor another function's name ending in f


def test_the_other_forms_humaneval_writes_examples_in():
    prompt = """def f(arr, k):
    \"\"\"Things.
    >>> f([1, 2], 3) == 16
    f([0], 1) # => 'No' (the name should start with a letter)
    f([5], 2) should return 16.
    Example 1:
        Input: arr = [-3, 4], k = 3
        Output: [-4, -3] # sorted
    Example 2:
        Input: k = 1, arr = []
        Explanation: none.
        Output: []
        Input: [9], 2
        Output: 7
    Example 3:
        Input: x = [1], k = 2
        Output: 0
        Input: [1]
        Output: 1
    For arr = [1,2,3], k = 2, the sum of digits will be 1 the output should be "1".
    For arr = [4], k = 0 the result should be (1, True)
    For lst = [4], k = 0 the output should be 3
    \"\"\"
"""
    assert python_doctests(prompt, "f") == [
        (([1, 2], 3), 16), (([0], 1), "No"), (([5], 2), 16), (([-3, 4], 3), [-4, -3]), (([], 1), []),
        (([9], 2), 7), (([1, 2, 3], 2), "1"), (([4], 0), (1, True)),
    ]  # fmt: skip
    # not: a name that is no parameter (x, lst), too few arguments ([1] for two parameters)


def test_values_are_written_for_the_rust_types():
    def one(args, expected, signature):
        return rust_examples([(args, expected)], signature, "f")

    [vec] = one(
        ([1.0, -2.5], 0.5), False, "f(numbers:Vec<f32>, threshold: f32) -> bool"
    )  # HumanEvalPack: no `fn`
    assert vec == Example("f(vec![1.0, -2.5], 0.5)", "false")
    [text] = one(('a"b\n', ["x"]), ("a", 1), "fn f(s: &str, v: &[String]) -> (String, i32) {")
    assert (
        text.call == 'f("a\\"b\\n", &vec![String::from("x")])' and text.expected == '(String::from("a"), 1)'
    )
    [option] = one(([],), None, "fn f(v: Vec<String>) -> Option<String>")
    assert option == Example("f(Vec::<String>::new())", "None")
    [some] = one((["ab"],), [], "fn f(v: Vec<String>) -> Vec<String>")
    assert some.expected == "Vec::<String>::new()"
    [char_] = one(("'",), 2.0, "fn f(c: char) -> f64")
    assert char_.call == "f('\\'')" and char_.approximate
    assert "assert!(" in char_.assertion() and "<= 0.001" in char_.assertion()
    assert one((-1,), 1, "fn f(n: usize) -> usize") == []  # no negative unsigned
    assert one((True,), 1, "fn f(n: i32) -> i32") == []  # a Python bool is no number here
    assert one(({"a": 1},), 1, "fn f(m: HashMap<String, i32>) -> i32") == []  # no maps
    assert one((1, 2), 3, "fn f(n: i32) -> i32") == []  # the wrong number of arguments
    assert one((1,), 3, "fn f(n: &mut i32) -> i32") == []


@pytest.mark.rustc
@pytest.mark.sandbox
def test_written_examples_compile_and_choose_the_right_candidate():
    [problem] = fixture_problems("humaneval_rust_mini.jsonl")  # larger(a: i32, b: i32) -> i32
    examples = rust_examples([((1, 2), 2), ((5, -1), 5)], problem.signature, problem.entry_point)
    assert len(examples) == 2
    problem = dataclasses.replace(problem, example_tests=doctest_module(examples))
    candidates = [
        Sample(problem.task_id, 0, solution="fn larger(a: i32, b: i32) -> i32 { a }\n"),
        Sample(problem.task_id, 1, solution="fn larger(a: i32, b: i32) -> i32 { a.max(b) }\n"),
    ]
    [choice], _ = select([problem], candidates, Method.EXAMPLES)
    assert choice.chosen == 1 and choice.checks == {
        0: "test_failure (1/2 examples)",
        1: "passed (2/2 examples)",
    }


RIGHT = """fn has_close_elements(numbers: Vec<f32>, threshold: f32) -> bool {
    numbers.iter().enumerate().any(|(i, a)| numbers[i + 1..].iter().any(|b| (a - b).abs() < threshold))
}
"""


@pytest.mark.rustc
@pytest.mark.sandbox
def test_select_examples_on_humanevalpack_uses_humaneval_s_doctests(tmp_path):
    import json

    from tests.conftest import choices, rustcoder_cli

    row = {  # HumanEvalPack-Rust's first problem as its offline copy has it: no examples
        "task_id": "Rust/0",
        "prompt": "\n/*\n Check if in given list of numbers, are any two numbers closer to each other than\n"
        " given threshold.\n*/\n",
        "declaration": "\nfn has_close_elements(numbers:Vec<f32>, threshold: f32) -> bool{\n",
        "canonical_solution": RIGHT.split("{", 1)[1],  # its examples are checked against it
        "test": "\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn t() {\n"
        "        assert!(has_close_elements(vec![1.0, 2.0, 3.9], 0.3) == false);\n    }\n}\n",
        "example_test": "None",
    }
    bench = tmp_path / "hep.jsonl"
    bench.write_text(json.dumps(row) + "\n")
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"benchmark": {"name": str(bench)}}))
    wrong = "fn has_close_elements(numbers: Vec<f32>, threshold: f32) -> bool { false }\n"
    rows = [{"task_id": "Rust/0", "sample_index": i, "solution": s} for i, s in enumerate((wrong, RIGHT))]
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = rustcoder_cli("select", str(run), "--method", "examples")
    assert proc.returncode == 0, proc.stderr[-2000:]
    [choice] = choices(run, "examples")  # HumanEval/0's two doctests: `false` passes one of them
    assert choice["chosen"] == 1 and choice["checks"] == {
        "0": "test_failure (1/2 examples)",
        "1": "passed (2/2 examples)",
    }


def test_only_humanevalpack_problems_without_examples_are_given_doctests():
    from rustcoder.benchmarks.python_doctests import with_humaneval_doctests

    mini = fixture_problems("humanevalx_mini.jsonl")  # Mini/N: no HumanEval number to look up
    assert with_humaneval_doctests(mini) == mini
    first = dataclasses.replace(mini[0], task_id="Rust/0", example_tests="#[cfg(test)]\nmod given {}\n")
    assert with_humaneval_doctests([first]) == [first]  # examples of its own are kept

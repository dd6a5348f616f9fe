"""Prompting strategies and code extraction: the exact prompts, stops and what becomes a sample."""

from rustcoder.backends.base import Message
from rustcoder.backends.fake import FakeBackend
from rustcoder.postprocess.extract import extract_solution, imported_names
from rustcoder.prompting.registry import STRATEGIES
from rustcoder.prompting.strategies import ALPACA
from rustcoder.types import Language
from tests.conftest import SUM_OK, fixture_problems


def test_strategy_prompts_are_exactly_the_documented_ones():
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    delimited = STRATEGIES["delimited"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert delimited.messages[0].content == (
        f"You are an expert Rust programmer. {problem.instruction} In your response, use RUST_BEGIN and "
        "RUST_END to delimit the rust function."
    )
    assert delimited.prefill == "RUST_BEGIN\n" and delimited.stop == ("RUST_END",)
    one_shot = STRATEGIES["one-shot"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert [m.role for m in one_shot.messages] == ["user", "assistant", "user"]
    assert "count_vowels" in one_shot.messages[1].content and one_shot.messages[2] == delimited.messages[0]
    alpaca = STRATEGIES["alpaca"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert alpaca.prompt == ALPACA.format(instruction=problem.instruction)
    assert alpaca.prompt.startswith("Below is an instruction that describes a task.")
    assert alpaca.prompt.endswith("### Response:\n")
    completion = STRATEGIES["completion"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert completion.prompt == problem.header + problem.prompt
    instruct = STRATEGIES["instruct"].request(problem, temperature=0.0, seed=0, max_tokens=10)
    assert instruct.messages == (Message("user", problem.instruction),)


def test_completion_outcome_closes_the_function_unless_the_tests_do():
    hex_problem = fixture_problems("humanevalx_mini.jsonl")[0]
    multiple = fixture_problems("multiple_mini.jsonl")[0]
    strategy = STRATEGIES["completion"]
    [generation] = FakeBackend(["\n    xs.iter().sum()\n}\nfn main() {}"]).generate(
        [strategy.request(hex_problem, temperature=0, seed=0, max_tokens=100)]
    )
    assert strategy.outcome(hex_problem, generation).text == "\n    xs.iter().sum()\n}\n"
    [generation] = FakeBackend(["    a + b\n}\n"]).generate(
        [strategy.request(multiple, temperature=0, seed=0, max_tokens=100)]
    )
    assert strategy.outcome(multiple, generation).text == "    a + b"


def test_extraction_keeps_what_the_solution_needs():
    header = fixture_problems("humanevalx_mini.jsonl")[0].header
    answer = (
        "Sure! Here it is:\n```rust\nuse std::collections::HashMap;\nuse std::fmt::Write;\n\n"
        "fn sum_all(xs: Vec<i64>) -> i64;\n\nfn helper(x: &i64) -> i64 { *x }\n\n"
        "fn sum_all(xs: Vec<i64>) -> i64 {\n    xs.iter().map(helper).sum()\n}\n\n"
        'fn main() { println!("{}", sum_all(vec![1])); }\n\n'
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n```\nHope this helps!"
    )
    code = extract_solution(answer, Language.RUST, "sum_all", header)
    assert "fn main" not in code and "mod tests" not in code and "Hope" not in code
    assert "use std::collections::HashMap;" not in code  # the header imports HashMap already
    assert "use std::fmt::Write;" in code and "fn helper" in code
    assert code.count("fn sum_all") == 1 and "map(helper)" in code
    assert imported_names("use std::io::{self, Write as W};") == {"io", "W"}
    delimited = extract_solution("RUST_BEGIN\n" + SUM_OK + "RUST_END\nbla", Language.RUST, "sum_all")
    assert delimited.strip() == SUM_OK.strip()
    doc_test = "RUST_BEGIN\n/// ```\n/// assert_eq!(sum_all(vec![1]), 1);\n/// ```\n" + SUM_OK + "RUST_END"
    assert "xs.iter().sum()" in extract_solution(doc_test, Language.RUST, "sum_all")
    python = extract_solution("x\n```python\ndef f():\n    return 1\n```\n", Language.PYTHON, "f")
    assert python == "def f():\n    return 1\n"


def test_python_extraction_drops_the_models_own_usage_examples():
    answer = (
        "Here:\n```python\nimport math\nfrom functools import lru_cache\n\nVOWELS = set('aeiou')\n"
        "numbers = [1.0, 2.0]\n\n@lru_cache\ndef helper(x):\n    return math.floor(x)\n\n"
        "def count(s: str) -> int:\n    numbers = 0\n    for c in s:\n        numbers += c in VOWELS\n"
        "    return numbers + helper(0.5)\n\n# Test cases\nprint(count('abc'))  # 1\n"
        "assert count('') == 0\nresult = count('xyz')\nif __name__ == '__main__':\n    count('q')\n```\n"
    )
    code = extract_solution(answer, Language.PYTHON, "count")
    assert code.startswith("import math\n\nfrom functools import lru_cache\n\nVOWELS = set('aeiou')")
    assert "@lru_cache\ndef helper(x):" in code and "return numbers + helper(0.5)" in code
    for dropped in ("print(", "assert count", "result =", "__main__", "numbers = [1.0"):
        assert dropped not in code
    broken = "```python\ndef count(s):\n    return (\nprint(1)\n```"
    assert extract_solution(broken, Language.PYTHON, "count") == "def count(s):\n    return (\nprint(1)\n"
    elsewhere = "```python\nprint('no entry point here')\n```"
    assert extract_solution(elsewhere, Language.PYTHON, "count") == "print('no entry point here')\n"


def test_instruct_stops_after_the_rust_block_not_a_cargo_toml_block():
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    answer = (
        'Add md5 first:\n```toml\n[dependencies]\nmd5 = "0.7"\n```\n\nThen:\n```rust\n'
        + SUM_OK
        + "```\n\nExplanation: it sums."
    )
    for name in ("instruct", "alpaca"):
        strategy = STRATEGIES[name]
        [generation] = FakeBackend([answer]).generate(
            [strategy.request(problem, temperature=0, seed=0, max_tokens=500)]
        )
        assert generation.stopped_by == "}\n```\n" and "Explanation" not in generation.text
        assert strategy.outcome(problem, generation).text.strip() == SUM_OK.strip()
    new_turn = SUM_OK + "\n### Instruction:\nmore"
    [generation] = FakeBackend([new_turn]).generate(
        [STRATEGIES["alpaca"].request(problem, temperature=0, seed=0, max_tokens=500)]
    )
    assert generation.stopped_by == "\n### Instruction" and "more" not in generation.text


def test_instruct_stops_a_python_answer_when_its_code_block_closes():
    problem = fixture_problems("humaneval_python_mini.jsonl")[0]
    code = f"def {problem.entry_point}(*args):\n    return None\n"
    answer = f"Here it is:\n\n```python\n{code}```\n\nExplanation: a long one."
    strategy = STRATEGIES["instruct"]
    request = strategy.request(problem, temperature=0, seed=0, max_tokens=500)
    assert request.stop == ("\n```\n",)
    [generation] = FakeBackend([answer]).generate([request])
    assert generation.stopped_by == "\n```\n" and "Explanation" not in generation.text
    assert strategy.outcome(problem, generation).text.strip() == code.strip()

"""Decontamination: a copied benchmark solution or description is removed, a shared idiom is not."""

from rustcoder.data.decontaminate import Index, decontaminate, ngrams
from rustcoder.data.functions import MinedFunction
from tests.conftest import fixture_problems


def mined(code: str, crate: str = "c") -> MinedFunction:
    return MinedFunction(
        crate, "1.0.0", "MIT", "src/lib.rs", "f", code.split("{")[0], "", code, "{}", None, 1, 2
    )


def test_a_copied_solution_is_removed_with_its_problem_and_overlap():
    problems = fixture_problems("humanevalx_mini.jsonl")
    index = Index()
    index.add("mini", problems)
    first = problems[0]
    copied = mined(first.prompt + (first.canonical_solution or ""), "copy")
    idiom = mined(
        "fn total(v: &[i64]) -> i64 {\n    let mut t = 0;\n    for x in v { t += x; }\n"
        "    assert!(t >= 0);\n    t\n}"
    )
    result = decontaminate([copied, idiom], index)
    assert [f.crate for f in result.kept] == ["c"]
    (removal,) = result.removed
    assert (removal.benchmark, removal.task_id) == ("mini", first.task_id) and removal.overlap >= 0.9
    assert index.problems == len(problems)


def test_the_threshold_and_n_are_parameters():
    assert len(ngrams("a b c d e f g h i j k", 10)) == 2 and ngrams("too short", 10) == set()
    problems = fixture_problems("humanevalx_mini.jsonl")
    index = Index(n=10)
    index.add("mini", problems)
    half = problems[0].prompt + "\n".join(f"let x{i} = {i} * {i} + {i};" for i in range(40))
    assert decontaminate([mined(half)], index, threshold=0.5).removed == []
    assert len(decontaminate([mined(half)], index, threshold=0.05).removed) == 1

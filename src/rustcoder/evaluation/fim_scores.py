"""Scores of a fill-in-the-middle sample beside execution: exact match, edit similarity, and whether the
file still parses.

Edit similarity is 1 minus the normalised Levenshtein distance between the generated and the reference
middle (rapidfuzz), as FIM benchmarks report it. A file parses when tree-sitter finds no more syntax
errors in prefix + middle + suffix than in the reference file (some real files have a few already).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from rustcoder.rust_syntax import rust_parser
from rustcoder.types import FimScores, Problem

if TYPE_CHECKING:
    from tree_sitter import Node


def syntax_errors(code: str) -> int:
    """ERROR and missing nodes in tree-sitter's parse of `code`."""
    count, stack = 0, [rust_parser().parse(code.encode("utf-8", errors="replace")).root_node]
    while stack:
        node: Node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            count += 1
        if node.has_error:
            stack.extend(node.children)
    return count


@lru_cache(maxsize=4096)
def _reference_errors(prefix: str, middle: str, suffix: str) -> int:
    return syntax_errors(prefix + middle + suffix)


def fim_scores(problem: Problem, middle: str) -> FimScores:
    """How `middle` compares with the problem's reference middle, in the problem's file."""
    from rapidfuzz.distance import Levenshtein

    reference = problem.canonical_solution or ""
    allowed = _reference_errors(problem.prompt, reference, problem.suffix)
    return FimScores(
        exact_match=middle.strip() == reference.strip(),
        edit_similarity=round(Levenshtein.normalized_similarity(middle, reference), 4),
        parses=syntax_errors(problem.prompt + middle + problem.suffix) <= allowed,
    )

"""tree-sitter-rust, loaded once: the parser every stage that reads Rust syntax shares."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Parser


@lru_cache(maxsize=1)
def rust_parser() -> Parser:
    """A parser for Rust (tree_sitter is imported on first use, not with rustcoder)."""
    import tree_sitter_rust
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_rust.language()))

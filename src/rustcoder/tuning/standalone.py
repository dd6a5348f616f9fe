"""Whether a mined function stands on its own, as a benchmark answer must: a free function (no `self`)
that names nothing but itself, the functions and types it defines, its generic parameters, its own
variables and the standard library. Most crate functions lean on their crate's other items (a helper,
a type, a macro); trained on those, a model learns to call helpers it never writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustcoder.rust_syntax import descendants, rust_parser

if TYPE_CHECKING:
    from tree_sitter import Node


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STD_TYPES = _words(
    "String Vec Option Result Box Rc Arc Cell RefCell Cow HashMap HashSet BTreeMap BTreeSet VecDeque "
    "BinaryHeap Ordering Reverse Some None Ok Err Iterator IntoIterator DoubleEndedIterator "
    "ExactSizeIterator Fn FnMut FnOnce Display Debug Clone Copy PartialEq PartialOrd Eq Ord Hash Hasher "
    "Default From Into TryFrom TryInto AsRef AsMut ToString ToOwned Sized Send Sync Range RangeInclusive "
    "Chars Path PathBuf Duration Instant Mutex RwLock Error Formatter Write Read Add Sub Mul Div Rem Neg "
    "Not Deref Index FromStr Sum Product Peekable Rev Wrapping NonZeroUsize PhantomData"
)
STD_MODULES = _words(
    "std core alloc cmp mem fmt iter char str string vec ops collections convert num ptr slice hash "
    "i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 bool"
)
STD_MACROS = _words(
    "format vec println print eprintln eprint write writeln panic assert assert_eq assert_ne "
    "debug_assert debug_assert_eq debug_assert_ne unreachable unimplemented todo matches concat "
    "stringify format_args"
)
STD_VALUES = _words("drop Some None Ok Err Box")
_BINDERS = ("parameter", "let_declaration", "for_expression", "let_condition")
"""Nodes whose `pattern` binds names."""
_PATTERNS = ("closure_parameters", "match_pattern", "tuple_struct_pattern", "tuple_pattern", "struct_pattern")
"""Nodes that are patterns as a whole."""
_NAMED_ELSEWHERE = ("macro_invocation", "token_tree", "use_declaration", "use_list", "scoped_use_list",
                    "use_as_clause")  # fmt: skip


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _bound(nodes: list[Node]) -> set[str]:
    """Names the code binds: its items, generic parameters, parameters and pattern variables."""
    names: set[str] = set()
    for node in nodes:
        if node.type in ("function_item", "struct_item", "enum_item", "type_item", "const_item"):
            name = node.child_by_field_name("name")
            if name is not None:
                names.add(_text(name))
        elif node.type == "type_parameters":
            names |= {_text(n) for n in descendants(node) if n.type == "type_identifier"}
        elif node.type in _BINDERS + _PATTERNS:
            pattern = node if node.type in _PATTERNS else node.child_by_field_name("pattern")
            if pattern is not None:
                names |= {_text(n) for n in descendants(pattern) if n.type == "identifier"}
    return names


def _path_head(node: Node) -> Node:
    while node.type in ("scoped_identifier", "scoped_type_identifier", "generic_type"):
        inner = node.child_by_field_name("path") or node.child_by_field_name("type")
        if inner is None:
            break
        node = inner
    return node


def standalone(code: str) -> bool:
    """Whether `code` is one or more free functions that compile without anything of their crate."""
    tree = rust_parser().parse(code.encode("utf-8"))
    root = tree.root_node
    if root.has_error or not any(child.type == "function_item" for child in root.children):
        return False
    nodes = list(descendants(root))
    bound = _bound(nodes)
    known = _Known(STD_TYPES | bound, STD_MODULES | STD_TYPES | bound, STD_VALUES | STD_MODULES | bound)
    return not any(_outside(node, known) for node in nodes)


@dataclass(frozen=True, slots=True)
class _Known:
    """The names one piece of code may use, by where they stand: its own and the standard library's."""

    types: frozenset[str]
    path_heads: frozenset[str]
    values: frozenset[str]


def _outside(node: Node, known: _Known) -> bool:
    """Whether `node` names something neither the code nor the standard library defines."""
    if node.type in ("self", "crate", "super"):
        return True
    if node.type == "type_identifier":
        if node.parent is not None and node.parent.type == "scoped_type_identifier":
            return False  # checked with its path
        return _text(node) not in known.types  # Self too
    if node.type in ("scoped_identifier", "scoped_type_identifier"):
        head = _path_head(node)
        return (
            head is not node
            and head.type in ("identifier", "type_identifier")
            and _text(head) not in known.path_heads
        )
    if node.type == "macro_invocation":
        macro = node.child_by_field_name("macro")
        return macro is None or _text(macro) not in STD_MACROS
    if node.type == "identifier" and not _named_elsewhere(node):
        return _text(node) not in known.values  # a crate's helper or constant
    return False


def _named_elsewhere(node: Node) -> bool:
    """An identifier that is a path's last segment, a macro's name or part of a `use` (those are
    checked where their path or macro is), or inside a macro's arguments (tokens, not yet syntax: left
    unchecked), not a name looked up on its own."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in ("scoped_identifier", "scoped_type_identifier"):
        return parent.child_by_field_name("name") == node
    return parent.type in _NAMED_ELSEWHERE

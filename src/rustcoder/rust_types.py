"""The types of a function's parameters and result, read once from its signature into a small typed
record: the shapes that example values can be written for (primitives, `String`, shared references,
slices, `Vec`, `Option`, tuples). Both writers of Rust values match on it: the agreement method's
generated arguments and HumanEval's doctests written in Rust."""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import TYPE_CHECKING

from rustcoder.rust_syntax import signature_function

if TYPE_CHECKING:
    from tree_sitter import Node

INTEGERS = frozenset({"i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize"})
FLOATS = frozenset({"f32", "f64"})


class Kind(StrEnum):
    PRIMITIVE = "primitive"
    """`name` is the primitive: an integer, a float, `bool`, `char` or `str`."""
    STRING = "String"
    REFERENCE = "reference"
    """A shared reference (`&mut` has no record) to `args[0]`."""
    SLICE = "slice"
    """`[T]`, behind a reference."""
    VEC = "Vec"
    OPTION = "Option"
    TUPLE = "tuple"


@dataclasses.dataclass(frozen=True, slots=True)
class RustType:
    kind: Kind
    text: str
    """As the signature writes it."""
    name: str = ""
    args: tuple[RustType, ...] = ()

    @property
    def inner(self) -> RustType:
        """The one type a reference, slice, `Vec` or `Option` holds."""
        return self.args[0]


def rust_type(node: Node) -> RustType | None:
    """The record of the type `node`, or None for any other type (generics, structs, maps, `&mut`,
    arrays of a fixed length, `Vec` or `Option` of such a type)."""
    text = (node.text or b"").decode()
    kind = node.type
    if kind == "primitive_type":
        return RustType(Kind.PRIMITIVE, text, name=text)
    if kind == "type_identifier":
        return RustType(Kind.STRING, text) if text == "String" else None
    if kind == "reference_type":
        inner = node.child_by_field_name("type")
        if inner is None or any(child.type == "mutable_specifier" for child in node.children):
            return None
        return _holding(Kind.REFERENCE, text, inner)
    if kind == "array_type" and node.child_by_field_name("length") is None:
        element = node.child_by_field_name("element")
        return _holding(Kind.SLICE, text, element) if element is not None else None
    if kind == "generic_type":
        name = node.child_by_field_name("type")
        arguments = node.child_by_field_name("type_arguments")
        inner_types = list(arguments.named_children) if arguments is not None else []
        if name is None or len(inner_types) != 1 or name.text not in (b"Vec", b"Option"):
            return None
        return _holding(Kind.VEC if name.text == b"Vec" else Kind.OPTION, text, inner_types[0])
    if kind == "tuple_type":
        parts = [rust_type(child) for child in node.named_children]
        if not parts or any(part is None for part in parts):
            return None
        return RustType(Kind.TUPLE, text, args=tuple(part for part in parts if part is not None))
    return None


def _holding(kind: Kind, text: str, inner: Node) -> RustType | None:
    held = rust_type(inner)
    return RustType(kind, text, args=(held,)) if held is not None else None


@dataclasses.dataclass(frozen=True, slots=True)
class Signature:
    parameters: tuple[RustType | None, ...]
    """Each parameter's type, None where it has no record (or the parameter is `self`)."""
    returns: RustType | None
    """None where the function returns nothing, or a type without a record."""
    generic: bool


def signature_types(signature: str) -> Signature | None:
    """The types of a signature as problems hold it (`name(a: i32) -> i32`), or None where it does not
    parse as a function."""
    function = signature_function(signature)
    if function is None:
        return None
    parameters = function.child_by_field_name("parameters")
    types: list[RustType | None] = []
    for parameter in parameters.named_children if parameters is not None else []:
        node = parameter.child_by_field_name("type")
        types.append(rust_type(node) if parameter.type == "parameter" and node is not None else None)
    returns = function.child_by_field_name("return_type")
    return Signature(
        parameters=tuple(types),
        returns=rust_type(returns) if returns is not None else None,
        generic=function.child_by_field_name("type_parameters") is not None,
    )

"""The typed record of a signature's types that both value writers share."""

from __future__ import annotations

import pytest

from rustcoder.rust_types import Kind, RustType, signature_types


def _parameter(signature: str) -> RustType | None:
    types = signature_types(signature)
    assert types is not None
    return types.parameters[0]


def test_nested_types_are_read_with_their_text() -> None:
    kind = _parameter("f(xs: &[Vec<(i64, String)>]) -> bool")
    assert kind is not None and kind.kind is Kind.REFERENCE and kind.text == "&[Vec<(i64, String)>]"
    vec = kind.inner.inner
    assert kind.inner.kind is Kind.SLICE and vec.kind is Kind.VEC
    pair = vec.inner
    assert pair.kind is Kind.TUPLE and pair.text == "(i64, String)"
    assert [part.kind for part in pair.args] == [Kind.PRIMITIVE, Kind.STRING]
    assert pair.args[0].name == "i64"


@pytest.mark.parametrize(
    "parameter",
    ["x: &mut Vec<i32>", "m: HashMap<String, i32>", "a: [i32; 3]", "v: Vec<HashMap<i32, i32>>", "t: T"],
)
def test_types_beyond_the_writers_have_no_record(parameter: str) -> None:
    assert _parameter(f"f({parameter}) -> i32") is None


def test_the_signature_gives_its_result_type_and_whether_it_is_generic() -> None:
    plain = signature_types("fn f(a: i32, s: &str) -> Option<f64>")
    assert plain is not None and not plain.generic
    returns = plain.returns
    assert returns is not None and returns.kind is Kind.OPTION and returns.inner.name == "f64"
    assert [p.kind if p else None for p in plain.parameters] == [Kind.PRIMITIVE, Kind.REFERENCE]
    nothing = signature_types("g<T: Ord>(v: Vec<T>)")
    assert nothing is not None and nothing.generic
    assert nothing.returns is None
    assert signature_types("not a signature(") is None

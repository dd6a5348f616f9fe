"""Where a fill-in-the-middle completion ends (postprocess.middle) and how a stream stops there."""

from __future__ import annotations

import pytest

from rustcoder.backends.base import GenRequest, StopScanner, collect
from rustcoder.backends.fake import FakeBackend
from rustcoder.postprocess.middle import BlockEnd, LineEnd, OpenBracket, SuffixRepeat, cut


def test_a_line_ends_at_the_end_of_its_first_non_blank_line():
    rule = LineEnd()
    assert cut("\n\n    foo(x);\nbar", [rule]) == "\n\n    foo(x);"
    assert rule("    ") is None and rule("\n\n") is None and rule("foo(x)") is None
    assert cut("a + b\n", [rule]) == "a + b"


def test_a_block_ends_where_it_closes_the_block_the_prefix_opened():
    rule = BlockEnd.around("fn f() -> i32 {", "\n}\n")
    text = (
        "\n    let s = \"}\";\n    // } in a comment\n    let c = '}';\n"
        "    if s.is_empty() { 1 } else { 2 }\n}\nfn g() {}"
    )
    end = cut(text, [rule])
    assert end == text[: text.index("\n}\nfn g") + 1]  # the brace is left to the suffix
    assert rule("\n    let v = vec![1, (2)];\n") is None  # balanced so far: it may go on


def test_a_block_keeps_its_closing_bracket_when_the_suffix_does_not_supply_it():
    rule = BlockEnd.around("fn f() {", "\nfn g() {}\n")
    assert cut("\n    1\n}\nfn h() {}", [rule]) == "\n    1\n}"


def test_a_fresh_block_closed_at_once_is_empty():
    assert cut("\n    }\n    more()", [BlockEnd.around("    for x in v {", "}\n")]) == "\n    "


def test_a_text_that_begins_by_closing_the_current_block_continues_it():
    rule = BlockEnd.around("    if a {\n        x();\n    ", "\n    z();\n}\n")
    text = "} else {\n        y();\n    }\n    w();\n}\nfn next() {}"
    assert cut(text, [rule]) == text[: text.index("}\nfn next") + 1]  # `} else {` is not the end


@pytest.mark.parametrize(
    ("text", "unfinished"),
    [
        ("\n        if s.len() > max {\n            res = s;\n        ", True),  # one brace short
        ("\n        if s.len() > max {\n            res = s;\n        }\n    ", False),
        ("    x);\n    }\n", False),  # closing the prefix's brackets is not opening any
        ("} else {\n    y", True),
        ('    println!("{}", "{");\n    // {\n', False),  # brackets in strings and comments are text
        ("    let v = vec![1, 2", True),
        ("    total += 1;\n", False),
    ],
)
def test_a_text_with_a_bracket_it_opened_and_did_not_close_may_not_end(text, unfinished):
    assert OpenBracket()(text) is unfinished


def test_a_repeated_suffix_line_ends_the_middle():
    rule = SuffixRepeat("\n}\n\n#[cfg(test)]\nmod tests {}")
    assert cut("x * 2\n}\n\n#[cfg(test)]", [rule]) == "x * 2\n}\n\n"
    assert cut("x * 2\nmod tests {}\n", [SuffixRepeat("\n}\nmod tests {}")]) == "x * 2\n"
    assert SuffixRepeat("\n}\n")("x\n}\n") is None  # no line of 4+ characters to recognise


@pytest.mark.parametrize(
    "text",
    ["\n    a\n}\nb", "} else {\n  c\n}\n}\nd", "x\n\nmod tests {}\nmore", "\n\n  y;\nz", "plain"],
)
def test_cutting_twice_cuts_nothing_more(text):
    rules = [BlockEnd.around("fn f() {", "}"), SuffixRepeat("\nmod tests {}"), LineEnd()]
    once = cut(text, rules)
    assert cut(once, rules) == once


def test_a_stream_stops_at_the_earliest_end_and_says_which_rule_ended_it():
    scanner = StopScanner(stops=("STOP",), ends=(LineEnd(),))
    out = scanner.feed("ab") + scanner.feed("c\nde STOP")
    assert out + scanner.flush() == "abc"
    assert scanner.ended_by == "end of line" and scanner.finish(False) == "end"
    stop_first = StopScanner(stops=("b",), ends=(LineEnd(),))
    stop_first.feed("ab\n")
    assert stop_first.hit == "b" and stop_first.finish(False) == "stop"


def test_a_backend_stops_generating_at_the_end_of_the_block():
    answer = "\n    x + 1\n}\n\nfn padding() {}\n" + "// more\n" * 50
    backend = FakeBackend([answer])
    request = GenRequest(
        prompt="fn f(x: i32) -> i32 {", suffix="}\n", ends=(BlockEnd.around("fn f(x: i32) -> i32 {", "}\n"),)
    )
    generation = collect(backend.stream(request))
    assert generation.text == "\n    x + 1\n"
    assert (generation.finish, generation.stopped_by) == ("end", "end of block")
    assert generation.tokens < len(answer) // 4 / 10  # it stopped early, not at the end of the answer

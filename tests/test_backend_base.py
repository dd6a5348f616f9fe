"""The shared backend machinery: stops, the loop guard, typed chunks, requests, the fake backend."""

import pytest

from rustcoder.backends.base import GenRequest, Message, StopScanner, looping
from rustcoder.backends.fake import FakeBackend
from rustcoder.prompting.registry import STRATEGIES
from tests.conftest import fixture_problems


def test_stop_scanner_finds_stops_across_pieces():
    scanner = StopScanner(("RUST_END", "\n}"))
    emitted = "".join(scanner.feed(p) for p in ["fn a() {} RU", "ST_", "END trailing"])
    assert scanner.hit == "RUST_END" and scanner.text == "fn a() {} "
    assert emitted + scanner.flush() == "fn a() {} "
    earliest = StopScanner(("B", "A"))
    earliest.feed("xxAyyB")
    assert earliest.hit == "A" and earliest.text == "xx"


def test_fake_backend_scripts_stops_lengths_and_timings():
    backend = FakeBackend(["abc RUST_END more", "x" * 100], tokens_per_second=100, ttft_seconds=0.5)
    first, second = backend.generate(
        [
            GenRequest(prompt="p", stop=("RUST_END",)),
            GenRequest(prompt="p", max_tokens=5),
        ]
    )
    assert (first.text, first.finish, first.stopped_by) == ("abc ", "stop", "RUST_END")
    assert second.finish == "length" and second.tokens == 5
    assert second.total_seconds == pytest.approx(0.5 + 4 / 100)
    assert len(backend.requests) == 2
    with pytest.raises(IndexError):
        backend.generate([GenRequest(prompt="p")])


def test_a_loop_is_a_short_piece_repeated_over_the_whole_span():
    assert looping("fn f() {\n" + "o|" * 128, 256)
    assert looping("x" + "    result.pop();\n" * 19, 256)  # a 18-character piece
    assert not looping("o|" * 127, 256)  # shorter than the span
    assert not looping("o|" * 500, 0)  # off
    assert not looping("".join(f"assert_eq!(f({i}), {i * i});\n" for i in range(40)), 256)
    assert not looping(("a" * 33 + "b") * 20, 256)  # a 34-character piece is longer than recognised


def test_the_loop_guard_ends_runaway_output_early():
    runaway = 'fn f() -> u8 {\n    let s = "' + "o|" * 400
    backend = FakeBackend([runaway] * 4)
    guarded, unguarded = backend.generate(
        [GenRequest(prompt="p", max_tokens=150, loop_span=64), GenRequest(prompt="p", max_tokens=150)]
    )
    assert guarded.finish == "loop" and guarded.cut_off and guarded.tokens < 30
    assert guarded.text.endswith("o|" * 32) and runaway.startswith(guarded.text)
    assert unguarded.finish == "length" and unguarded.tokens == 150
    streamed = "".join(c.text for c in backend.stream(GenRequest(prompt="p", max_tokens=150, loop_span=64)))
    assert streamed == guarded.text
    completion = STRATEGIES["completion"].outcome(fixture_problems("humanevalx_mini.jsonl")[0], guarded)
    assert not completion.well_formed


def test_a_stream_is_typed_chunks_whose_last_says_how_it_ended():
    from rustcoder.backends.base import Chunk, collect, scan

    closed: list[bool] = []

    def model():
        try:
            yield from ["fn f", "() {", " 1 }", "\nRUST", "_END", " and more"]
        finally:
            closed.append(True)

    request = GenRequest(prompt="p", max_tokens=50, stop=("RUST_END",))
    chunks = list(scan(model(), request, prompt_tokens=7))
    assert "".join(c.text for c in chunks) == "fn f() { 1 }\n" and closed == [True]
    assert all(c.finish is None and c.usage is None for c in chunks[:-1])
    last = chunks[-1]
    assert (last.text, last.finish, last.stopped_by) == ("", "stop", "RUST_END")
    assert last.usage is not None and (last.usage.prompt_tokens, last.usage.tokens) == (7, 5)
    generation = collect(chunks)
    assert generation.text == "fn f() { 1 }\n" and generation.finish == "stop" and generation.tokens == 5
    with pytest.raises(ValueError, match="last chunk"):
        collect([Chunk("x")])


def test_closing_a_stream_early_ends_the_models_generation():
    from rustcoder.backends.base import scan

    closed: list[bool] = []

    def model():
        try:
            while True:
                yield "tok "
        finally:
            closed.append(True)

    stream = scan(model(), GenRequest(prompt="p", max_tokens=10_000), prompt_tokens=1)
    assert next(stream).text == "tok "
    stream.close()  # a client went away
    assert closed == [True]


def test_requests_are_validated():
    with pytest.raises(ValueError):
        GenRequest()
    with pytest.raises(ValueError):
        GenRequest(prompt="p", messages=(Message("user", "x"),))
    with pytest.raises(ValueError):
        GenRequest(prompt="p", temperature=-1)
    with pytest.raises(ValueError):
        GenRequest(prompt="p", loop_span=-1)

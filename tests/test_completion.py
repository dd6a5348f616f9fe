"""The completion engine without HTTP: mode, context budget, snippets, cuts, cache, cancellation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial

from rustcoder.backends.base import Chunk, GenRequest, scan
from rustcoder.backends.fake import FakeBackend
from rustcoder.backends.fim import ContextFile
from rustcoder.completion.cache import Key, SuggestionCache
from rustcoder.completion.context import fit, snippets
from rustcoder.completion.engine import CompletionEngine, EngineSettings, split_typed
from rustcoder.completion.post import mode_at, suggestion
from rustcoder.completion.request import CompletionRequest, Mode, StopType
from tests.conftest import wait_until

FILE_PREFIX = "use std::collections::HashMap;\n\npub fn count(words: &[&str]) -> HashMap<String, usize> {\n"
FILE_SUFFIX = "\n}\n\npub fn other() {}\n"


def count_chars(text: str) -> int:
    return len(text)


def test_the_mode_follows_the_cursor():
    assert mode_at("fn f() {", "\n}") is Mode.BLOCK  # after an opening brace
    assert mode_at("fn f() {\n    ", "\n}") is Mode.BLOCK  # on an empty line
    assert mode_at("    let x = ", ";\n") is Mode.LINE  # in the middle of a line
    assert mode_at("    if x {", "}\n") is Mode.BLOCK  # `{|}`: the braces' contents
    assert mode_at("    foo(", "a)\n") is Mode.LINE  # text after the cursor on the line


def test_the_context_keeps_the_cursor_lines_and_cuts_at_line_boundaries():
    prefix = "".join(f"line {i}\n" for i in range(100)) + "    let x = "
    suffix = ";\n" + "".join(f"after {i}\n" for i in range(100))
    window = fit(prefix, suffix, [ContextFile("a.rs", "x" * 50)], 400, count_chars)
    assert window.prefix.endswith("line 99\n    let x = ") and window.prefix.startswith("line ")
    assert window.suffix.startswith(";\nafter 0\n") and window.suffix.endswith("\n")
    assert window.truncated and window.tokens <= 400
    assert len(window.prefix) <= 300 < len(window.prefix) + len("line 99\n") * 2  # 3/4 of the budget
    assert window.files == ()  # no room left for the other file's chunk
    roomy = fit("fn f() {", "}", [ContextFile("a.rs", "x" * 50)], 400, count_chars)
    assert not roomy.truncated and [f.path for f in roomy.files] == ["a.rs"]


def test_snippets_are_the_windows_most_like_the_lines_before_the_cursor():
    noise = "".join(f"fn unrelated_{i}() {{ let q = {i}; }}\n" for i in range(80))
    target = "pub fn parse_header(bytes: &[u8]) -> Header {\n    Header::from_bytes(bytes)\n}\n"
    files = [ContextFile("noise.rs", noise), ContextFile("header.rs", noise[:400] + target + noise[:400])]
    chosen = snippets(files, "let header = parse_header(bytes);", lines=8, stride=4, most=2)
    assert chosen and chosen[0].path.startswith("header.rs:") and "parse_header" in chosen[0].text


def test_the_cache_serves_the_same_cursor_and_what_was_typed_of_a_suggestion():
    cache = SuggestionCache(size=2)
    key = Key("\n}", "ctx")
    cache.put(key, "fn f() {", "\n    let total = 1;")
    assert cache.get(key, "fn f() {") == "\n    let total = 1;"
    assert cache.get(key, "fn f() {\n    let to") == "tal = 1;"  # the user typed its start
    assert cache.get(key, "fn f() {\n    let x") is None  # typed something else
    assert cache.get(Key("\n}\n", "ctx"), "fn f() {") is None  # another suffix
    cache.put(key, "a", "1")
    cache.put(key, "b", "2")
    assert cache.get(key, "fn f() {") is None and len(cache) == 2  # least recently used, evicted


def test_a_suggestion_is_cut_stripped_and_never_worse_syntax():
    prefix, suffix = "fn f(x: i32) -> i32 {", "\n}\n"
    assert suggestion("\n    x + 1\n}\n\nfn g() {}", Mode.BLOCK, prefix, suffix) == ("\n    x + 1", "")
    assert suggestion("```rust\n    x + 1\n```", Mode.BLOCK, prefix, suffix)[0] == "    x + 1"
    assert suggestion("  \n ", Mode.BLOCK, prefix, suffix) == ("", "whitespace only")
    assert suggestion("\n    if x {", Mode.BLOCK, prefix, suffix) == ("", "makes the file's syntax worse")
    assert suggestion("x + 1;\nmore", Mode.LINE, "    let y = ", "\n") == ("x + 1;", "")
    assert suggestion("x + 1);", Mode.LINE, "    f(", ");\n") == ("x + 1", "")  # not `);` twice


def test_the_engine_renders_context_cuts_at_the_block_end_and_caches():
    backend = FakeBackend(["\n    words.iter().map(|w| (w.to_string(), 1)).collect()\n}\nfn extra() {}"] * 2)
    engine = CompletionEngine(backend, count=count_chars)
    request = CompletionRequest(
        FILE_PREFIX, FILE_SUFFIX, files=(ContextFile("src/util.rs", "pub fn helper() {}"),), path="src/lib.rs"
    )
    first = engine.complete(request)
    assert first.text == "\n    words.iter().map(|w| (w.to_string(), 1)).collect()"
    assert first.mode is Mode.BLOCK and first.stop_type is StopType.EOS and not first.from_cache
    [sent] = backend.requests
    # the file's first lines are typed text (the cursor is on line 3, the anchor on line 0)
    assert sent.prompt == "" and sent.middle_start == FILE_PREFIX
    assert (
        sent.suffix == FILE_SUFFIX
        and sent.context_files[0].path == "src/util.rs"
        and sent.path == "src/lib.rs"
    )
    assert [rule.name for rule in sent.ends] == ["end of block", "suffix repeated", "cancelled", "yielded"]
    typed = CompletionRequest(
        FILE_PREFIX + "\n    words.iter()", FILE_SUFFIX, files=request.files, path="src/lib.rs"
    )
    again = engine.complete(typed)
    assert again.from_cache and again.text == ".map(|w| (w.to_string(), 1)).collect()"
    assert len(backend.requests) == 1  # the model was not asked again
    assert sent.holds == ()  # holding the end token back is asked for
    holding = FakeBackend(["x"] * 2)
    held = CompletionEngine(holding, EngineSettings(hold_open=True), count=count_chars)
    held.complete(request)
    held.complete(CompletionRequest("fn f() {\n    let x = ", "\n}\n"))  # a single line: never held
    assert [[hold.name for hold in r.holds] for r in holding.requests] == [["open bracket"], []]


def test_warming_and_a_raw_prompt():
    backend = FakeBackend(["ignored", "raw text\nmore"])
    engine = CompletionEngine(backend, count=count_chars)
    warm = engine.complete(CompletionRequest(FILE_PREFIX, FILE_SUFFIX, max_tokens=0, warm_only=True))
    assert warm.text == "" and backend.requests[0].max_tokens == 1
    raw = engine.complete(CompletionRequest("<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>", raw=True))
    assert raw.text == "raw text\nmore" and backend.requests[1].suffix is None  # the client's own template


class Gated:
    """A backend whose stream waits on a gate after its first piece, so a test can act mid-generation."""

    name = "gated"
    max_concurrency = 1

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.closed = threading.Event()
        self.lock = threading.Lock()

    def render(self, request: GenRequest) -> str:
        return request.prompt or ""

    def _pieces(self, request: GenRequest) -> Iterator[str]:
        with self.lock:
            try:
                yield "first"
                self.started.set()
                self.gate.wait(5)
                yield from ["x"] * 50
            finally:
                self.closed.set()

    def stream(self, request: GenRequest) -> Iterator[Chunk]:
        return scan(self._pieces(request), request, 1)


def older_then_newer(cancel_stale: bool, both_asked: int) -> tuple[Gated, dict]:
    """Client "vim" asks, then asks again while the first answer is being written; the answers."""
    backend = Gated()
    settings = EngineSettings(post_process=False, cancel_stale=cancel_stale)
    engine = CompletionEngine(backend, settings, count=count_chars)  # type: ignore[arg-type]
    results: dict = {}

    def ask(name: str, prefix: str) -> threading.Thread:
        thread = threading.Thread(
            target=lambda: results.setdefault(name, engine.complete(CompletionRequest(prefix, client="vim")))
        )
        thread.start()
        return thread

    older = ask("older", "a = ")
    assert backend.started.wait(5)
    newer = ask("newer", "a = 1")
    assert wait_until(lambda: engine.turns.waiting_lines == 1)  # the newer one is waiting for the model
    assert len(engine._active) == both_asked
    backend.gate.set()
    older.join(5)
    newer.join(5)
    return backend, results


def test_a_newer_request_of_the_same_client_cancels_the_older_at_once():
    backend, results = older_then_newer(cancel_stale=True, both_asked=1)  # the older one let go
    assert results["older"].cancelled and results["older"].text == ""
    assert not results["newer"].cancelled and results["newer"].text.startswith("first")
    assert backend.closed.is_set()


def test_a_request_is_replaced_when_it_arrives_not_when_its_work_starts():
    backend = FakeBackend(["1 + 1"])
    engine = CompletionEngine(backend, count=count_chars)
    request = CompletionRequest(FILE_PREFIX + "    let total = ", FILE_SUFFIX, client="editor")
    older = engine.claim("editor")  # both arrived; the server had no worker for the older one yet
    newer = engine.claim("editor")
    late = engine.complete(request, None, older)  # its work starts after the newer one arrived
    assert late.cancelled and backend.requests == []  # let go before the model was asked
    answer = engine.complete(request, None, newer)
    assert not answer.cancelled and answer.text == "1 + 1"
    assert engine._active == {}


def test_without_cancel_stale_the_older_request_runs_to_its_end():
    _, results = older_then_newer(cancel_stale=False, both_asked=2)  # both kept; the newer waits its turn
    assert not results["older"].cancelled and results["older"].text == "first" + "x" * 50
    assert not results["newer"].cancelled


def test_a_disconnect_cancels_too_and_the_time_budget_ends_at_a_line_end():
    backend = FakeBackend(["line one\nline two\n" * 20])
    engine = CompletionEngine(backend, EngineSettings(post_process=False), count=count_chars)
    gone = threading.Event()
    gone.set()
    assert engine.complete(CompletionRequest("fn f() {\n", "\n}"), cancel=gone).cancelled
    timed = engine.complete(CompletionRequest("x", "\n}", time_budget_ms=0, max_tokens=64, mode=Mode.BLOCK))
    assert timed.text == "line one" and timed.stop_type is StopType.LIMIT


class Lines(Gated):
    """Writes one line of a block, waits on the gate, then writes more lines."""

    def _pieces(self, request: GenRequest) -> Iterator[str]:
        with self.lock:
            if request.suffix == ";":  # the single-line request
                yield from ["1 + 1", ";\n"]
                return
            try:
                yield "\n    a();"
                self.started.set()
                self.gate.wait(5)
                yield from ["\n    b();", "\n    c();", "\n}"]
            finally:
                self.closed.set()


def test_a_multi_line_suggestion_yields_the_model_to_a_waiting_single_line_request():
    """While one client's block is being written, another client's keystroke waits only for the line
    in progress: the block ends after its last whole line and says so."""
    backend = Lines()
    engine = CompletionEngine(backend, count=count_chars)  # type: ignore[arg-type]
    results = {}
    block = threading.Thread(
        target=lambda: results.setdefault(
            "block", engine.complete(CompletionRequest("fn f() {", "\n}", client="a"))
        )
    )
    block.start()
    assert backend.started.wait(5)
    line = threading.Thread(
        target=lambda: results.setdefault(
            "line", engine.complete(CompletionRequest("let x = ", ";", client="b"))
        )
    )
    line.start()
    assert wait_until(lambda: engine.turns.waiting_lines == 1)
    backend.gate.set()
    block.join(5)
    line.join(5)
    assert results["block"].yielded and results["block"].text == "\n    a();"
    assert results["block"].stop_type is StopType.LIMIT
    assert results["line"].text == "1 + 1" and engine.turns.waiting_lines == 0


def test_turns_put_lines_first_and_let_a_cancelled_wait_go():
    from rustcoder.completion.turns import Turns

    turns, order = Turns(), []
    assert turns.acquire(False, lambda: False)  # a block holds the model
    gone = threading.Event()
    leaving = threading.Thread(target=lambda: order.append(("stale", turns.acquire(True, gone.is_set))))
    block = threading.Thread(target=lambda: order.append(("block", turns.acquire(False, lambda: False))))
    line = threading.Thread(target=lambda: order.append(("line", turns.acquire(True, lambda: False))))
    leaving.start()
    block.start()
    assert wait_until(lambda: turns.waiting_lines == 1)
    gone.set()  # the stale keystroke is cancelled while it waits: it leaves without the model
    leaving.join(5)
    line.start()
    assert wait_until(lambda: turns.waiting_lines == 1)
    turns.release()
    line.join(5)
    turns.release()  # the line's turn is over
    block.join(5)
    assert order == [("stale", False), ("line", True), ("block", True)]


def test_typing_within_a_line_changes_only_what_follows_the_middle_marker():
    backend = FakeBackend(["1;", "2;"])
    engine = CompletionEngine(backend, EngineSettings(middle_lines=1), count=count_chars)
    engine.complete(CompletionRequest(FILE_PREFIX + "    let total = ", FILE_SUFFIX))
    engine.complete(CompletionRequest(FILE_PREFIX + "    let total = 4 + ", FILE_SUFFIX))
    first, second = backend.requests
    assert first.prompt == second.prompt == FILE_PREFIX  # the same head: the KV cache keeps it
    assert (first.middle_start, second.middle_start) == ("    let total = ", "    let total = 4 + ")
    flat = FakeBackend(["1;"])
    CompletionEngine(flat, EngineSettings(middle_lines=0), count=count_chars).complete(
        CompletionRequest(FILE_PREFIX + "    let total = ", FILE_SUFFIX)
    )
    assert flat.requests[0].prompt.endswith("let total = ") and flat.requests[0].middle_start == ""


def test_new_lines_go_after_the_middle_marker_until_the_anchor_line_moves():
    lines = [f"let v{n} = {n};\n" for n in range(20)]
    prefix = "".join(lines[:10])  # the cursor on line 10, at its start
    assert split_typed(prefix, prefix, 8) == ("".join(lines[:8]), "".join(lines[8:10]))
    assert split_typed(prefix + "let", prefix + "let", 8)[0] == "".join(lines[:8])  # same head
    later = "".join(lines[:16])
    assert split_typed(later, later, 8) == ("".join(lines[:16]), "")  # line 16: a new anchor
    window = "".join(lines[12:16])  # the window starts after the anchor: all of it is typed text
    assert split_typed(later + "x", window + "x", 8) == ("".join(lines[12:16]), "x")
    assert split_typed(prefix, "".join(lines[6:10]), 8) == ("".join(lines[6:8]), "".join(lines[8:10]))


def test_a_cut_prefix_starts_on_the_grid_so_the_window_top_stays_put():
    lines = [f"x{n:02d}\n" for n in range(40)]  # 4 characters a line
    tops = set()
    for end in range(30, 38):  # the user writes lines 30..37
        window = fit("".join(lines[:end]) + "y", "", (), 4 * 20 * 4 // 3, count_chars, grid=16)
        tops.add(window.prefix.splitlines()[0])
        assert len(window.prefix) <= 4 * 20 + 1
    assert tops == {"x16"} or tops == {"x16", "x32"}
    exact = fit("".join(lines[:30]) + "y", "", (), 4 * 20 * 4 // 3, count_chars, grid=1)
    assert exact.prefix.splitlines()[0] == "x11"  # without the grid: as many lines as fit


def test_turns_go_in_order_of_arrival_within_each_kind():
    from rustcoder.completion.turns import Turns

    turns, order = Turns(), []
    assert turns.acquire(True, lambda: False)  # someone holds the model
    arrivals = [("block 1", False), ("line 1", True), ("block 2", False), ("line 2", True)]
    threads = []
    for name, single in arrivals:

        def wait(name: str = name, single: bool = single) -> None:
            if turns.acquire(single, lambda: False):
                order.append(name)
                turns.release()

        threads.append(threading.Thread(target=wait))
        threads[-1].start()
        assert wait_until(partial(lambda n: len(turns._waiting) == n, len(threads)))  # one by one, in order
    turns.release()
    for thread in threads:
        thread.join(5)
    assert order == ["line 1", "line 2", "block 1", "block 2"]

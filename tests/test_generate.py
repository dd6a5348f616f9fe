"""The generation driver: attempts, retries by error type, failures recorded and resumed."""

import json

import pytest

from rustcoder.backends.fake import FakeBackend
from rustcoder.errors import BackendError, ContextOverflowError, DataError
from rustcoder.generation.generate import generate
from rustcoder.prompting.registry import STRATEGIES
from rustcoder.settings import Sampling
from rustcoder.types import Language
from tests.conftest import SUM_OK, Remembering, asked, fixture_problems


def test_delimited_retries_until_well_formed(tmp_path):
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    answers = ["fn sum_all(" + "o|" * 1000, "", SUM_OK + "RUST_END"]  # a runaway, an empty answer, code
    backend = FakeBackend(answers)
    out = tmp_path / "samples.jsonl"
    assert generate(backend, STRATEGIES["delimited"], [problem], Sampling(), out) == 1
    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    assert row["attempts"] == 3 and row["well_formed"] is True
    assert row["solution"].strip() == SUM_OK.strip()
    assert [r.temperature for r in backend.requests] == [0.0, 0.5, 0.5]
    assert len({r.seed for r in backend.requests}) == 3
    assert {r.loop_span for r in backend.requests} == {256} and row["tokens"] < 100  # not 768 for the loop
    assert row["gen_seconds"] > 0 and row["tokens"] > 0 and "ttft_seconds" in row


def test_the_last_attempt_is_kept_regardless(tmp_path):
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    backend = FakeBackend(lambda request, call: "never closed")
    out = tmp_path / "samples.jsonl"
    generate(backend, STRATEGIES["delimited"], [problem], Sampling(attempts=4), out)
    row = json.loads(out.read_text())
    assert row["attempts"] == 4 and row["well_formed"] is False and len(backend.requests) == 4


def test_backend_failures_are_recorded_then_generated_again(tmp_path, monkeypatch):
    monkeypatch.setattr("rustcoder.generation.generate.time.sleep", lambda _s: None)
    problems = fixture_problems("humanevalx_mini.jsonl")[:2]

    def flaky(request, call):
        if "sum_all" in request.messages[0].content:
            raise BackendError("server went away")
        return "```rust\nfn reverse_string(s: &str) -> String { s.chars().rev().collect() }\n```"

    out = tmp_path / "samples.jsonl"
    generate(FakeBackend(flaky), STRATEGIES["instruct"], problems, Sampling(backend_retries=2), out)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0]["error"] == "server went away" and rows[0]["solution"] == ""
    assert "error" not in rows[1]
    made = generate(FakeBackend([SUM_OK]), STRATEGIES["instruct"], problems, Sampling(), out)
    assert made == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2 and not any("error" in r for r in rows)


def test_generation_resumes_where_it_stopped(tmp_path):
    problems = fixture_problems("humanevalx_mini.jsonl")

    def interrupted(request, call):
        if call == 3:
            raise KeyboardInterrupt
        return SUM_OK

    out = tmp_path / "samples.jsonl"
    with pytest.raises(KeyboardInterrupt):
        generate(FakeBackend(interrupted), STRATEGIES["instruct"], problems, Sampling(n=2), out)
    assert len(out.read_text().splitlines()) == 3
    backend = FakeBackend(lambda r, c: SUM_OK)
    assert generate(backend, STRATEGIES["instruct"], problems, Sampling(n=2), out) == 3
    keys = [(r["task_id"], r["sample_index"]) for r in map(json.loads, out.read_text().splitlines())]
    assert sorted(keys) == sorted({(p.task_id, i) for p in problems for i in range(2)})


def test_strategies_refuse_languages_they_do_not_support(tmp_path):
    python = fixture_problems("humaneval_python_mini.jsonl")
    with pytest.raises(DataError, match="does not support python"):
        generate(FakeBackend(), STRATEGIES["delimited"], python, Sampling(), tmp_path / "s.jsonl")


def test_retries_are_decided_by_the_errors_type(tmp_path, monkeypatch):
    monkeypatch.setattr("rustcoder.generation.generate.time.sleep", lambda _s: None)
    problem = fixture_problems("humanevalx_mini.jsonl")[0]
    calls: list[str] = []

    def overflowing(request, call):
        calls.append("overflow")
        raise ContextOverflowError("prompt of 9000 tokens exceeds the context of 4096")

    out = tmp_path / "a.jsonl"
    generate(FakeBackend(overflowing), STRATEGIES["instruct"], [problem], Sampling(backend_retries=3), out)
    assert calls == ["overflow"]  # retrying cannot help: tried once, recorded
    assert "exceeds the context" in json.loads(out.read_text())["error"]

    def transient(request, call):
        calls.append("transient")
        if call < 2:
            raise BackendError("503 from the server")
        return "```rust\n" + SUM_OK + "```"

    calls.clear()
    out = tmp_path / "b.jsonl"
    generate(FakeBackend(transient), STRATEGIES["instruct"], [problem], Sampling(backend_retries=3), out)
    assert calls == ["transient"] * 3 and "error" not in json.loads(out.read_text())


def test_a_bug_in_a_strategy_is_raised_not_retried(tmp_path):
    class Broken:
        name, description, languages, default_attempts = "broken", "", frozenset(Language), 1

        def request(self, problem, *, temperature, seed, max_tokens):
            return STRATEGIES["instruct"].request(
                problem, temperature=temperature, seed=seed, max_tokens=max_tokens
            )

        def outcome(self, problem, generation):
            raise KeyError("a bug")

        def template(self):
            return {}

    backend = FakeBackend(["x"] * 5)
    with pytest.raises(KeyError, match="a bug"):
        generate(
            backend, Broken(), fixture_problems("humanevalx_mini.jsonl")[:1], Sampling(), tmp_path / "s.jsonl"
        )
    assert len(backend.requests) == 1


def test_a_request_the_backend_cannot_serve_at_all_stops_the_run_once(tmp_path):
    """A model without FIM tokens asked to fill gaps: one clear error before anything is written, not
    a backend_error on every sample."""
    from rustcoder.errors import RequestError
    from rustcoder.prompting.registry import strategy_named

    class NoFim(FakeBackend):
        def render(self, request):
            if request.suffix is not None:
                raise RequestError("fake has no fill-in-the-middle tokens")
            return super().render(request)

    problems = fixture_problems("fim_mini.jsonl")
    out = tmp_path / "samples.jsonl"
    backend = NoFim(["x"])
    with pytest.raises(RequestError, match="no fill-in-the-middle tokens"):
        generate(backend, strategy_named("fim"), problems, Sampling(), out)
    assert backend.requests == [] and (not out.exists() or out.read_text() == "")


def test_a_backend_that_decodes_samples_together_gets_each_problems_first_attempts_in_one_call(tmp_path):
    problem = fixture_problems("humanevalx_mini.jsonl")[0]

    class Together(FakeBackend):
        parallel_sequences = 3

        def __init__(self) -> None:
            super().__init__(lambda request, call: SUM_OK + "RUST_END" if request.seed % 2 else "no end")
            self.calls: list[int] = []

        def generate(self, requests):
            self.calls.append(len(requests))
            return super().generate(requests)

    backend = Together()
    out = tmp_path / "samples.jsonl"
    assert generate(backend, STRATEGIES["delimited"], [problem], Sampling(n=5, temperature=0.8), out) == 5
    rows = sorted(
        (json.loads(line) for line in out.read_text().splitlines()), key=lambda r: r["sample_index"]
    )
    assert [r["sample_index"] for r in rows] == [0, 1, 2, 3, 4]
    # the first attempts three at a time, then each malformed one's retry on its own
    assert backend.calls == [3, 1, 1, 1, 2, 1, 1]
    seeds = [r.seed for r in backend.requests]
    assert seeds[:3] + seeds[6:8] == [0, 1000, 2000, 3000, 4000]  # the seeds they get one by one
    assert all(r["attempts"] == 2 and r["well_formed"] for r in rows)  # even seeds fail, retries pass
    assert [r["call"] for r in rows] == [0, 0, 0, 3, 3]  # which call each was decoded in
    single = tmp_path / "single.jsonl"
    generate(backend, STRATEGIES["delimited"], [problem], Sampling(), single)
    assert "call" not in json.loads(single.read_text())  # one sample: its line as before


def test_a_resumed_run_first_replays_the_requests_of_the_samples_it_has(tmp_path):
    from rustcoder.backends.base import Replays

    problems = fixture_problems("humanevalx_mini.jsonl")
    names = [p.entry_point for p in problems]

    def interrupted(request, call):
        if call == 2:
            raise KeyboardInterrupt
        return SUM_OK

    out = tmp_path / "samples.jsonl"
    first = Remembering(interrupted)
    assert isinstance(first, Replays)
    with pytest.raises(KeyboardInterrupt):
        generate(first, STRATEGIES["instruct"], problems, Sampling(), out)
    # a new run starts from an empty cache, as a process of its own, whatever the backend did before
    assert first.log[:2] == [("replay", "fresh"), ("generate", names[0])]
    assert first.log[2:4] == [("replay", "after"), ("generate", names[1])]
    again = Remembering(lambda r, c: SUM_OK)
    assert generate(again, STRATEGIES["instruct"], problems, Sampling(), out) == 1
    # the two samples made before the interruption are replayed in order, then the third is generated
    assert again.log == [("replay", "fresh", names[0], names[1]), ("generate", names[2])]
    assert again.replayed == first.requests[:2]  # the very requests that made them


def test_a_sample_made_again_in_the_middle_replays_those_before_it_only(tmp_path, monkeypatch):
    monkeypatch.setattr("rustcoder.generation.generate.time.sleep", lambda _s: None)
    problems = fixture_problems("humanevalx_mini.jsonl")
    names = [p.entry_point for p in problems]

    def second_fails(request, call):
        if asked(request) == names[1]:
            raise BackendError("server went away")
        return SUM_OK

    out = tmp_path / "samples.jsonl"
    generate(FakeBackend(second_fails), STRATEGIES["instruct"], problems, Sampling(backend_retries=1), out)
    backend = Remembering(lambda r, c: SUM_OK)
    assert generate(backend, STRATEGIES["instruct"], problems, Sampling(), out) == 1
    assert backend.log == [("replay", "fresh", names[0]), ("generate", names[1])]  # not the third


def test_a_backend_that_cannot_replay_is_asked_as_before(tmp_path):
    problems = fixture_problems("humanevalx_mini.jsonl")

    class Parallel(Remembering):
        max_concurrency = 4  # requests in flight at once: no one cache to replay

    backend = Parallel(lambda r, c: SUM_OK)
    generate(backend, STRATEGIES["instruct"], problems, Sampling(), tmp_path / "samples.jsonl")
    assert [entry[0] for entry in backend.log] == ["generate"] * 3

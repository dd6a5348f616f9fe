"""The HTTP server in process (Starlette's test client) with the fake backend: every endpoint's wire
format, limits, the API key and errors. The real server process and model: test_serve_process.py."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from rustcoder.backends.fake import FakeBackend
from rustcoder.completion.engine import CompletionEngine
from rustcoder.serve.app import create_app
from rustcoder.serve.metrics import ServerMetrics
from rustcoder.serve.served import Served
from rustcoder.serve.settings import ServeError, ServeSettings
from tests.conftest import make_client

LLAMA_VIM_REQUEST = {
    "input_prefix": "use std::collections::HashMap;\n\npub fn count(words: &[&str]) -> usize {\n",
    "input_suffix": "\n}\n",
    "input_extra": [{"filename": "src/util.rs", "text": "pub fn helper() -> usize { 1 }\n"}],
    "prompt": "    ",
    "n_predict": 128,
    "n_indent": 4,
    "top_k": 40,
    "top_p": 0.90,
    "samplers": ["top_k", "top_p", "infill"],
    "stream": False,
    "cache_prompt": True,
    "t_max_prompt_ms": 500,
    "t_max_predict_ms": 1000,
    "response_fields": [
        "content",
        "timings/prompt_n",
        "timings/prompt_ms",
        "timings/prompt_per_token_ms",
        "timings/prompt_per_second",
        "timings/predicted_n",
        "timings/predicted_ms",
        "timings/predicted_per_token_ms",
        "timings/predicted_per_second",
        "truncated",
        "tokens_cached",
    ],
}
"""What llama.vim sends (its s:fim_send), field for field."""


def test_infill_answers_llama_vims_request_with_the_fields_it_asks_for():
    client, backend = make_client(["words.len()\n}\n\nfn more() {}"])
    response = client.post("/infill", json=LLAMA_VIM_REQUEST)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == set(LLAMA_VIM_REQUEST["response_fields"])
    assert body["content"] == "words.len()"  # on an empty line: a block, cut where it closes
    sent = backend.requests[0]
    typed = sent.prompt + sent.middle_start  # llama.vim's prefix and prompt, whatever the anchor
    assert (
        typed.endswith("-> usize {\n    ") and sent.middle_start.endswith("    ") and sent.suffix == "\n}\n"
    )
    assert sent.context_files[0].path == "src/util.rs"
    whole = client.post("/infill", json={**LLAMA_VIM_REQUEST, "response_fields": None}).json()
    assert {"content", "stop_type", "tokens_cached", "tokens_evaluated", "truncated", "timings"} <= set(whole)
    assert whole["timings"]["predicted_n"] >= 0 and "cache_n" in whole["timings"]


def test_n_predict_zero_only_warms_the_cache():
    client, backend = make_client(["anything"])
    body = client.post("/infill", json={**LLAMA_VIM_REQUEST, "n_predict": 0, "response_fields": None}).json()
    assert body["content"] == "" and backend.requests[0].max_tokens == 1


def test_openai_completions_raw_prompt_and_suffix():
    client, backend = make_client(["x * 2", "\n    x * 2\n}\nmore"])
    raw = client.post("/v1/completions", json={"model": "any", "prompt": "<|fim_prefix|>a", "max_tokens": 8})
    assert raw.status_code == 200 and raw.json()["choices"][0]["text"] == "x * 2"
    assert backend.requests[0].suffix is None and backend.requests[0].prompt == "<|fim_prefix|>a"
    fim = client.post(
        "/v1/completions", json={"prompt": "fn f(x: i32) -> i32 {", "suffix": "\n}\n", "max_tokens": 32}
    ).json()
    assert fim["choices"][0]["text"] == "\n    x * 2" and fim["object"] == "text_completion"
    assert backend.requests[1].suffix == "\n}\n" and fim["usage"]["completion_tokens"] > 0


def sse(response) -> list[str]:
    return [line[len("data: ") :] for line in response.text.splitlines() if line.startswith("data: ")]


def test_streaming_completions_and_chat_end_with_done():
    client, _ = make_client(["one two three", "Hello there"])
    events = sse(client.post("/v1/completions", json={"prompt": "p", "max_tokens": 8, "stream": True}))
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert "".join(c["choices"][0]["text"] for c in chunks) == "one two three"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    chat = sse(
        client.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}], "stream": True}
        )
    )
    parts = [json.loads(e) for e in chat[:-1]]
    assert "".join(p["choices"][0]["delta"].get("content", "") for p in parts) == "Hello there"
    assert parts[0]["object"] == "chat.completion.chunk" and chat[-1] == "[DONE]"


def test_chat_completions_and_models():
    client, backend = make_client(["fn main() {}"])
    body = client.post(
        "/v1/chat/completions",
        json={"model": "whatever", "messages": [{"role": "user", "content": "Write main"}], "max_tokens": 20},
    ).json()
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "fn main() {}"}
    assert backend.requests[0].messages[0].content == "Write main"
    assert client.get("/v1/models").json()["data"][0]["id"] == "fake-model"


def test_bad_requests_get_4xx_with_a_message_never_a_500():
    client, _ = make_client(["x"] * 5, max_request_bytes=4096)
    broken = client.post("/infill", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and "error" in broken.json()
    wrong = client.post("/infill", json={"input_prefix": 3, "n_predict": "many"})
    assert wrong.status_code == 400 and "n_predict" in wrong.json()["error"]["message"]
    huge = client.post("/infill", json={"input_prefix": "x" * 10000})
    assert huge.status_code == 413 and "4096" in huge.json()["error"]["message"]
    two = client.post("/v1/completions", json={"prompt": "a", "n": 2})
    assert two.status_code == 400


def test_the_api_key_is_required_everywhere_but_health():
    client, _ = make_client(["x"] * 3, api_key="s3cret")
    assert client.get("/health").status_code == 200
    assert client.post("/infill", json=LLAMA_VIM_REQUEST).status_code == 401
    wrong = client.post("/infill", json=LLAMA_VIM_REQUEST, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = client.post("/infill", json=LLAMA_VIM_REQUEST, headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200


def test_metrics_count_requests_tokens_and_cache_hits():
    client, _ = make_client(["words.len()\n"])
    client.post("/infill", json=LLAMA_VIM_REQUEST)
    client.post("/infill", json=LLAMA_VIM_REQUEST)  # the same cursor again: from the cache
    text = client.get("/metrics").text
    assert 'rustcoder_request_seconds_count{endpoint="/infill",kind="multi-line"} 2.0' in text
    assert 'rustcoder_suggestion_cache_hits_total{endpoint="/infill"} 1.0' in text


def test_an_open_address_needs_an_api_key(monkeypatch):
    with pytest.raises(ServeError, match="without an API key"):
        ServeSettings(host="0.0.0.0").check_exposure()
    ServeSettings(host="127.0.0.1").check_exposure()
    monkeypatch.delenv("RC_TEST_KEY", raising=False)
    with pytest.raises(ServeError, match="RC_TEST_KEY"):
        ServeSettings(host="0.0.0.0", api_key_env="RC_TEST_KEY").api_key()
    monkeypatch.setenv("RC_TEST_KEY", "k")
    assert ServeSettings(host="0.0.0.0", api_key_env="RC_TEST_KEY").api_key() == "k"


ADD_TESTS = (
    "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn adds() {\n"
    "        assert_eq!(add(2, 3), 5);\n    }\n}\n"
)


@pytest.mark.rustc
@pytest.mark.sandbox
def test_solve_repairs_with_rustcs_feedback_and_judges_by_the_examples(executor):
    from rustcoder.evaluation.checks import sandbox_check

    broken = "fn add(a: i32, b: i32) -> i32 {\n    a + b as\n}\nRUST_END"
    fixed = "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\nRUST_END"
    backend = FakeBackend([broken, fixed])
    served = Served(
        CompletionEngine(backend), backend, "fake", ServeSettings(), ServerMetrics(), sandbox_check(executor)
    )
    client = TestClient(create_app(served))
    body = {
        "description": "Add two numbers.",
        "signature": "fn add(a: i32, b: i32) -> i32",
        "tests": ADD_TESTS,
    }
    answer = client.post("/api/solve", json=body).json()
    assert answer["status"] == "passed" and answer["tests_passed"] == 1, answer
    assert answer["code"].strip().startswith("fn add") and len(answer["rounds"]) == 1
    assert "does not compile" in answer["rounds"][0]["feedback"]
    assert "Write a Rust function `add(a: i32, b: i32) -> i32`" in backend.requests[0].messages[0].content


def test_solve_without_a_sandbox_or_with_a_bad_request_is_a_clear_error():
    client, _ = make_client(["x"])
    assert client.post("/api/solve", json={"description": "x"}).status_code == 503
    assert client.post("/api/solve", json={"description": ""}).status_code == 400
    assert client.post("/api/solve", json={"description": "x", "unknown": 1}).status_code == 400


def test_tabbys_clients_are_answered_on_their_own_path_and_on_v1_completions():
    client, backend = make_client(["x * 2\n}\nmore", "x * 2\n}\nmore"])
    body = {
        "language": "rust",
        "segments": {
            "prefix": "fn double(x: u32) -> u32 {\n    ",
            "suffix": "\n}\n",
            "filepath": "src/lib.rs",
            "declarations": [{"filepath": "src/other.rs", "body": "pub struct Other;"}],
            "relevant_snippets_from_changed_files": [
                {"filepath": "src/x.rs", "body": "fn x() {}", "score": 0.5}
            ],
        },
    }
    answer = client.post("/v1/completions", json=body).json()
    assert answer["choices"] == [{"index": 0, "text": "x * 2"}] and answer["id"].startswith("cmpl-")
    sent = backend.requests[0]
    assert [f.path for f in sent.context_files] == ["src/other.rs", "src/x.rs"] and sent.path == "src/lib.rs"
    assert client.post("/v1/tabby/completions", json=body).json()["choices"][0]["text"] == "x * 2"
    assert client.post("/v1/events", json={"type": "view"}).status_code == 200
    assert client.get("/v1/health").json()["status"] == "ok"


def test_serve_takes_its_settings_as_flags_and_a_switch_turns_off():
    from tests.conftest import rustcoder_cli

    helped = rustcoder_cli("serve", "--help", env={"COLUMNS": "200"})
    assert helped.returncode == 0
    assert all(flag in helped.stdout for flag in ("--api-key-env", "--context-tokens", "--no-post-process"))
    refused = rustcoder_cli("serve", "--no-post-process", "--host", "10.0.0.1", "--port", "9")
    assert refused.returncode == 2 and "without an API key" in refused.stderr
    llama_only = rustcoder_cli("serve", "--backend", "transformers", "--lookup-draft", "4", "--no-kv-reuse")
    assert llama_only.returncode == 2, llama_only.stderr
    assert "--kv-reuse, --lookup-draft: llama.cpp settings, not for --backend" in llama_only.stderr


def test_a_client_that_disconnects_cancels_its_generation():
    import asyncio
    import threading

    from rustcoder.serve.bridge import run_cancellable

    class Gone:
        """A request whose client hangs up on the second check."""

        def __init__(self) -> None:
            self.checks = 0

        async def is_disconnected(self) -> bool:
            self.checks += 1
            return self.checks >= 2

    seen = threading.Event()

    def work(cancel: threading.Event) -> str:
        seen.set()
        return "cancelled" if cancel.wait(5) else "ran to the end"

    assert asyncio.run(run_cancellable(Gone(), work)) == "cancelled"  # type: ignore[arg-type]
    assert seen.is_set()

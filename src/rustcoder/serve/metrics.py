"""The server's Prometheus metrics (prometheus-client), one registry per app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

if TYPE_CHECKING:
    from rustcoder.completion.request import Completion

BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)


class ServerMetrics:
    """Latency per endpoint and kind, tokens, KV cache reuse, suggestion-cache hits, cancellations, errors."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "rustcoder_request_seconds",
            "Time to answer a request, by endpoint and kind (single-line, multi-line, chat, raw).",
            ["endpoint", "kind"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.prompt_tokens = Counter(
            "rustcoder_prompt_tokens", "Prompt tokens.", ["endpoint"], registry=self.registry
        )
        self.generated_tokens = Counter(
            "rustcoder_generated_tokens", "Tokens generated.", ["endpoint"], registry=self.registry
        )
        self.reused_tokens = Counter(
            "rustcoder_kv_cache_reused_tokens",
            "Prompt tokens the model's KV cache already held (not evaluated again).",
            ["endpoint"],
            registry=self.registry,
        )
        self.cache_hits = Counter(
            "rustcoder_suggestion_cache_hits",
            "Requests answered from the cache of recent suggestions, without the model.",
            ["endpoint"],
            registry=self.registry,
        )
        self.cancellations = Counter(
            "rustcoder_cancellations",
            "Generations stopped by a newer request of the same client or a disconnect.",
            ["endpoint"],
            registry=self.registry,
        )
        self.errors = Counter(
            "rustcoder_errors",
            "Requests answered with an error.",
            ["endpoint", "status"],
            registry=self.registry,
        )

    def completion(self, endpoint: str, completion: Completion, seconds: float, kind: str = "") -> None:
        self.latency.labels(endpoint, kind or completion.mode.value).observe(seconds)
        self.prompt_tokens.labels(endpoint).inc(completion.prompt_tokens)
        self.generated_tokens.labels(endpoint).inc(completion.tokens)
        self.reused_tokens.labels(endpoint).inc(completion.cached_tokens)
        if completion.from_cache:
            self.cache_hits.labels(endpoint).inc()
        if completion.cancelled:
            self.cancellations.labels(endpoint).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)

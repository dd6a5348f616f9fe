"""A finished adapter scored on a benchmark subset through rustcoder's own harness (`evaluate:` of a
recipe): the same generation, sandbox and report as `rustcoder run --adapter`, problems the adapter was
trained on left out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustcoder.tuning.config import TuneConfig
from rustcoder.tuning.record import trained_problems

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend


def adapter_backend(config: TuneConfig, adapter: Path | None) -> Backend:
    """The base model of `config` with `adapter`: llama.cpp for a GGUF base and a LoRA (converted to GGUF
    once; several times faster than transformers on a CPU), else transformers."""
    from rustcoder.backends.factory import create_backend
    from rustcoder.models.fetch import resolve_model
    from rustcoder.settings import LlamaCppSettings, TransformersSettings

    if config.method != "prompt" and resolve_model(config.model).is_gguf:
        return create_backend("llamacpp", config.model, LlamaCppSettings(lora=adapter))
    return create_backend("transformers", config.model, TransformersSettings(adapter=adapter))


def evaluate_adapter(config: TuneConfig, adapter: Path, out: Path | None = None) -> dict[str, Any]:
    """pass@1 and counts of `adapter` on `config.evaluate`'s benchmark, run into `out` (by default
    OUTPUT/eval-NAME/); the problems its record says it trained on are left out."""
    from rustcoder.benchmarks import load_benchmark
    from rustcoder.generation.run import run
    from rustcoder.prompting.registry import strategy_named
    from rustcoder.settings import Sampling

    options = config.evaluate
    assert options is not None
    benchmark = load_benchmark(options.benchmark)
    ids = [p.task_id for p in benchmark.problems]
    trained = set(trained_problems(adapter, benchmark.sha256, benchmark.name, ids))
    problems = [p for p in benchmark.problems if p.task_id not in trained][: options.limit]
    if trained:
        benchmark.notes.append(f"{len(trained)} problems left out: the adapter was trained on them")
    backend = adapter_backend(config, adapter)
    languages = {p.language for p in problems}
    strategy = strategy_named(options.strategy, languages=languages)
    out = out or eval_folder(config)
    summary = run(benchmark, problems, backend, strategy, Sampling(), out)
    return {
        "benchmark": benchmark.name,
        "problems": len(problems),
        "left_out_trained": len(trained),
        "pass@1": summary.pass_at_k.get("1"),
        "run": str(out),
    }


def eval_folder(config: TuneConfig) -> Path:
    assert config.evaluate is not None
    return config.output / f"eval-{Path(config.evaluate.benchmark).stem}"

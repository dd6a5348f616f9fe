"""What `generate` and `run` share: their option groups, and turning them into a backend and a strategy."""

from typing import TYPE_CHECKING

from rustcoder.backends.factory import BackendOptions
from rustcoder.cli.options import Group
from rustcoder.models.registry import DEFAULT_MODEL
from rustcoder.settings import Execution, GenerationJob, Sampling
from rustcoder.types import Problem

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend
    from rustcoder.prompting.base import Strategy as PromptStrategy

JOB = Group("job", GenerationJob, flags={"model": ("--model", "-m"), "strategy": ("--strategy", "-s")},
            defaults={"model": DEFAULT_MODEL})  # fmt: skip
SAMPLING = Group("sampling", Sampling, skip=frozenset({"backend_retries"}), flags={"n": ("-n",)})
BACKEND = Group("backend", BackendOptions)
EXECUTION = Group("execution", Execution, flags={"jobs": ("--jobs", "-j")})


def open_backend(job: GenerationJob, options: BackendOptions) -> "Backend":
    from rustcoder.backends.factory import create_backend

    kind, settings = options.resolve(job.model)
    return create_backend(kind, job.model, settings)


def pick_strategy(
    job: GenerationJob, problems: list[Problem], variant: str | None = None
) -> "PromptStrategy":
    """The job's strategy in the job's prompt variant (or `variant`, when given)."""
    from rustcoder.errors import RustcoderError
    from rustcoder.prompting.registry import STRATEGY_NAMES, strategy_named
    from rustcoder.prompting.variants import variant_named, worded

    wording = variant_named(variant or job.prompt_variant)
    try:
        languages = {p.language for p in problems}
        strategy = strategy_named(
            job.strategy,
            rounds=job.rounds,
            languages=languages,
            fim_layout=job.fim_layout,
            fim_hold=job.fim_hold,
        )
    except KeyError:
        raise RustcoderError(
            f"unknown strategy {job.strategy!r}; choose one of {', '.join(STRATEGY_NAMES)}"
        ) from None
    return worded(strategy, wording)


def select(problems: list[Problem], job: GenerationJob) -> list[Problem]:
    return problems[: job.limit] if job.limit else problems

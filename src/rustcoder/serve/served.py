"""What every router is given: the engine, the backend behind it, the model's name, settings, metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustcoder.serve.metrics import ServerMetrics
from rustcoder.serve.settings import ServeSettings

if TYPE_CHECKING:
    from rustcoder.backends.base import Backend
    from rustcoder.completion.engine import CompletionEngine
    from rustcoder.prompting.base import Check


@dataclass(slots=True)
class Served:
    """What every router needs: the engine, the backend behind it, the model's name, the limits."""

    engine: CompletionEngine
    backend: Backend
    model_name: str
    settings: ServeSettings
    metrics: ServerMetrics
    check: Check | None = None
    """Compiles and runs public tests in the sandbox (for /api/solve); None: no sandbox here."""

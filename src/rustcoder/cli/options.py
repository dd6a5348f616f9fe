"""Command-line options made from typed settings: one field, one flag, with its default, help and bounds.

`with_settings(Group("sampling", Sampling), ...)` gives a command a `--max-tokens` for
`Sampling.max_tokens` (help from the field's description, `min` from its `ge`), and calls the command
with a validated `Sampling` as its `sampling` argument. `generate` and `run` take the same groups, so
their options cannot drift apart.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, TypeVar, cast

import annotated_types
import typer
from pydantic import BaseModel

R = TypeVar("R")


class Parsable(Protocol):
    """A settings model's `parse`, which names each bad field (`Settings`, `ServeSettings`)."""

    @classmethod
    def parse(cls, values: dict[str, Any], *, where: str = "") -> Any: ...


@dataclass(frozen=True, slots=True)
class Group:
    """A settings model offered as flags; the command receives it as its parameter `name`."""

    name: str
    model: type[BaseModel]
    """A pydantic model with a `parse` classmethod (`Parsable`)."""
    skip: frozenset[str] = frozenset()
    """Fields not offered as flags (their default stands)."""
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """A field's flags when not just `--field-name`, e.g. {"n": ("-n",)}."""
    defaults: dict[str, Any] = field(default_factory=dict)
    """Command-line defaults that differ from the model's, e.g. {"model": DEFAULT_MODEL}."""


def _option(group: Group, name: str, info: Any) -> inspect.Parameter:
    bounds: dict[str, Any] = {}
    for rule in info.metadata:
        if isinstance(rule, annotated_types.Ge):
            bounds["min"] = rule.ge
        elif isinstance(rule, annotated_types.Gt):
            bounds.update(min=rule.gt, min_open=True)
        elif isinstance(rule, annotated_types.Le):
            bounds["max"] = rule.le
    dashed = name.replace("_", "-")
    switch = (f"--{dashed}/--no-{dashed}",) if info.annotation is bool else (f"--{dashed}",)
    flags = group.flags.get(name, switch)
    option = typer.Option(*flags, help=info.description, **bounds)
    default = group.defaults.get(name, info.default)
    return inspect.Parameter(
        f"{group.name}__{name}",
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[info.annotation, option],
    )


def with_settings(*groups: Group) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Replace each group's parameter of the decorated command by one option per field."""

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        signature = inspect.signature(command)
        names = {group.name for group in groups}
        kept = [p for p in signature.parameters.values() if p.name not in names]
        added = [
            _option(group, name, info)
            for group in groups
            for name, info in group.model.model_fields.items()
            if name not in group.skip
        ]
        positional = [p for p in kept if p.kind is not inspect.Parameter.KEYWORD_ONLY]
        keyword = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in kept if p not in positional]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            for group in groups:
                values = {
                    name: kwargs.pop(f"{group.name}__{name}")
                    for name in group.model.model_fields
                    if name not in group.skip
                }
                kwargs[group.name] = cast("type[Parsable]", group.model).parse(values)
            return command(*args, **kwargs)

        parameters = [*positional, *added, *keyword]
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        return wrapper

    return decorate

"""Generators that stream pieces and then return a result: the one way to run one to its end."""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeVar

Y = TypeVar("Y")
R = TypeVar("R")


def drain(pieces: Generator[Y, None, R]) -> tuple[list[Y], R]:
    """Every piece `pieces` yields, and the value it returns."""
    items: list[Y] = []
    while True:
        try:
            items.append(next(pieces))
        except StopIteration as done:
            return items, done.value

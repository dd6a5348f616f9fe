"""Training examples from mined functions: fill-in-the-middle spans at syntax boundaries, instructions from
doc comments, and a split by crate.

A FIM middle is a span tree-sitter finds in the function (`rust_syntax.syntax_spans`), so it starts and
ends where code does: the whole body (inside its braces), a nested block's contents, one statement, one
line, or one expression.
Which span of each kind is taken is decided by a seeded generator keyed by the function's digest, so a
re-run makes the same examples whatever order the functions come in. The split assigns whole crates,
never single functions, by a hash of the seed and the crate's name: the test crates are unseen in
training, and adding a crate does not move the others.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rustcoder.backends.fim import FimTokens
from rustcoder.data.functions import MinedFunction
from rustcoder.rust_syntax import SpanKind, syntax_spans
from rustcoder.types import FimLayout


@dataclass(frozen=True, slots=True)
class FimExample:
    """A gap in a mined function; its fields make a FIM benchmark record (`task_id`, `prefix`, `middle`,
    `suffix`; the rest are labels), so a split's file is also a text-scored FIM benchmark."""

    task_id: str
    crate: str
    version: str
    licence: str
    path: str
    kind: SpanKind
    prefix: str
    middle: str
    suffix: str

    def text(self, tokens: FimTokens, layout: FimLayout = FimLayout.PSM) -> str:
        """The training text for a model with `tokens`: the FIM prompt, then the middle."""
        return tokens.prompt(self.prefix, self.suffix, layout) + self.middle


@dataclass(frozen=True, slots=True)
class InstructionExample:
    """Alpaca fields: the instruction (from the doc comment), an empty input, the function as output."""

    id: str
    crate: str
    version: str
    licence: str
    path: str
    instruction: str
    input: str
    output: str


def _example_id(function: MinedFunction, suffix: str) -> str:
    return f"{function.crate}-{function.version}/{function.path}:{function.start_line}/{suffix}"


def fim_examples(
    function: MinedFunction, *, seed: int = 0, kinds: Sequence[SpanKind] = tuple(SpanKind)
) -> list[FimExample]:
    """One example per kind the function has a span of, chosen by a generator seeded from `seed` and
    the function's digest."""
    spans = syntax_spans(function.code)
    chooser = random.Random(f"{seed}:{function.digest}")
    out = []
    for kind in kinds:
        candidates = spans.get(kind)
        if not candidates:
            continue
        start, end = candidates[chooser.randrange(len(candidates))]
        out.append(
            FimExample(
                task_id=_example_id(function, kind.value),
                crate=function.crate,
                version=function.version,
                licence=function.licence,
                path=function.path,
                kind=kind,
                prefix=function.code[:start],
                middle=function.code[start:end],
                suffix=function.code[end:],
            )
        )
    return out


INSTRUCTION = "Write a Rust function `{signature}` to solve the following problem:\n{doc}"
"""HumanEvalPack's instruction shape, so tuned models see the form they are evaluated with."""


def instruction_example(function: MinedFunction) -> InstructionExample | None:
    """An instruction from a documented function (None when it has no doc comment)."""
    if not function.doc:
        return None
    signature = function.signature.removeprefix("pub(crate) ").removeprefix("pub ")
    at = function.code.find(function.signature)
    output = function.code[at:] if at >= 0 else function.code  # the code without its doc comment
    return InstructionExample(
        id=_example_id(function, "instruction"),
        crate=function.crate,
        version=function.version,
        licence=function.licence,
        path=function.path,
        instruction=INSTRUCTION.format(signature=signature, doc=function.doc),
        input="",
        output=output,
    )


SPLITS = (("train", 0.9), ("validation", 0.05), ("test", 0.05))


def split_of(crate: str, seed: int = 0) -> str:
    """train, validation or test for a crate (all versions of it together), fixed by `seed`."""
    digest = hashlib.sha256(f"{seed}\x00{crate}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for name, share in SPLITS:
        edge += share
        if point < edge:
            return name
    return SPLITS[-1][0]


def benchmark_sample(
    rows: Sequence[Mapping[str, Any]], per_kind: int, seed: int = 0
) -> list[Mapping[str, Any]]:
    """Up to `per_kind` rows of each FIM kind, spread over the crates in turn (each crate's rows in a
    seeded order), so a few large crates do not make the benchmark; in a stable order."""
    chosen: list[Mapping[str, Any]] = []
    for kind in SpanKind:
        by_crate: dict[str, list[Mapping[str, Any]]] = {}
        for row in rows:
            if row["kind"] == kind.value:
                by_crate.setdefault(str(row["crate"]), []).append(row)
        queues = [
            sorted(items, key=lambda r: hashlib.sha256(f"{seed}\x00{r['task_id']}".encode()).digest())
            for _, items in sorted(by_crate.items())
        ]
        taken = 0
        while taken < per_kind and any(queues):
            for queue in queues:
                if queue and taken < per_kind:
                    chosen.append(queue.pop(0))
                    taken += 1
    return chosen

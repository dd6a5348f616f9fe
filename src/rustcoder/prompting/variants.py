"""Named wordings of a task's instruction (`--prompt-variant`), to measure how much a score depends on it.

A variant rewrites the instruction every instruction-based strategy shows the model (and may add a
system prompt); `exact` is the benchmark's own text and leaves a strategy untouched. `worded` wraps a
strategy in a variant, so that the run's recorded template, and hence its identity, names the wording.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rustcoder.backends.base import Generation, GenRequest, Message
from rustcoder.benchmarks.text import raw_docstring
from rustcoder.errors import RustcoderError
from rustcoder.prompting.base import MultiTurn, Outcome, Strategy
from rustcoder.types import ExecResult, Language, Problem

EXACT = "exact"

RUST_SYSTEM = (
    "You are an expert Rust programmer. Write idiomatic, safe Rust that compiles on stable: borrow "
    "rather than clone, prefer iterators and pattern matching, use the exact integer types of the "
    "signature, and do not add a main function or tests."
)
PYTHON_SYSTEM = "You are an expert Python programmer. Write clear, idiomatic Python."


@dataclass(frozen=True, slots=True)
class PromptVariant:
    """One wording of the instruction: "Write a {language} function `{signature}` to solve the
    following problem:\\n{doc}" with these changes."""

    name: str
    description: str
    keyword: bool = False
    """The signature written with its `fn` / `def`."""
    indented: bool = False
    """The doc comment as the prompt writes it (each line's indentation kept), not dedented."""
    code_block: bool = False
    """The signature in a fenced code block after the description, not inline."""
    system: bool = False
    """A short system prompt about the language's idioms."""

    def instruction(self, problem: Problem) -> str:
        if self.name == EXACT:
            return problem.instruction
        language = problem.language.value.capitalize()
        keyword = "def" if problem.language is Language.PYTHON else "fn"
        signature = f"{keyword} {problem.signature}" if self.keyword or self.code_block else problem.signature
        doc = problem.docstring
        if self.indented:
            doc = raw_docstring(problem.prompt, problem.language.value, problem.entry_point) or doc
        if self.code_block:
            fence = problem.language.value
            return (
                f"Write a {language} function to solve the following problem:\n{doc}\n\n"
                f"Its signature:\n```{fence}\n{signature}\n```"
            )
        return f"Write a {language} function `{signature}` to solve the following problem:\n{doc}"

    def system_prompt(self, language: Language) -> str:
        if not self.system:
            return ""
        return PYTHON_SYSTEM if language is Language.PYTHON else RUST_SYSTEM

    def reword(self, problem: Problem) -> Problem:
        return dataclasses.replace(problem, instruction=self.instruction(problem))

    def with_system(self, request: GenRequest, language: Language) -> GenRequest:
        """The request with the system prompt: a system message for a chat, or the text before a raw
        prompt (Alpaca's preamble)."""
        text = self.system_prompt(language)
        if not text:
            return request
        if request.messages:
            rest = request.messages[1:] if request.messages[0].role == "system" else request.messages
            return dataclasses.replace(request, messages=(Message("system", text), *rest))
        return dataclasses.replace(request, prompt=f"{text}\n\n{request.prompt}")

    def template(self) -> dict[str, object]:
        """What the run records: the instruction's form and the system prompts."""
        signature = "{keyword} {signature}" if self.keyword or self.code_block else "{signature}"
        doc = "{doc comment, indentation kept}" if self.indented else "{doc comment, dedented}"
        if self.name == EXACT:
            form = "{instruction}"
        elif self.code_block:
            form = (
                f"Write a {{language}} function to solve the following problem:\n{doc}\n\n"
                f"Its signature:\n```{{language}}\n{signature}\n```"
            )
        else:
            form = f"Write a {{language}} function `{signature}` to solve the following problem:\n{doc}"
        system = {"rust": RUST_SYSTEM, "python": PYTHON_SYSTEM} if self.system else {}
        return {"name": self.name, "instruction": form, "system": system}


VARIANTS: dict[str, PromptVariant] = {
    v.name: v
    for v in (
        PromptVariant(EXACT, "the benchmark's own instruction text"),
        PromptVariant("fn", "the signature written with `fn`", keyword=True),
        PromptVariant("indented", "the doc comment's own indentation kept", indented=True),
        PromptVariant(
            "fn-indented",
            "both, as FIELD.md's baseline wrote it (46/164 there for the 0.5B against 38)",
            keyword=True,
            indented=True,
        ),
        PromptVariant(
            "code-block", "the signature as a fenced code block after the description", code_block=True
        ),
        PromptVariant("system", "the exact text after a short system prompt about Rust idioms", system=True),
    )
}

UNWORDED = frozenset({"completion", "fim"})
"""Strategies that show the model code, not an instruction: only `exact` applies."""


def repeats(strategies: Mapping[str, Strategy], problems: Sequence[Problem]) -> dict[str, str]:
    """Each wording whose requests are an earlier wording's on every problem, and that wording: a run
    of it would ask the model the same (a benchmark whose doc comments have no indentation of their
    own gives `indented` the `exact` text), so its answers are that run's."""

    def asked(strategy: Strategy) -> list[GenRequest]:
        return [strategy.request(p, temperature=0.0, seed=0, max_tokens=1) for p in problems]

    firsts: list[tuple[str, list[GenRequest]]] = []
    out: dict[str, str] = {}
    for name, strategy in strategies.items():
        requests = asked(strategy)
        twin = next((first for first, theirs in firsts if theirs == requests), None)
        if twin is None:
            firsts.append((name, requests))
        else:
            out[name] = twin
    return out


def variant_named(name: str) -> PromptVariant:
    if name not in VARIANTS:
        raise RustcoderError(f"unknown prompt variant {name!r}; choose one of {', '.join(VARIANTS)}")
    return VARIANTS[name]


@dataclass(frozen=True, slots=True)
class Worded:
    """A strategy asked in another wording: requests from the reworded problem, outcomes unchanged."""

    inner: Strategy
    variant: PromptVariant

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def description(self) -> str:
        return f"{self.inner.description}; wording `{self.variant.name}`: {self.variant.description}"

    @property
    def languages(self) -> frozenset[Language]:
        return self.inner.languages

    @property
    def default_attempts(self) -> int:
        return self.inner.default_attempts

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest:
        request = self.inner.request(
            self.variant.reword(problem), temperature=temperature, seed=seed, max_tokens=max_tokens
        )
        return self.variant.with_system(request, problem.language)

    def outcome(self, problem: Problem, generation: Generation) -> Outcome:
        return self.inner.outcome(problem, generation)

    def template(self) -> dict[str, object]:
        return {**self.inner.template(), "prompt_variant": self.variant.template()}


@dataclass(frozen=True, slots=True)
class WordedMultiTurn(Worded):
    """`Worded` for a strategy with feedback rounds; the rounds continue the reworded conversation."""

    inner: MultiTurn

    @property
    def rounds(self) -> int:
        return self.inner.rounds

    def feedback(self, result: ExecResult) -> str | None:
        return self.inner.feedback(result)

    def follow_up(self, previous: GenRequest, answer: str, message: str) -> GenRequest:
        return self.inner.follow_up(previous, answer, message)


def worded(strategy: Strategy, variant: PromptVariant) -> Strategy:
    """`strategy` in `variant`'s wording (the strategy itself for `exact`)."""
    if variant.name == EXACT:
        return strategy
    if strategy.name in UNWORDED:
        raise RustcoderError(
            f"the {strategy.name} strategy shows the model code, not an instruction: prompt variant "
            f"{variant.name!r} does not apply (only {EXACT!r})"
        )
    if isinstance(strategy, MultiTurn):
        return WordedMultiTurn(strategy, variant)
    return Worded(strategy, variant)

"""Prompting strategies: what the model is asked, and how its answer becomes a sample.

Every strategy is a named prompt template plus post-processing; `template()` returns the exact texts,
which each run records. Chat strategies go through the model's own chat template (applied by the
backend); `alpaca` and `completion` are raw text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rustcoder.backends.base import EndHold, EndRule, Generation, GenRequest, Message
from rustcoder.errors import RequestError
from rustcoder.postprocess.extract import extract_solution
from rustcoder.prompting.base import Outcome
from rustcoder.types import RUST_BEGIN as BEGIN
from rustcoder.types import RUST_END as END
from rustcoder.types import FimLayout, Language, Problem


def _solution(problem: Problem, text: str) -> Outcome:
    code = extract_solution(text, problem.language, problem.entry_point, problem.header)
    keyword = "def" if problem.language is Language.PYTHON else "fn"
    return Outcome(code, "solution", f"{keyword} {problem.entry_point}" in code)


ANSWER_STOPS: dict[Language, tuple[str, ...]] = {
    Language.RUST: ("}\n```\n", "\nfn main(", "\n#[cfg(test)]"),
    Language.PYTHON: ("\n```\n",),
}
"""Where an answer's code is over. Rust: a code block closing right after a `}` (a Rust block; a
Cargo.toml block first must not end the answer), or the model's usage example or tests beginning.
Python: the code block closing. Extraction drops what follows, so generating the explanation after the
code only costs time. The `}` the first Rust stop swallows is put back (`_restore_brace`)."""


def _restore_brace(generation: Generation) -> str:
    closed_rust_block = generation.stopped_by == ANSWER_STOPS[Language.RUST][0]
    return generation.text + ("}\n" if closed_rust_block else "")


@dataclass(frozen=True, slots=True)
class Instruct:
    """The model's chat template with the HumanEvalPack instruction; code is extracted from the answer."""

    name: ClassVar[str] = "instruct"
    description: ClassVar[str] = "chat template + HumanEvalPack instruction; code extracted from the answer"
    languages: ClassVar[frozenset[Language]] = frozenset(Language)
    default_attempts: ClassVar[int] = 1

    stops: ClassVar[dict[Language, tuple[str, ...]]] = ANSWER_STOPS

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest:
        messages = (Message("user", problem.instruction),)
        return GenRequest(
            messages=messages,
            stop=self.stops[problem.language],
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
        )

    def outcome(self, problem: Problem, generation: Generation) -> Outcome:
        return _solution(problem, _restore_brace(generation))

    def template(self) -> dict[str, object]:
        return {
            "messages": [{"role": "user", "content": "{instruction}"}],
            "stop": {language.value: list(stops) for language, stops in self.stops.items()},
        }


DELIMITED_USER = (
    "You are an expert Rust programmer. {instruction} "
    f"In your response, use {BEGIN} and {END} to delimit the rust function."
)


@dataclass(frozen=True, slots=True)
class Delimited:
    """Ask for the function between RUST_BEGIN and RUST_END; the reply is pre-filled with RUST_BEGIN.

    Well-formed only if the model closes with RUST_END and the code is not empty; otherwise the run
    tries again (see `default_attempts`).
    """

    name: ClassVar[str] = "delimited"
    description: ClassVar[str] = f"{BEGIN}/{END} delimiters, retried until well-formed (10 attempts)"
    languages: ClassVar[frozenset[Language]] = frozenset({Language.RUST})
    default_attempts: ClassVar[int] = 10

    def messages(self, problem: Problem) -> tuple[Message, ...]:
        return (Message("user", DELIMITED_USER.format(instruction=problem.instruction)),)

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest:
        return GenRequest(
            messages=self.messages(problem),
            prefill=BEGIN + "\n",
            stop=(END,),
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
        )

    def outcome(self, problem: Problem, generation: Generation) -> Outcome:
        code = extract_solution(generation.text, problem.language, problem.entry_point, problem.header)
        well_formed = generation.stopped_by == END and bool(generation.text.strip())
        return Outcome(code, "solution", well_formed)

    def template(self) -> dict[str, object]:
        return {
            "messages": [{"role": "user", "content": DELIMITED_USER}],
            "prefill": BEGIN + "\n",
            "stop": [END],
        }


EXAMPLE_INSTRUCTION = (
    "Write a Rust function `count_vowels(s: &str) -> usize` to solve the following problem:\n"
    "Count the vowels (a, e, i, o, u, in either case) in a string.\n"
    '>>> count_vowels("Rustacean")\n4'
)
EXAMPLE_SOLUTION = (
    'fn count_vowels(s: &str) -> usize {\n    s.chars().filter(|c| "aeiouAEIOU".contains(*c)).count()\n}\n'
)


@dataclass(frozen=True, slots=True)
class OneShot(Delimited):
    """The delimited task, preceded by one worked example (not a benchmark problem) in the same format."""

    name: ClassVar[str] = "one-shot"
    description: ClassVar[str] = "one worked example, then the task; delimited and retried like `delimited`"

    def messages(self, problem: Problem) -> tuple[Message, ...]:
        return (
            Message("user", DELIMITED_USER.format(instruction=EXAMPLE_INSTRUCTION)),
            Message("assistant", f"{BEGIN}\n{EXAMPLE_SOLUTION}{END}"),
            Message("user", DELIMITED_USER.format(instruction=problem.instruction)),
        )

    def template(self) -> dict[str, object]:
        shot = [
            {"role": "user", "content": DELIMITED_USER.format(instruction=EXAMPLE_INSTRUCTION)},
            {"role": "assistant", "content": f"{BEGIN}\n{EXAMPLE_SOLUTION}{END}"},
            {"role": "user", "content": DELIMITED_USER},
        ]
        return {"messages": shot, "prefill": BEGIN + "\n", "stop": [END]}


ALPACA = (
    "Below is an instruction that describes a task. Write a response that appropriately completes the "
    "request.\n\n### Instruction:\n{instruction}\n\n### Response:\n"
)


@dataclass(frozen=True, slots=True)
class Alpaca:
    """The Alpaca instruction format as raw text (no chat template); code is extracted from the response."""

    name: ClassVar[str] = "alpaca"
    description: ClassVar[str] = "Alpaca '### Instruction / ### Response' raw prompt"
    languages: ClassVar[frozenset[Language]] = frozenset(Language)
    default_attempts: ClassVar[int] = 1
    stops: ClassVar[tuple[str, ...]] = ("\n### Instruction", "\n### Response")
    """The model starting a new turn of the format, or (ANSWER_STOPS) its code being over."""

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest:
        prompt = ALPACA.format(instruction=problem.instruction)
        stop = ANSWER_STOPS[problem.language] + self.stops
        return GenRequest(prompt=prompt, stop=stop, max_tokens=max_tokens, temperature=temperature, seed=seed)

    def outcome(self, problem: Problem, generation: Generation) -> Outcome:
        return _solution(problem, _restore_brace(generation))

    def template(self) -> dict[str, object]:
        stops = {language.value: [*answer, *self.stops] for language, answer in ANSWER_STOPS.items()}
        return {"prompt": ALPACA, "stop": stops}


RUST_STOPS = ("\n}", "\nfn main", "\n#[cfg(test)]", "\n```")
PYTHON_STOPS = ("\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#", "\n```")


@dataclass(frozen=True, slots=True)
class Completion:
    """Continue the benchmark prompt (imports, doc comment, signature) as raw text: for base models.

    Generation stops at the function's closing brace (or a new top-level item); the brace is put back
    unless the benchmark's tests supply it (MultiPL-E).
    """

    name: ClassVar[str] = "completion"
    description: ClassVar[str] = "continue the prompt (signature + doc comment) with stop sequences"
    languages: ClassVar[frozenset[Language]] = frozenset(Language)
    default_attempts: ClassVar[int] = 1

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest:
        stops = PYTHON_STOPS if problem.language is Language.PYTHON else RUST_STOPS
        prompt = problem.header + problem.prompt
        return GenRequest(
            prompt=prompt, stop=stops, max_tokens=max_tokens, temperature=temperature, seed=seed
        )

    def outcome(self, problem: Problem, generation: Generation) -> Outcome:
        text = generation.text
        if problem.language is Language.RUST and not problem.completion_closer:
            text = text + "\n}\n"
        return Outcome(text, "completion", not generation.cut_off)

    def template(self) -> dict[str, object]:
        return {
            "prompt": "{header}{prompt}",
            "stop_rust": list(RUST_STOPS),
            "stop_python": list(PYTHON_STOPS),
        }


@dataclass(frozen=True, slots=True)
class Fim:
    """Fill in the middle: the task's prefix and suffix in the model's own FIM layout, raw (no chat
    template). The middle ends as an editor would cut it (postprocess.middle): a single-line task at
    the end of its first non-blank line (without the line's text after the gap, if the model wrote it
    again), a multi-line one where it closes the block the prefix opened or starts writing the suffix
    again. Generation stops there too. With `hold`, the model may not end a multi-line middle while a
    bracket it opened is still open (postprocess.middle.OpenBracket: its end token is masked)."""

    layout: FimLayout = FimLayout.PSM
    hold: bool = False
    name: ClassVar[str] = "fim"
    description: ClassVar[str] = (
        "the model's FIM tokens around prefix and suffix (PSM or SPM); raw completion"
    )
    languages: ClassVar[frozenset[Language]] = frozenset({Language.RUST})
    default_attempts: ClassVar[int] = 1

    @staticmethod
    def single_line(problem: Problem) -> bool:
        """A single-line task: its reference middle has no line break (the benchmark's kind of gap; a
        gap after a block's `{` is a block even when its contents are one line)."""
        return "\n" not in (problem.canonical_solution or "")

    def ends(self, problem: Problem) -> tuple[EndRule, ...]:
        from rustcoder.postprocess.middle import BlockEnd, LineEnd, SuffixRepeat

        if self.single_line(problem):
            return (LineEnd(),)
        return (BlockEnd.around(problem.prompt, problem.suffix), SuffixRepeat(problem.suffix))

    def holds(self, problem: Problem) -> tuple[EndHold, ...]:
        from rustcoder.postprocess.middle import OpenBracket

        return (OpenBracket(),) if self.hold and not self.single_line(problem) else ()

    def request(self, problem: Problem, *, temperature: float, seed: int, max_tokens: int) -> GenRequest:
        if not problem.fill_in_the_middle:
            raise RequestError(f"{problem.task_id}: the fim strategy needs fill-in-the-middle tasks")
        return GenRequest(
            prompt=problem.prompt,
            suffix=problem.suffix,
            fim_layout=self.layout,
            ends=self.ends(problem),
            holds=self.holds(problem),
            max_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
        )

    def outcome(self, problem: Problem, generation: Generation) -> Outcome:
        from rustcoder.postprocess.middle import cut, drop_repeated_rest

        middle = cut(generation.text, self.ends(problem))
        if self.single_line(problem):
            middle = middle.lstrip("\r\n")
            if not problem.prompt.rsplit("\n", 1)[-1].strip():  # the prefix ends in the line's indent
                middle = middle.lstrip(" \t")
            dropped = drop_repeated_rest(middle, problem.suffix)  # the line's rest, written again
            if dropped != middle and problem.suffix[:1].isspace():
                dropped = dropped.rstrip()  # the suffix brings its own space
            middle = dropped
        return Outcome(middle, "completion", not generation.cut_off)

    def template(self) -> dict[str, object]:
        template: dict[str, object] = {
            "fim_layout": self.layout.value,
            "prompt": "{prefix}",
            "suffix": "{suffix}",
            "ends_single_line": ["end of line"],
            "single_line_drops": "the line's text after the gap, when the middle ends by repeating it",
            "ends_multi_line": ["end of block", "suffix repeated"],
        }
        if self.hold:  # only then: runs made before holds existed keep their identity
            template["holds_multi_line"] = ["open bracket"]
        return template

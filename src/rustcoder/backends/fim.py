"""Fill-in-the-middle prompts: each model family's FIM tokens in one table, found in a model's vocabulary.

A family is recognised by its three markers all being single tokens of the model's vocabulary (so a
model never gets markers it does not know, nor the markers of another family). Layouts:

- PSM (prefix, suffix, middle): `PRE{prefix}SUF{suffix}MID`, the layout FIM models are trained on;
- SPM (suffix, prefix, middle): `SUF{suffix}PRE{prefix}MID`: the prefix, where the user types, comes
  last, so a request whose prefix grew by a few characters reuses the cached suffix (FIELD.md).

Other files can come before the gap's own file (a repository-level prompt): with the family's file
separator where it has one (`<|file_sep|>path\ntext` ... then `<|file_sep|>current path\n` and the FIM
prompt, as Qwen2.5-Coder is trained), else as `// path` comments at the top of the prefix.

The model writes the middle and ends it with its end-of-text token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rustcoder.types import FimLayout


@dataclass(frozen=True, slots=True)
class ContextFile:
    """Another file (or a chunk of one) the model sees before the gap's file."""

    path: str
    text: str


def as_comments(files: Sequence[ContextFile]) -> str:
    """Other files as `// path` comments, for a prompt with no file separator to put them after."""
    return "".join(f"// {f.path}\n{f.text.rstrip()}\n\n" for f in files)


@dataclass(frozen=True, slots=True)
class FimTokens:
    """One family's markers."""

    family: str
    prefix: str
    suffix: str
    middle: str
    file_separator: str | None = None
    """Between files of a repository-level prompt, where the family has one."""
    repository: str | None = None
    """Before a repository's name in a repository-level prompt, where the family has one."""

    def prompt(
        self,
        prefix: str,
        suffix: str,
        layout: FimLayout = FimLayout.PSM,
        files: Sequence[ContextFile] = (),
        path: str = "",
        middle_start: str = "",
    ) -> str:
        """The text the model continues with the middle; `files` come before the gap's file (`path`),
        `middle_start` after the middle marker (the middle's first, already written, characters)."""
        head = ""
        if files and self.file_separator:
            head = "".join(f"{self.file_separator}{f.path}\n{f.text.rstrip()}\n" for f in files)
            head += f"{self.file_separator}{path}\n"
        elif files:
            prefix = as_comments(files) + prefix
        if layout is FimLayout.SPM:
            return f"{head}{self.suffix}{suffix}{self.prefix}{prefix}{self.middle}{middle_start}"
        return f"{head}{self.prefix}{prefix}{self.suffix}{suffix}{self.middle}{middle_start}"

    @property
    def markers(self) -> tuple[str, ...]:
        """Every marker of the family: none of them belongs in a middle."""
        extra = tuple(t for t in (self.file_separator, self.repository) if t)
        return (self.prefix, self.suffix, self.middle, *extra)


FAMILIES = (
    FimTokens(
        "qwen2.5-coder",
        "<|fim_prefix|>",
        "<|fim_suffix|>",
        "<|fim_middle|>",
        file_separator="<|file_sep|>",
        repository="<|repo_name|>",
    ),
    FimTokens(
        "starcoder",
        "<fim_prefix>",
        "<fim_suffix>",
        "<fim_middle>",
        file_separator="<file_sep>",
        repository="<reponame>",
    ),
    FimTokens("deepseek-coder", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"),
)
"""Known families, checked in order. CodeGemma uses Qwen's marker names (`<|fim_prefix|>` ...) and is
recognised as that layout; its file separator differs and is not used."""


def find_fim_tokens(is_token: Callable[[str], bool]) -> FimTokens | None:
    """The family whose three markers are all single tokens of a vocabulary (`is_token`), if any."""
    for family in FAMILIES:
        if is_token(family.prefix) and is_token(family.suffix) and is_token(family.middle):
            return family
    return None

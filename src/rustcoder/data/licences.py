"""A crate's licence from its Cargo.toml `license` (an SPDX expression) or `license-file`, and whether
code under it may be mined by default.

An SPDX expression combines identifiers with `OR` (the user may choose either), `AND` (both apply)
and `WITH` (an exception, which only adds permissions), with parentheses; Cargo also accepts the old
`MIT/Apache-2.0` form, read as `OR`. An expression is permissive when some choice among its `OR`s uses
permissive licences only. Copyleft identifiers (GPL, LGPL, MPL, AGPL, EPL, ...) and identifiers this
module does not know make it not permissive; a `license-file` without a `license` is unknown, since
the text would have to be read by a person. Both kinds are excluded by default and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

PERMISSIVE = frozenset(
    {
        "MIT",
        "MIT-0",
        "Apache-2.0",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "0BSD",
        "ISC",
        "Zlib",
        "Unlicense",
        "CC0-1.0",
        "BSL-1.0",
        "WTFPL",
        "Unicode-DFS-2016",
        "Unicode-3.0",
        "Python-2.0",
        "PSF-2.0",
        "X11",
        "NCSA",
        "BlueOak-1.0.0",
        "Apache-1.1",
        "bzip2-1.0.6",
        "curl",
        "zlib-acknowledgement",
    }
)
"""Licences under which code may be copied into training data with attribution and no further duty."""
COPYLEFT_PREFIXES = ("GPL", "LGPL", "AGPL", "MPL", "EPL", "EUPL", "CDDL", "OSL", "CECILL", "CC-BY-SA", "SSPL")
"""Licences whose terms follow the code: excluded by default."""


class Verdict(StrEnum):
    PERMISSIVE = "permissive"
    COPYLEFT = "copyleft"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Licence:
    """What a crate declares, and what rustcoder makes of it."""

    expression: str
    """The `license` field as written, or `file:PATH` for a `license-file`, or "" when neither is set."""
    verdict: Verdict
    chosen: tuple[str, ...] = ()
    """For a permissive expression: the permissive licences of the first choice that satisfies it."""

    @property
    def permissive(self) -> bool:
        return self.verdict is Verdict.PERMISSIVE


class LicenceSyntaxError(ValueError):
    """An expression that is not SPDX."""


_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9.+\-:]+)")


def _tokens(expression: str) -> list[str]:
    text = expression.replace("/", " OR ")  # Cargo's legacy `MIT/Apache-2.0`
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise LicenceSyntaxError(f"unexpected {text[position:].strip()[:20]!r} in {expression!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _classify(identifier: str) -> Verdict:
    name = identifier.removesuffix("+")
    if name in PERMISSIVE:
        return Verdict.PERMISSIVE
    upper = name.upper()
    if any(upper.startswith(prefix) for prefix in COPYLEFT_PREFIXES):
        return Verdict.COPYLEFT
    return Verdict.UNKNOWN


Choice = list[tuple[str, Verdict]]
"""One way to satisfy an expression: the licences that then apply."""


class _Parser:
    """Recursive descent over `or := and (OR and)*`, `and := with (AND with)*`, `with := atom [WITH id]`."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = _tokens(expression)
        self.at = 0

    def parse(self) -> list[Choice]:
        if not self.tokens:
            raise LicenceSyntaxError("an empty licence expression")
        choices = self._or()
        if self.at != len(self.tokens):
            raise LicenceSyntaxError(f"unexpected {self.tokens[self.at]!r} in {self.expression!r}")
        return choices

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise LicenceSyntaxError(f"{self.expression!r} ends too early")
        self.at += 1
        return token

    def _or(self) -> list[Choice]:
        choices = self._and()
        while (self._peek() or "").upper() == "OR":
            self._take()
            choices = choices + self._and()
        return choices

    def _and(self) -> list[Choice]:
        choices = self._with()
        while (self._peek() or "").upper() == "AND":
            self._take()
            right = self._with()
            choices = [left + other for left in choices for other in right]
        return choices

    def _with(self) -> list[Choice]:
        choices = self._atom()
        if (self._peek() or "").upper() == "WITH":
            self._take()
            self._take()  # the exception only adds permissions: the licence's class stands
        return choices

    def _atom(self) -> list[Choice]:
        token = self._take()
        if token == "(":
            choices = self._or()
            if self._take() != ")":
                raise LicenceSyntaxError(f"unbalanced parentheses in {self.expression!r}")
            return choices
        if token == ")" or token.upper() in ("AND", "OR", "WITH"):
            raise LicenceSyntaxError(f"unexpected {token!r} in {self.expression!r}")
        return [[(token, _classify(token))]]


def read_licence(license_field: str | None, license_file: str | None = None) -> Licence:
    """The licence a Cargo.toml declares; LicenceSyntaxError for an expression that is not SPDX."""
    if license_field and license_field.strip():
        expression = license_field.strip()
        choices = _Parser(expression).parse()
        for choice in choices:
            if all(verdict is Verdict.PERMISSIVE for _, verdict in choice):
                return Licence(expression, Verdict.PERMISSIVE, tuple(name for name, _ in choice))
        copyleft = any(verdict is Verdict.COPYLEFT for choice in choices for _, verdict in choice)
        return Licence(expression, Verdict.COPYLEFT if copyleft else Verdict.UNKNOWN)
    if license_file:
        return Licence(f"file:{license_file}", Verdict.UNKNOWN)
    return Licence("", Verdict.UNKNOWN)

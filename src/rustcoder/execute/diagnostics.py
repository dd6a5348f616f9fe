"""rustc's JSON diagnostics (`--error-format=json`): error codes, messages and where they point."""

from __future__ import annotations

import json
from dataclasses import dataclass

Where = tuple[str, int]
"""A source file as rustc names it, and a line in it."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One compiler error."""

    code: str | None
    message: str
    rendered: str
    primary: tuple[Where, ...]
    """(file, line) of each primary span."""
    other: tuple[Where, ...]
    """(file, line) of secondary spans and of macro expansion sites."""

    @property
    def label(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


def _span_places(span: dict[str, object], out: list[Where]) -> None:
    out.append((str(span.get("file_name", "")), int(span.get("line_start", 0))))  # type: ignore[call-overload]
    expansion = span.get("expansion")
    if isinstance(expansion, dict) and isinstance(expansion.get("span"), dict):
        _span_places(expansion["span"], out)


def parse_diagnostics(stderr: str) -> tuple[list[Diagnostic], list[str]]:
    """Error-level diagnostics, plus any stderr lines that were not JSON (crashes, sandbox messages)."""
    errors: list[Diagnostic] = []
    other: list[str] = []
    for line in stderr.splitlines():
        if not line.startswith("{"):
            if line.strip():
                other.append(line)
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            other.append(line)
            continue
        if item.get("$message_type", "diagnostic") != "diagnostic" or item.get("level") != "error":
            continue
        message = str(item.get("message", ""))
        if message.startswith("aborting due to"):
            continue
        primary: list[Where] = []
        secondary: list[Where] = []
        for span in item.get("spans") or []:
            _span_places(span, primary if span.get("is_primary") else secondary)
        code = item.get("code")
        errors.append(
            Diagnostic(
                code=code.get("code") if isinstance(code, dict) else None,
                message=message,
                rendered=str(item.get("rendered") or message),
                primary=tuple(primary),
                other=tuple(secondary),
            )
        )
    return errors, other


def error_codes(diagnostics: list[Diagnostic]) -> list[str]:
    """Distinct error codes in order of first appearance."""
    return list(dict.fromkeys(d.code for d in diagnostics if d.code))

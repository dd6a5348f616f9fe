"""Splitting benchmark prompts into imports, doc comment and signature, for Rust and Python."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

_RUST_FN = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+|async\s+|unsafe\s+)*fn\s+(\w+)")
_PY_DEF = re.compile(r"^def\s+(\w+)\s*\(")
_PY_IMPORT = re.compile(r"^(?:import\s|from\s+\S+\s+import\s)")


@dataclass(frozen=True, slots=True)
class PromptParts:
    """A prompt cut into the pieces every format shares."""

    header: str
    """Leading import lines ("" if none), newline-terminated."""
    prompt: str
    """Everything a completion continues: doc comment (and helpers) plus the entry signature."""
    signature: str
    """The entry function's signature without `fn`/`def` and body brace or colon, as HumanEvalPack has it."""
    docstring: str
    entry_point: str
    helpers: str = ""
    """Definitions the prompt gives before the entry function (Python HumanEval/38's `encode_cyclic`)."""


def _strip_keyword(signature: str, keyword: str) -> str:
    head, sep, tail = signature.partition(keyword + " ")
    return tail.strip() if sep and not head.replace("pub", "").strip() else signature


def rust_doc_text(comment: str) -> str:
    """The prose inside Rust comments (`/* */`, `//`, `///`, `//!`), dedented and stripped."""
    text = comment.strip()
    if text.startswith("/*"):
        text = text[2:]
        text = text.removesuffix("*/")
        return "\n".join(line.strip() for line in text.strip().splitlines())
    lines = [re.sub(r"^\s*//[/!]?\s?", "", line) for line in text.splitlines()]
    return "\n".join(lines).strip()


def rust_doc_raw(comment: str) -> str:
    """The prose inside Rust comments with each line's own indentation kept (only the comment markers
    and blank edge lines removed): how the doc comment reads in the source, undedented."""
    text = comment.strip("\n").rstrip()
    if text.lstrip().startswith("/*"):
        text = text.lstrip()[2:].removesuffix("*/")
        lines = text.splitlines()
    else:
        lines = [re.sub(r"^\s*//[/!]? ?", "", line) for line in text.splitlines()]
    return "\n".join(lines).strip("\n").rstrip()


def raw_docstring(prompt: str, language: str, entry_point: str) -> str:
    """The entry function's documentation as the prompt writes it, indentation kept (see `rust_doc_raw`);
    "" when the prompt has none."""
    if language == "python":
        at = prompt.find(f"def {entry_point}")
        doc = re.search(r'("""|\'\'\')(.*?)\1', prompt[at:] if at >= 0 else prompt, re.S)
        return doc.group(2).strip("\n").rstrip() if doc else ""
    lines = prompt.splitlines(keepends=True)
    try:
        sig_at = _last_rust_signature(lines)
    except ValueError:
        return ""
    return rust_doc_raw("".join(lines[:sig_at]))


def _split_rust_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """Separate import lines (outside comments) and HumanEvalPack's stray `fn main(){}` from the rest."""
    header: list[str] = []
    rest: list[str] = []
    depth = 0
    for line in lines:
        stripped = line.strip()
        if depth == 0 and stripped.startswith(("use ", "extern crate ")):
            header.append(line)
        elif depth == 0 and re.fullmatch(r"fn\s+main\s*\(\s*\)\s*\{\s*\}", stripped):
            pass
        else:
            rest.append(line)
        code = line.split("//", 1)[0] if depth == 0 else line
        depth = max(0, depth + code.count("/*") - code.count("*/"))
    return header, rest


def _last_rust_signature(lines: list[str]) -> int:
    for index in range(len(lines) - 1, -1, -1):
        if _RUST_FN.match(lines[index]):
            return index
    raise ValueError("no Rust function signature found")


def split_rust_prompt(text: str) -> PromptParts:
    """Split a Rust prompt whose last item is the entry signature (ending in `{`)."""
    lines = text.splitlines(keepends=True)
    # Imports may sit before the doc comment (MultiPL-E) or after it (HumanEval-X declarations).
    header_lines, doc_lines = _split_rust_header(lines)
    sig_at = _last_rust_signature(doc_lines)
    signature_text = "".join(doc_lines[sig_at:])
    match = _RUST_FN.match(doc_lines[sig_at])
    assert match is not None
    signature = _strip_keyword(" ".join(signature_text.split()).rstrip("{").strip(), "fn")
    header = "".join(line for line in header_lines if line.strip())
    prompt = re.sub(r"\n{3,}", "\n\n", "".join(doc_lines).lstrip("\n"))
    return PromptParts(
        header=header,
        prompt=prompt,
        signature=signature,
        docstring=rust_doc_text("".join(doc_lines[:sig_at])),
        entry_point=match.group(1),
    )


def split_python_prompt(text: str, entry_point: str) -> PromptParts:
    """Split a HumanEval Python prompt: leading imports, then helpers and the entry function."""
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines) and (_PY_IMPORT.match(lines[index]) or not lines[index].strip()):
        index += 1
    header = "".join(line for line in lines[:index] if line.strip())
    body = "".join(lines[index:])
    signature = ""
    docstring = ""
    helpers = ""
    for number, line in enumerate(lines[index:], start=index):
        match = _PY_DEF.match(line)
        if match and match.group(1) == entry_point:
            signature = _strip_keyword(line.strip().rstrip(":"), "def")
            rest = "".join(lines[number + 1 :])
            doc = re.search(r'("""|\'\'\')(.*?)\1', rest, re.S)
            docstring = textwrap.dedent(doc.group(2)).strip() if doc else ""
            before = "".join(lines[index:number]).strip("\n")
            helpers = before + "\n\n\n" if re.search(r"^(?:def|class)\s", before, re.M) else ""
            break
    return PromptParts(header, body, signature, docstring, entry_point, helpers)


def derive_instruction(language: str, signature: str, docstring: str) -> str:
    """HumanEvalPack's instruction wording, for sources that do not carry one."""
    return f"Write a {language} function `{signature}` to solve the following problem:\n{docstring}"

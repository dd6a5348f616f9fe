"""Exact and near-duplicate removal across crates and versions (Debian ships several of some crates).

Functions are considered newest crate version first, so of two copies the newer one is kept; the order
is otherwise stable (crate, path, line), so a re-run removes the same functions. Exact duplicates share a
normalised digest (tokens without comments or whitespace). Near duplicates are found with MinHash and
locality-sensitive hashing (datasketch) over 5-token shingles: a function whose estimated Jaccard
similarity to one already kept reaches the threshold (0.85 by default, the value BigCode uses for
near-deduplication) is removed. Every removal names the function it duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rustcoder.data.functions import MinedFunction, code_tokens, tokens_digest

SHINGLE = 5
THRESHOLD = 0.85
PERMUTATIONS = 128
SEED = 1


@dataclass(frozen=True, slots=True)
class Removal:
    function: MinedFunction
    reason: str
    """"exact" or "near"."""
    kept: str
    """Where the copy that was kept lives: `crate-version:path:line`."""


@dataclass(slots=True)
class Deduplication:
    kept: list[MinedFunction] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)

    def count(self, reason: str) -> int:
        return sum(1 for r in self.removed if r.reason == reason)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Orders versions numerically where they are numbers (1.10 after 1.9), else as text."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.+-]", version))


def _order(functions: Sequence[MinedFunction]) -> list[MinedFunction]:
    by_path = sorted(functions, key=lambda f: (f.crate, f.path, f.start_line))
    return sorted(by_path, key=lambda f: _version_key(f.version), reverse=True)  # stable: newest first


def _where(function: MinedFunction) -> str:
    return f"{function.crate}-{function.version}:{function.path}:{function.start_line}"


def deduplicate(
    functions: Sequence[MinedFunction], *, threshold: float = THRESHOLD, near: bool = True
) -> Deduplication:
    """The functions without exact duplicates and (with `near`) near duplicates, and what went why."""
    from datasketch import MinHash, MinHashLSH

    out = Deduplication()
    by_digest: dict[str, MinedFunction] = {}
    lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
    kept_by_key: dict[str, MinedFunction] = {}
    for function in _order(functions):
        tokens = code_tokens(function.signature + function.body)  # parsed once, for both kinds
        digest = tokens_digest(tokens)
        if digest in by_digest:
            out.removed.append(Removal(function, "exact", _where(by_digest[digest])))
            continue
        by_digest[digest] = function
        if near:
            shingles = {" ".join(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))}
            signature = MinHash(num_perm=PERMUTATIONS, seed=SEED)
            signature.update_batch([s.encode("utf-8") for s in sorted(shingles)])
            matches = sorted(lsh.query(signature))
            if matches:
                out.removed.append(Removal(function, "near", _where(kept_by_key[matches[0]])))
                continue
            lsh.insert(digest, signature)
            kept_by_key[digest] = function
        out.kept.append(function)
    out.kept.sort(key=lambda f: (f.crate, _version_key(f.version), f.path, f.start_line))
    return out

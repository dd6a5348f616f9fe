"""JSON Lines reading and writing that names the file and line of every problem."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from rustcoder.errors import DataError


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def read_jsonl(path: Path, *, allow_torn_tail: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each non-blank line.

    Raises DataError naming the file and line for invalid UTF-8, invalid JSON or a line that is not an
    object. With ``allow_torn_tail`` a last line without a newline that does not parse (a write cut off by
    a kill) is skipped instead.
    """
    try:
        handle = _open_binary(path)
    except OSError as exc:
        raise DataError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    with handle:
        try:
            lines = handle.readlines()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise DataError(f"{path}: cannot read: {exc}") from exc
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        torn = number == len(lines) and not raw.endswith(b"\n")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if allow_torn_tail and torn:
                return
            raise DataError(f"{path}:{number}: not valid UTF-8 (byte {exc.start})") from exc
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            if allow_torn_tail and torn:
                return
            raise DataError(f"{path}:{number}: invalid JSON: {exc.msg} at column {exc.colno}") from exc
        if not isinstance(obj, dict):
            raise DataError(f"{path}:{number}: expected a JSON object, got {type(obj).__name__}")
        yield number, obj


def complete_length(path: Path) -> int:
    """Byte length of the file up to and including its last newline (drops a torn last line)."""
    data = path.read_bytes()
    end = data.rfind(b"\n")
    return end + 1


class JsonlAppender:
    """Appends one JSON object per line, flushed and synced so a kill loses at most the line being written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            keep = complete_length(path)
            if keep != path.stat().st_size:
                with path.open("r+b") as handle:
                    handle.truncate(keep)
        self._handle = path.open("a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        # ASCII escapes keep any string (even a lone surrogate from a bad sample) writable.
        self._handle.write(json.dumps(record) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_json(path: Path, obj: Any) -> None:
    """Write a JSON document atomically (write a temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)

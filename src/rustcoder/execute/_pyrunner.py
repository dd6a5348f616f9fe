"""Runs one Python sample's `check(candidate)` inside the sandbox (stdlib only).

Usage: python -I -S _pyrunner.py SOLUTION.py TESTS.py ENTRY_POINT, with a nonce on stdin and the report
pipe on fd 3, using the same line protocol as the Rust runner (see runner.rs), plus
`NONCE compile KIND HEX(MESSAGE)` when the solution does not compile.
"""

import os
import sys
import time
import traceback
from typing import Any


def _hex(text: str) -> str:
    return text.encode("utf-8", errors="backslashreplace").hex()


def main() -> None:
    nonce = sys.stdin.readline().strip()
    if not nonce:
        raise SystemExit("no nonce on stdin")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    report = os.fdopen(3, "w", encoding="utf-8")

    def emit(*parts: str) -> None:
        report.write(nonce + " " + " ".join(parts) + "\n")
        report.flush()

    solution_path, tests_path, entry_point = sys.argv[1:4]
    with open(solution_path, encoding="utf-8") as handle:
        solution_source = handle.read()
    with open(tests_path, encoding="utf-8") as handle:
        tests_source = handle.read()
    try:
        solution = compile(solution_source, "solution.py", "exec")
    except (SyntaxError, ValueError) as exc:
        emit("compile", type(exc).__name__, _hex(f"{type(exc).__name__}: {exc}"))
        emit("done")
        os._exit(0)
    tests = compile(tests_source, "tests.py", "exec")
    emit("start", "check")
    started = time.perf_counter()
    try:
        namespace: dict[str, Any] = {"__name__": "__rustcoder_sample__"}
        exec(solution, namespace)
        exec(tests, namespace)
        namespace["check"](namespace[entry_point])
    except BaseException as exc:
        micros = str(int((time.perf_counter() - started) * 1e6))
        frames = traceback.extract_tb(exc.__traceback__)
        location = f"{os.path.basename(frames[-1].filename)}:{frames[-1].lineno}:0" if frames else "?"
        emit("fail", "check", micros, "panic", location, _hex(f"{type(exc).__name__}: {exc}"))
    else:
        emit("pass", "check", str(int((time.perf_counter() - started) * 1e6)))
    emit("done")
    # Skip atexit handlers and wait for no thread the sample may have started.
    os._exit(0)


if __name__ == "__main__":
    main()

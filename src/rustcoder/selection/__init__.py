"""One answer per problem, chosen from its candidates (a run's N samples) without the hidden tests.

Methods (`--select`):
- `compile`: the first candidate (by sample index) that compiles and defines the entry point (checked
  with a `use` of it, no tests);
- `examples`: the first candidate that passes the problem's public example tests (HumanEvalPack's
  `example_test`, from the hub only; MultiPL-E's doc-comment examples), each assertion one test and
  only those that compile against the signature; where none passes all, the first passing the most;
  where none passes one (or there are none), the first that compiles, as `compile`;
- `self-tests`: the model writes a few `#[test]` functions from the description (never shown the hidden
  tests); candidates are ranked by how many of those tests they pass, ties broken by how many
  candidates pass exactly the same tests (CodeT's dual agreement);
- `agreement`: candidates are run on inputs taken from the model's tests and from a generator for the
  signature's types; the largest cluster of identical behaviour wins (MBR-exec / AlphaCode).
A problem none of whose candidates qualifies keeps its first candidate. With `--repair-rounds N`, the
chosen answer then goes through the `repair` strategy's feedback rounds (rustc's diagnostics, a failing
public example) when it fails those checks. Every choice records each
candidate's check and why the chosen one was chosen. Checks run in the sandbox in batches, as
evaluation does, and never see the hidden tests.

Modules: `public` (compile, examples), `written` (the model's tests), `inputs` (generated arguments),
`probes` (running candidates on tests and inputs), `rank` (the two rankings), `run` (a run folder).
Tests are cut into single assertions by `rustcoder.execute.testcases`, and kept only where they compile
against a stub of the function (`rustcoder.evaluation.checks.compiling`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Method(StrEnum):
    COMPILE = "compile"
    EXAMPLES = "examples"
    SELF_TESTS = "self-tests"
    AGREEMENT = "agreement"

    @property
    def writes_tests(self) -> bool:
        """Whether the method asks the model for tests (and so needs a backend)."""
        return self in (Method.SELF_TESTS, Method.AGREEMENT)


@dataclass(frozen=True, slots=True)
class Choice:
    task_id: str
    chosen: int
    """The chosen candidate's sample index."""
    method: Method
    why: str
    checks: dict[int, str]
    """Each candidate's sample index → the outcome of its check (a status, or tests passed / behaviour)."""
    repair: tuple[dict[str, str], ...] | None = None
    """With `--repair-rounds`: each feedback round on the chosen answer (empty: its checks passed)."""

    def to_json(self) -> dict[str, Any]:
        out = {
            "task_id": self.task_id,
            "chosen": self.chosen,
            "method": self.method.value,
            "why": self.why,
            "checks": {str(i): status for i, status in sorted(self.checks.items())},
        }
        return out if self.repair is None else {**out, "repair": list(self.repair)}

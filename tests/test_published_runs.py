"""The published runs (docs/results/runs) still match the code: same strategy templates, same identity.

A change to a prompt's text, a stop, or how a run's identity is computed would make every published run
refuse to resume (or, worse, resume with other prompts); these tests fail first.
"""

import json
from pathlib import Path

import pytest

from rustcoder.generation.run import _template_digest
from rustcoder.prompting.registry import strategy_named

RUNS = sorted((Path(__file__).resolve().parents[1] / "docs" / "results" / "runs").glob("*/run.json"))
OLDER_TEMPLATE = {
    "hep-qwen0.5b-instruct": "made before instruct also stopped Python answers (0c9c95f): other stops"
}
"""Runs made with an earlier template on purpose: they refuse to resume with this code, as they should."""


def test_there_are_published_runs():
    assert len(RUNS) >= 10


@pytest.mark.parametrize("path", RUNS, ids=[p.parent.name for p in RUNS])
def test_each_published_strategy_renders_the_recorded_template(path):
    info = json.loads(path.read_text())
    recorded = info["strategy"]
    strategy = strategy_named(recorded["name"], rounds=recorded["template"].get("rounds", 3))
    digest = _template_digest(strategy, {"chat_template": recorded["chat_template"]})
    same = strategy.template() == recorded["template"] and digest == recorded["template_sha256"]
    assert same is (path.parent.name not in OLDER_TEMPLATE)

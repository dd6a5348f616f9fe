"""The hub is skipped without importing huggingface_hub when this machine cannot reach it."""

import subprocess
import sys

import pytest

from rustcoder.benchmarks.sources import HubFile
from rustcoder.errors import DataUnavailableError
from rustcoder.hub import PROXY_VARIABLES, hub_cache, hub_unreachable, in_hub_cache


@pytest.fixture
def no_proxy(monkeypatch):
    for name in (*PROXY_VARIABLES, "HF_HUB_OFFLINE", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_reasons_the_hub_cannot_be_reached(no_proxy):
    no_proxy.setenv("HF_ENDPOINT", "https://hub.rustcoder.invalid")  # .invalid never resolves
    assert hub_unreachable() == "hub.rustcoder.invalid does not resolve from this machine"
    no_proxy.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    assert hub_unreachable() is None  # a proxy resolves names for us: let huggingface_hub try
    no_proxy.setenv("HF_HUB_OFFLINE", "1")
    assert hub_unreachable() == "HF_HUB_OFFLINE is set"
    no_proxy.delenv("HTTPS_PROXY")
    no_proxy.setenv("HF_ENDPOINT", "https://localhost")
    no_proxy.delenv("HF_HUB_OFFLINE")
    assert hub_unreachable() is None


def test_the_hub_cache_is_where_huggingface_hub_keeps_it(no_proxy, tmp_path):
    no_proxy.setenv("HF_HOME", str(tmp_path / "home"))
    no_proxy.delenv("HF_HUB_CACHE", raising=False)
    no_proxy.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    assert hub_cache() == tmp_path / "home" / "hub"
    no_proxy.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    assert not in_hub_cache("bigcode/humanevalpack", "dataset")
    (tmp_path / "cache" / "datasets--bigcode--humanevalpack").mkdir(parents=True)
    assert in_hub_cache("bigcode/humanevalpack", "dataset")
    assert not in_hub_cache("bigcode/humanevalpack", "model")


def test_an_unreachable_hub_with_nothing_cached_fails_at_once(no_proxy, tmp_path):
    no_proxy.setenv("HF_ENDPOINT", "https://hub.rustcoder.invalid")
    no_proxy.setenv("HF_HUB_CACHE", str(tmp_path))
    with pytest.raises(DataUnavailableError, match="does not resolve"):
        HubFile("bigcode/humanevalpack", "data/rust/data/humanevalpack.jsonl").fetch()


def test_skipping_the_hub_does_not_import_huggingface_hub(tmp_path):
    code = (
        "import sys\n"
        "from rustcoder.benchmarks.sources import HubFile\n"
        "try:\n"
        "    HubFile('bigcode/humanevalpack', 'data.jsonl').fetch()\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__)\n"
        "print('huggingface_hub' in sys.modules)\n"
    )
    env = {"HF_ENDPOINT": "https://hub.rustcoder.invalid", "HF_HUB_CACHE": str(tmp_path), "PATH": "/usr/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert proc.stdout.split() == ["DataUnavailableError", "False"]

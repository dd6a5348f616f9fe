"""Whether the Hugging Face hub can be reached at all, decided without importing huggingface_hub.

Importing huggingface_hub costs about 0.2 s, a tenth of `rustcoder check`; on a machine that cannot
resolve the hub's host (and has no proxy to ask), that import and its failing request are skipped and
the next data source is used at once. Where the hub may be reachable, huggingface_hub decides as before.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy")


@cache
def _resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return True


def hub_unreachable() -> str | None:
    """Why the hub cannot be reached from here, or None when it may be (then ask huggingface_hub)."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        return "HF_HUB_OFFLINE is set"
    if any(os.environ.get(name) for name in PROXY_VARIABLES):
        return None  # the proxy resolves the host, not this machine
    host = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co").hostname or "huggingface.co"
    return None if _resolves(host) else f"{host} does not resolve from this machine"


def hub_cache() -> Path:
    """huggingface_hub's cache directory, by the variables it reads."""
    if os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ.get("HF_HUB_CACHE") or os.environ["HUGGINGFACE_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "huggingface" / "hub"


def in_hub_cache(repo: str, repo_type: str) -> bool:
    """Whether huggingface_hub's cache holds a copy of this repository (`datasets--org--name`)."""
    return (hub_cache() / f"{repo_type}s--{repo.replace('/', '--')}").is_dir()

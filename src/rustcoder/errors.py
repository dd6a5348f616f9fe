"""Typed errors a user can act on; the CLI prints each as one line."""

from __future__ import annotations


class RustcoderError(Exception):
    """Base class: a problem with the user's input or environment, not a bug."""

    exit_code = 2


class DataError(RustcoderError):
    """A data file is malformed: the message names the file and line."""


class UnknownBenchmarkError(RustcoderError):
    """A benchmark name that is neither registered nor an existing file."""


class DataUnavailableError(RustcoderError):
    """No source of a benchmark's data can be reached from this machine."""


class ToolchainError(RustcoderError):
    """rustc, cargo or the crate sources are missing or broken."""


class SandboxUnavailableError(RustcoderError):
    """No sandbox can be set up, so untrusted code will not be run."""


class ModelError(RustcoderError):
    """A model cannot be found, fetched, verified or loaded."""


class BackendError(RustcoderError):
    """A generation backend failed: a transient failure (a server down, a broken stream) that a retry may
    get past, unless a subclass says otherwise."""

    retryable = True


class RequestError(BackendError):
    """The backend cannot serve this request as asked (no chat template, ...): retrying cannot help."""

    retryable = False


class ContextOverflowError(RequestError):
    """The prompt and the tokens to generate do not fit the model's context."""

"""PyTorch through transformers, on CPU or GPU, with PEFT adapters (LoRA, prompt tuning, ...).

GGUF models are dequantised once (transformers reads GGUF) and cached as a model directory. Older peft
releases dropped a prompt-tuning adapter's virtual tokens in `generate` when the KV cache was on, so
the model answered like its base (huggingface/peft#2123). With the pinned peft 0.21.2 and transformers
5.23 the cache keeps them (checked: cache on and off give the same tokens); a test asserts that a
prompt-tuning adapter changes the output, so a regression cannot pass unnoticed.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rustcoder.backends.base import BackendInfo, Chunk, Generation, GenRequest, collect, held, scan
from rustcoder.backends.chat import PromptFormat
from rustcoder.errors import BackendError, ModelError
from rustcoder.models.convert import transformers_dir
from rustcoder.models.fetch import ResolvedModel
from rustcoder.paths import sha256_file
from rustcoder.settings import TransformersSettings


class _TokenQueue:
    """A transformers streamer that hands each new token id to the consuming thread."""

    def __init__(self) -> None:
        self.items: queue.Queue[list[int] | None] = queue.Queue()
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:  # generate() first puts the prompt
            self._prompt_seen = True
            return
        self.items.put([int(v) for v in value.reshape(-1).tolist()])

    def end(self) -> None:
        self.items.put(None)


class _Hold:
    """A transformers logits processor: masks the `ends` tokens while `request`'s holds keep the text
    generated after the prompt's `start` tokens from ending."""

    def __init__(self, tokenizer: Any, request: GenRequest, start: int, ends: list[int]) -> None:
        self.tokenizer, self.request, self.start, self.ends = tokenizer, request, start, ends

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        text = str(self.tokenizer.decode(input_ids[0, self.start :], skip_special_tokens=True))
        if held(self.request, text):
            scores[:, self.ends] = float("-inf")
        return scores


class TransformersBackend:
    """Generates with a transformers causal LM, one request at a time: generations from several threads
    take turns on a lock, held until the stream ends or is closed."""

    name = "transformers"

    def __init__(self, model: ResolvedModel, options: TransformersSettings | None = None) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ModelError(
                f"the transformers backend needs PyTorch and transformers ({exc.name} is missing): "
                "pip install 'rustcoder[tune]'"
            ) from exc

        self.resolved = model
        self.options = options or TransformersSettings()
        if self.options.threads:
            torch.set_num_threads(self.options.threads)
        path = transformers_dir(model)
        device = self.options.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
            loaded: Any = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
            self.model: Any = loaded.to(device).eval()
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: transformers could not load it: {exc}") from exc
        self._lock = threading.Lock()
        self.format = PromptFormat.of_tokenizer(model.name, self.tokenizer)
        self.fim = self.format.fim
        self.prompt_learning = False
        if self.options.adapter:
            from peft import PeftModel

            self.model = PeftModel.from_pretrained(self.model, str(self.options.adapter)).eval()
            self.prompt_learning = bool(self.model.active_peft_config.is_prompt_learning)

    def render(self, request: GenRequest) -> str:
        return self.format.render(request)

    def end_tokens(self) -> list[int]:
        """The ids that end a generation (the generation config's EOS, else the tokenizer's)."""
        found = getattr(self.model.generation_config, "eos_token_id", None)
        if found is None:
            found = self.tokenizer.eos_token_id
        return [found] if isinstance(found, int) else [int(t) for t in found or []]

    def _pieces(self, request: GenRequest, prompt: str) -> Iterator[str]:
        import torch

        encoded = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=request.prompt is not None)
        encoded = {key: value.to(self.device) for key, value in encoded.items()}
        streamer = _TokenQueue()
        stop = threading.Event()

        def stopping(input_ids: Any, scores: Any, **kwargs: Any) -> bool:
            return stop.is_set()

        from transformers import StoppingCriteriaList

        settings: dict[str, Any] = {
            "max_new_tokens": request.max_tokens,
            "do_sample": request.temperature > 0,
            "streamer": streamer,
            "stopping_criteria": StoppingCriteriaList([stopping]),
            "pad_token_id": self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
        }
        if request.temperature > 0:
            settings.update(temperature=request.temperature, top_p=request.top_p)
        if request.holds:
            from transformers import LogitsProcessorList

            start = int(encoded["input_ids"].shape[1])
            hold = _Hold(self.tokenizer, request, start, self.end_tokens())
            settings["logits_processor"] = LogitsProcessorList([hold])
        torch.manual_seed(request.seed)
        failure: list[BaseException] = []

        def work() -> None:
            try:
                with torch.no_grad():
                    self.model.generate(**encoded, **settings)
            except BaseException as exc:  # surfaced in the consuming thread
                failure.append(exc)
            finally:
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        ids: list[int] = []
        emitted = ""
        self._lock.acquire()
        try:
            thread.start()
            while (item := streamer.items.get()) is not None:
                ids += item
                text = str(self.tokenizer.decode(ids, skip_special_tokens=True))
                if text.endswith("\ufffd"):
                    yield ""  # a token that ends inside a multi-byte character: counted, shown later
                    continue
                yield text[len(emitted) :]
                emitted = text
        finally:
            stop.set()
            if thread.ident is not None:
                thread.join()
            self._lock.release()
        if failure:
            raise BackendError(f"transformers generate failed: {failure[0]}")

    @property
    def max_concurrency(self) -> int:
        return 1

    def generate(self, requests: Sequence[GenRequest]) -> list[Generation]:
        return [collect(self.stream(request)) for request in requests]

    def stream(self, request: GenRequest) -> Iterator[Chunk]:
        prompt = self.render(request)
        tokens = len(self.tokenizer(prompt, add_special_tokens=False).input_ids)
        yield from scan(self._pieces(request, prompt), request, tokens)

    def describe(self) -> BackendInfo:
        import torch
        import transformers

        adapter = None
        if self.options.adapter:
            weights = sorted(Path(self.options.adapter).glob("adapter_model.*"))
            adapter = {
                "path": str(self.options.adapter),
                "sha256": sha256_file(weights[0]) if weights else None,
                "prompt_learning": self.prompt_learning,
            }
        template = getattr(self.tokenizer, "chat_template", None)
        return BackendInfo(
            name=self.name,
            model=self.resolved.describe(),
            settings={"device": self.device, "adapter": adapter},
            versions={"transformers": transformers.__version__, "torch": torch.__version__},
            chat_template=template if isinstance(template, str) else None,
        )

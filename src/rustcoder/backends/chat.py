"""A local model's prompt text, exactly: its chat template rendered (`render_chat`), and every kind of
request written in the model's own format (`PromptFormat`: raw prompt, FIM gap, conversation).

llama.cpp (the template stored in the GGUF) and transformers (the tokenizer's template) render through
`render_chat`, so the two backends, and the training prompts built from the same messages, cannot drift
apart. It follows the Jinja conventions chat templates are written for (those of transformers'
`apply_chat_template`): a sandboxed environment, `trim_blocks` and `lstrip_blocks`, loop controls,
`{% generation %}` blocks passed through, `raise_exception`, `strftime_now` and a `tojson` that keeps
non-ASCII text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rustcoder.backends.base import GenRequest, Message
from rustcoder.backends.fim import FimTokens, find_fim_tokens
from rustcoder.errors import RequestError


def _raise(message: str) -> None:
    raise RequestError(f"the chat template refused the conversation: {message}")


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def _strftime_now(format_: str) -> str:
    return dt.datetime.now().strftime(format_)


@lru_cache(maxsize=8)
def _compiled(template: str) -> Any:
    import jinja2
    import jinja2.ext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Generation(jinja2.ext.Extension):
        """`{% generation %}...{% endgeneration %}` marks the assistant's part for training: kept as is."""

        tags = {"generation"}  # noqa: RUF012 (jinja2 declares it as a plain attribute)

        def parse(self, parser: Any) -> Any:
            parser.stream.skip(1)
            return parser.parse_statements(("name:endgeneration",), drop_needle=True)

    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.BaseLoader(),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[Generation, jinja2.ext.loopcontrols],
    )
    environment.filters["tojson"] = _tojson
    return environment.from_string(template)


def render_chat(
    template: str,
    messages: Sequence[Message],
    *,
    bos_token: str,
    eos_token: str,
    add_generation_prompt: bool = True,
) -> str:
    """The prompt text for `messages`, ending where the assistant's reply begins (when asked)."""
    rendered = _compiled(template).render(
        messages=[{"role": m.role, "content": m.content} for m in messages],
        bos_token=bos_token,
        eos_token=eos_token,
        add_generation_prompt=add_generation_prompt,
        raise_exception=_raise,
        strftime_now=_strftime_now,
        tools=None,
        tool_choice=None,
    )
    return str(rendered)


@dataclass(frozen=True, slots=True)
class PromptFormat:
    """How a local model's prompts are written: its chat template and special tokens, its FIM markers."""

    model: str
    chat_template: str | None
    bos_token: str
    eos_token: str
    fim: FimTokens | None

    @classmethod
    def of_tokenizer(cls, model: str, tokenizer: Any) -> PromptFormat:
        """The format of a transformers tokenizer: its chat template, special tokens and FIM markers."""
        template = getattr(tokenizer, "chat_template", None)
        return cls(
            model,
            template if isinstance(template, str) else None,
            bos_token=tokenizer.bos_token or "",
            eos_token=tokenizer.eos_token or "",
            fim=find_fim_tokens(tokenizer.get_vocab().__contains__),
        )

    def render(self, request: GenRequest) -> str:
        """The exact text the model is given for `request`: a raw prompt as it is, a gap in the model's
        FIM layout, a conversation through its chat template (then the prefill)."""
        if request.suffix is not None and request.prompt is not None:
            if self.fim is None:
                raise RequestError(f"{self.model} has no fill-in-the-middle tokens")
            return self.fim.prompt(
                request.prompt,
                request.suffix,
                request.fim_layout,
                request.context_files,
                request.path,
                request.middle_start,
            )
        if request.prompt is not None:
            return request.prompt
        if not self.chat_template:
            raise RequestError(f"{self.model} has no chat template; use a completion strategy")
        chat = render_chat(
            self.chat_template, request.messages, bos_token=self.bos_token, eos_token=self.eos_token
        )
        return chat + request.prefill

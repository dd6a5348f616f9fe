"""One chat-template renderer for every local backend, equal to llama.cpp's and transformers' own."""

import pytest

from rustcoder.backends.base import Message
from rustcoder.backends.chat import render_chat
from rustcoder.errors import RequestError

CONVERSATION = (
    Message("system", "Be brief."),
    Message("user", "Write `add` in Rust: ünïcode stays"),
    Message("assistant", "RUST_BEGIN\nfn add(a: i32, b: i32) -> i32 { a + b }\nRUST_END"),
    Message("user", "Your code does not compile."),
)


def test_jinja_conventions_of_chat_templates():
    template = (
        "{{ bos_token }}{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}"
        "{% generation %}[{{ m.role }}] {{ m.content | tojson }}{% endgeneration %}\n"
        "{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}"
    )
    text = render_chat(template, CONVERSATION, bos_token="<s>", eos_token="</s>")
    assert text.startswith('<s>[user] "Write `add` in Rust: ünïcode stays"[assistant] ')  # no \\u escapes
    assert "[system]" not in text and text.endswith("[assistant]")
    assert "\n" not in text.replace("\\n", "")  # trim_blocks: no newline after a block tag
    assert not render_chat(
        template, CONVERSATION[:2], bos_token="", eos_token="", add_generation_prompt=False
    ).endswith("[assistant]")
    with pytest.raises(RequestError, match="only user turns"):
        render_chat("{{ raise_exception('only user turns') }}", CONVERSATION, bos_token="", eos_token="")


@pytest.mark.model
def test_the_default_models_template_renders_exactly_as_llama_cpp_does(fixtures):
    """The prompts of the default job: what rustcoder renders is byte for byte what llama.cpp rendered."""
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    from rustcoder.benchmarks.formats import load_problems
    from rustcoder.models.fetch import resolve_model
    from rustcoder.prompting.registry import STRATEGIES

    llm = Llama(
        model_path=str(resolve_model("qwen2.5-coder-0.5b-instruct").path), vocab_only=True, verbose=False
    )
    template = llm.metadata["tokenizer.chat_template"]
    eos = llm._model.token_get_text(llm.token_eos())
    formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token="")
    conversations = [CONVERSATION, CONVERSATION[1:]]
    for problem in load_problems(fixtures / "humanevalx_mini.jsonl")[1]:
        for name in ("instruct", "delimited", "one-shot"):
            request = STRATEGIES[name].request(problem, temperature=0, seed=0, max_tokens=8)
            conversations.append(request.messages)
    for messages in conversations:
        expected = formatter(messages=[{"role": m.role, "content": m.content} for m in messages]).prompt
        assert render_chat(template, messages, bos_token="", eos_token=eos) == expected


@pytest.mark.model
def test_a_tokenizers_template_renders_exactly_as_transformers_does():
    pytest.importorskip("transformers")
    from transformers import AutoTokenizer

    from rustcoder.models.fetch import resolve_model

    gguf = resolve_model("smollm2-135m-instruct").path
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    for messages in (CONVERSATION, CONVERSATION[1:2]):
        expected = tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            tokenize=False,
            add_generation_prompt=True,
        )
        rendered = render_chat(
            tokenizer.chat_template, messages, bos_token=tokenizer.bos_token, eos_token=tokenizer.eos_token
        )
        assert rendered == expected

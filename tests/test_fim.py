"""Fill-in-the-middle: the families' tokens, found in a real vocabulary, and a real model filling a gap."""

import pytest

from rustcoder.backends.base import GenRequest
from rustcoder.backends.fim import FAMILIES, find_fim_tokens
from rustcoder.errors import RequestError
from rustcoder.types import FimLayout


def test_each_family_is_found_only_when_all_three_markers_are_tokens():
    for family in FAMILIES:
        vocabulary = {family.prefix, family.suffix, family.middle, "<|endoftext|>"}
        assert find_fim_tokens(vocabulary.__contains__) == family
        assert find_fim_tokens((vocabulary - {family.middle}).__contains__) is None
    assert len({(f.prefix, f.suffix, f.middle) for f in FAMILIES}) == len(FAMILIES)


def test_psm_and_spm_layouts():
    qwen = FAMILIES[0]
    assert qwen.prompt("fn f() {", "}\n") == "<|fim_prefix|>fn f() {<|fim_suffix|>}\n<|fim_middle|>"
    assert (
        qwen.prompt("fn f() {", "}\n", FimLayout.SPM)
        == "<|fim_suffix|>}\n<|fim_prefix|>fn f() {<|fim_middle|>"
    )


def test_a_suffix_goes_with_a_prompt_only():
    from rustcoder.backends.base import Message

    with pytest.raises(ValueError, match="suffix"):
        GenRequest(messages=(Message("user", "x"),), suffix="}")
    assert GenRequest(prompt="fn f() {", suffix="}").fim_layout is FimLayout.PSM


@pytest.mark.model
def test_the_default_model_has_qwens_fim_tokens_and_fills_a_gap():
    from rustcoder.backends.factory import create_backend

    backend = create_backend("llamacpp", "qwen2.5-coder-0.5b-instruct")
    assert backend.fim is not None and backend.fim.family == "qwen2.5-coder"
    assert [
        backend.llm.tokenize(t.encode(), add_bos=False, special=True) for t in backend.fim.markers[:3]
    ] == [
        [151659],
        [151661],
        [151660],
    ]
    prefix = "fn add(a: i32, b: i32) -> i32 {\n    "
    suffix = "\n}\n\nfn main() {\n    assert_eq!(add(2, 3), 5);\n}\n"
    psm = GenRequest(prompt=prefix, suffix=suffix, max_tokens=16, stop=("\n",))
    assert backend.render(psm) == f"<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>"
    (generation,) = backend.generate([psm])
    assert generation.text.strip() == "a + b"
    # Measured, not assumed: this model was trained on PSM only; given SPM it starts the prefix over.
    spm = GenRequest(prompt=prefix, suffix=suffix, fim_layout=FimLayout.SPM, max_tokens=8, stop=("\n",))
    assert backend.render(spm) == f"<|fim_suffix|>{suffix}<|fim_prefix|>{prefix}<|fim_middle|>"


@pytest.mark.model
def test_a_model_without_fim_tokens_refuses_a_gap_clearly():
    from rustcoder.backends.factory import create_backend

    backend = create_backend("llamacpp", "smollm2-135m-instruct")
    assert backend.fim is None
    with pytest.raises(RequestError, match="no fill-in-the-middle tokens"):
        backend.generate([GenRequest(prompt="fn f() {", suffix="}", max_tokens=4)])


def test_other_files_come_first_with_the_familys_file_separator_or_as_comments():
    from rustcoder.backends.fim import ContextFile

    qwen, _, deepseek = FAMILIES
    files = [ContextFile("src/util.rs", "pub fn helper() -> u8 { 1 }\n")]
    assert qwen.prompt("fn f() {", "}", files=files, path="src/main.rs") == (
        "<|file_sep|>src/util.rs\npub fn helper() -> u8 { 1 }\n<|file_sep|>src/main.rs\n"
        "<|fim_prefix|>fn f() {<|fim_suffix|>}<|fim_middle|>"
    )
    assert deepseek.prompt("fn f() {", "}", files=files).startswith(
        "<｜fim▁begin｜>// src/util.rs\npub fn helper() -> u8 { 1 }\n\nfn f() {"
    )
    assert qwen.prompt("a", "b") == "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>"  # no files: as before
    with pytest.raises(ValueError, match="context files"):
        GenRequest(prompt="a", context_files=tuple(files))


def test_the_start_of_the_middle_goes_after_the_middle_marker():
    qwen = FAMILIES[0]
    assert qwen.prompt("fn f() {\n", "\n}", middle_start="    let x") == (
        "<|fim_prefix|>fn f() {\n<|fim_suffix|>\n}<|fim_middle|>    let x"
    )
    with pytest.raises(ValueError, match="middle start"):
        GenRequest(prompt="a", middle_start="b")

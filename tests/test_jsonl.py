import gzip
import json

import pytest

from rustcoder.errors import DataError
from rustcoder.jsonl import JsonlAppender, read_jsonl


def test_reads_objects_with_line_numbers_and_skips_blank_lines(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n')
    assert list(read_jsonl(path)) == [(1, {"a": 1}), (3, {"a": 2})]


def test_reads_gzip(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write('{"a": 1}\n')
    assert list(read_jsonl(path)) == [(1, {"a": 1})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": 1}\n{"a": \n', "a.jsonl:2: invalid JSON"),
        (b'{"a": 1}\n[1, 2]\n', "a.jsonl:2: expected a JSON object, got list"),
        (b'{"a": 1}\n{"a": "\xff\xfe"}\n', "a.jsonl:2: not valid UTF-8"),
    ],
)
def test_errors_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "a.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        list(read_jsonl(path))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="cannot open"):
        list(read_jsonl(tmp_path / "nope.jsonl"))


def test_torn_last_line_is_skipped_only_when_allowed(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2')
    assert list(read_jsonl(path, allow_torn_tail=True)) == [(1, {"a": 1})]
    with pytest.raises(DataError):
        list(read_jsonl(path))


def test_appender_drops_a_torn_tail_before_appending(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2')
    with JsonlAppender(path) as out:
        out.write({"a": 3})
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"a": 1}, {"a": 3}]


def test_appender_writes_any_string_even_a_lone_surrogate(tmp_path):
    path = tmp_path / "r.jsonl"
    with JsonlAppender(path) as out:
        out.write({"s": "bad \udc80 text"})
    assert list(read_jsonl(path)) == [(1, {"s": "bad \udc80 text"})]

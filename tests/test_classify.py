import json
import signal

from rustcoder.execute.classify import classify, parse_report
from rustcoder.execute.diagnostics import error_codes, parse_diagnostics
from rustcoder.execute.testfns import prepare_tests
from rustcoder.types import Status, TestStyle


def hexed(text: str) -> str:
    return text.encode().hex()


def run_record(report, **extra):
    return {
        "exit": 0,
        "signal": None,
        "wall": 0.01,
        "timed_out": False,
        "output_exceeded": False,
        "stdout": "",
        "stderr": "",
        "report": report,
        **extra,
    }


def status_of(record, tests_total=1, test_lines=range(10, 20)):
    result = classify(
        record,
        tests_total=tests_total,
        is_test_location=lambda loc: int(loc.split(":")[1]) in test_lines if loc != "?" else False,
        timeout=3.0,
        output_cap=100,
    )
    return result.status, result.reason


def test_complete_passing_report_passes():
    assert status_of(run_record(["start t", "pass t 5", "done"]))[0] is Status.PASSED


def test_assertion_in_the_tests_is_a_test_failure_and_elsewhere_a_panic():
    failing = ["start t", f"fail t 5 panic batch.rs:12:9 {hexed('assertion failed: f(1) == 2')}", "done"]
    status, reason = status_of(run_record(failing))
    assert status is Status.TEST_FAILURE and "assertion failed: f(1) == 2" in reason
    in_solution = ["start t", f"fail t 5 panic batch.rs:3:9 {hexed('assertion failed: x')}", "done"]
    assert status_of(run_record(in_solution))[0] is Status.PANIC
    overflow = ["start t", f"fail t 5 panic batch.rs:3:9 {hexed('attempt to add with overflow')}", "done"]
    assert status_of(run_record(overflow))[0] is Status.PANIC


def test_python_assertion_error_in_tests_file():
    lines = ["start check", f"fail check 5 panic tests.py:4:0 {hexed('AssertionError: ')}", "done"]
    result = classify(
        run_record(lines),
        tests_total=1,
        is_test_location=lambda loc: loc.startswith("tests.py"),
        timeout=3,
        output_cap=100,
    )
    assert result.status is Status.TEST_FAILURE


def test_missing_done_is_never_a_pass():
    status, reason = status_of(run_record(["start t"], exit=0))
    assert status is Status.PANIC and "exited with code 0 during t" in reason
    status, reason = status_of(run_record(["start t"], exit=None, signal=signal.SIGSEGV))
    assert status is Status.PANIC and "SIGSEGV" in reason
    assert status_of(run_record(["start t"], exit=None, signal=signal.SIGXCPU))[0] is Status.TIMEOUT
    assert status_of(run_record([], exit=0))[0] is Status.PANIC


def test_timeout_names_the_running_test():
    status, reason = status_of(run_record(["start t"], exit=None, signal=9, timed_out=True))
    assert status is Status.TIMEOUT and "in t" in reason


def test_output_flood_and_crash_reasons():
    assert status_of(run_record(["start t"], output_exceeded=True, exit=None, signal=9))[0] is Status.PANIC
    memory = run_record(["start t"], exit=None, signal=6, stderr="memory allocation of 999 bytes failed")
    assert "out of memory" in status_of(memory)[1]
    stack = run_record(["start t"], exit=None, signal=6, stderr="thread 'main' has overflowed its stack")
    assert "stack overflow" in status_of(stack)[1]


def test_zero_tests_is_no_tests_not_a_pass():
    assert status_of(run_record(["done"]), tests_total=0)[0] is Status.NO_TESTS


def test_sandbox_failures_are_sandbox_errors():
    assert status_of({"driver_error": "driver died"})[0] is Status.SANDBOX_ERROR


def test_python_compile_error_report():
    result = classify(
        run_record([f"compile SyntaxError {hexed('SyntaxError: invalid syntax')}", "done"]),
        tests_total=1,
        is_test_location=lambda loc: False,
        timeout=1,
        output_cap=1,
    )
    assert result.status is Status.COMPILE_ERROR and result.error_codes == ["SyntaxError"]


def test_report_parser_ignores_malformed_lines():
    report = parse_report(["start a", "pass a 1", "garbage", "fail b 1 panic ? zz", "done"])
    assert report.passed == ["a"] and report.done and report.failures[0].message == "zz"


def diag(level="error", code=None, message="m", spans=()):
    return json.dumps(
        {
            "$message_type": "diagnostic",
            "level": level,
            "message": message,
            "code": {"code": code} if code else None,
            "spans": list(spans),
            "rendered": message,
        }
    )


def span(line, primary=True, file="/sandbox/batch.rs"):
    return {"file_name": file, "line_start": line, "is_primary": primary, "expansion": None}


def test_diagnostics_keep_errors_codes_and_lines():
    stderr = "\n".join(
        [
            diag(code="E0308", message="mismatched types", spans=[span(12), span(9, primary=False)]),
            diag(level="warning", code="W1", message="unused"),
            diag(message="aborting due to 1 previous error"),
            diag(code="E0308", message="again", spans=[span(30, file="/rustc/lib.rs")]),
            diag(message="linking with `cc` failed"),
            "thread 'rustc' panicked",
        ]
    )
    errors, other = parse_diagnostics(stderr)
    assert [e.message for e in errors] == ["mismatched types", "again", "linking with `cc` failed"]
    assert errors[0].primary == (("/sandbox/batch.rs", 12),)
    assert errors[0].other == (("/sandbox/batch.rs", 9),)
    assert errors[1].primary == (("/rustc/lib.rs", 30),)
    assert error_codes(errors) == ["E0308"]
    assert other == ["thread 'rustc' panicked"]
    assert errors[0].label == "E0308: mismatched types"


def test_test_discovery_rewrites_and_skips_comments():
    source = (
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn a() {}\n    #[test]\n"
        '    #[should_panic(expected = "x")]\n    pub fn b() {}\n    // #[test] fn c() {}\n}\n'
    )
    prepared = prepare_tests(source, TestStyle.LIBTEST)
    assert [(t.path, t.should_panic) for t in prepared.tests] == [("tests::a", False), ("tests::b", True)]
    assert "#[test]" not in prepared.source.replace("// #[test]", "")
    assert "pub(crate) mod tests" in prepared.source and "pub(crate) fn a()" in prepared.source
    assert prepare_tests("/*\nmod tests { #[test] fn a() {} }\n*/", TestStyle.LIBTEST).tests == ()
    assert [t.path for t in prepare_tests("fn main() {}", TestStyle.MAIN).tests] == ["main"]
    assert prepare_tests("fn helper() {}", TestStyle.MAIN).tests == ()


def test_each_test_s_outcome_is_kept():
    report = ["start a", "pass a 5", "start b", f"fail b 7 error ? {hexed('Error: 42')}", "start c"]
    report += [f"fail c 3 panic batch.rs:3:9 {hexed('index out of bounds')}", "done"]
    result = classify(
        run_record(report), tests_total=3, is_test_location=lambda _: False, timeout=3.0, output_cap=100
    )
    assert result.passed_tests == ("a",) and result.tests_passed == 1
    assert result.failed_tests == {"b": "error: Error: 42", "c": "panic: index out of bounds"}

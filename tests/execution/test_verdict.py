"""The verdict rules on synthetic sandbox results: no sandbox needed."""

from codestilts.execution.runner import runner_for
from codestilts.execution.sandbox import Limits, SandboxResult, Step, StepResult
from codestilts.execution.verdict import Verdict, judge

STEPS = [Step("compile", ("cc",), Limits(wall_s=30)), Step("run", ("./prog",), Limits(wall_s=5))]


def result(compile_rc, run_rc, stderr="", stdout="", wall=0.5, started=("compile", "run"), completed=True, **kw):
    steps = [StepResult(name, rc, name in started) for name, rc in (("compile", compile_rc), ("run", run_rc))]
    return SandboxResult(steps=steps, stdout=stdout, stderr=stderr, compile_log="main.c:1: error: oops",
                         wall_s=wall, completed=completed, **kw)


def verdict(res, lang="cpp"):
    return judge(res, STEPS, runner_for(lang)).verdict


def test_exit_zero_passes_only_with_the_tests_completion_report():
    assert verdict(result(0, 0)) is Verdict.PASSED
    assert verdict(result(0, 0, completed=False)) is Verdict.RUNTIME_ERROR


def test_a_step_without_status_is_the_programs_fault_once_started():
    assert verdict(result(0, None)) is Verdict.RUNTIME_ERROR  # the driver was killed during the run
    assert verdict(result(None, None, started=())) is Verdict.SANDBOX_ERROR  # nothing ever started


def test_an_output_at_its_size_limit_is_the_output_limit_whatever_the_exit():
    res = result(0, 1, stderr="E" * 5000, output_limited=True)
    assert judge(res, STEPS, runner_for("python")).reason == "output limit exceeded"


def test_a_cgroup_oom_kill_is_the_memory_limit():
    res = result(0, 137, extra={"oom_kills": 1})
    assert judge(res, STEPS, runner_for("cpp")).reason.startswith("memory limit exceeded")


def test_compile_failure_is_compile_error_and_run_never_counts():
    assert verdict(result(1, None)) is Verdict.COMPILE_ERROR


def test_wall_and_cpu_limits_are_timeouts():
    assert verdict(result(0, 124)) is Verdict.TIMEOUT
    assert verdict(result(0, 128 + 24)) is Verdict.TIMEOUT  # SIGXCPU
    assert verdict(result(0, 137, wall=6.0)) is Verdict.TIMEOUT  # SIGKILL after the limit
    assert verdict(result(None, None, host_killed=True)) is Verdict.TIMEOUT


def test_early_sigkill_is_a_crash_not_a_timeout():
    assert verdict(result(0, 137, wall=0.2)) is Verdict.RUNTIME_ERROR


def test_assertion_markers_make_failed_in_every_language():
    cases = {
        "python": "Traceback...\nAssertionError",
        "cpp": "prog: main.cpp:9: int main(): Assertion `f(1) == 2' failed.",
        "java": 'Exception in thread "main" java.lang.AssertionError',
        "javascript": "Error [AssertionError]: console.assert failed",
        "go": "    Error Trace:\tmain_test.go:12",
        "rust": "assertion `left == right` failed",
        "php": "PHP Fatal error:  Uncaught AssertionError: assert(add(1, 1) == 3)",
        "ruby": "main.rb:12:in `<main>': Error at test case 1 (StandardError)",
        "perl": "Exception -- test case 0 did not pass. at main.pl line 9.",
        "kotlin": "java.lang.Exception: Exception -- test case 0 did not pass. x0 = 1",
        "scala": "java.lang.AssertionError: assertion failed: Exception -- test case 0 did not pass.",
        "csharp": "System.Exception: Exception --- test case 0 failed to pass",
        "typescript": "AssertionError [ERR_ASSERTION]: Exception --- test case 0 failed to pass",
    }
    for lang, stderr in cases.items():
        assert verdict(result(0, 1, stderr=stderr), lang) is Verdict.FAILED, lang


def test_other_crashes_are_runtime_errors():
    assert verdict(result(0, 1, stderr="ZeroDivisionError: division by zero"), "python") is Verdict.RUNTIME_ERROR
    assert verdict(result(0, 139, stderr="Segmentation fault")) is Verdict.RUNTIME_ERROR
    assert verdict(result(0, 101, stderr="index out of bounds: the len is 3"), "rust") is Verdict.RUNTIME_ERROR


def test_output_limit_is_a_runtime_error():
    assert verdict(result(0, 128 + 25)) is Verdict.RUNTIME_ERROR  # SIGXFSZ


def test_sandbox_failure_is_sandbox_error():
    assert verdict(result(None, None, sandbox_error="bwrap: setting up uid map: Permission denied")) \
        is Verdict.SANDBOX_ERROR

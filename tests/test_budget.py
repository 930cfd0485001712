"""Every check has a time budget; past it the check is an ``error`` and the session goes on.

The budget stops a check wherever its time goes: the jsonschema engine's
keywords, a slow ``format`` checker, a pattern only Python's ``re`` can run,
and jsonschema-rs's native code (in a thread that is abandoned).
"""

from __future__ import annotations

import gc
import signal
import threading
import time
from typing import Any

import pytest

from pytest_contracts.budget import CheckTimedOut, Runner, time_budget
from pytest_contracts.checker import Checker
from pytest_contracts.defaults import CHECK_TIMEOUT
from pytest_contracts.validation import ValidatorCache

from .conftest import Project, contract_record

ENGINES = ["jsonschema", "jsonschema-rs"]


def branching(levels: int = 12) -> dict[str, Any]:
    """Accepted at registration (below the expansion bound), yet a string
    that matches no branch costs thousands of evaluations per array item."""
    definitions: dict[str, Any] = {"a0": {"type": "string", "minLength": 3}}
    for level in range(1, levels + 1):
        definitions[f"a{level}"] = {
            "anyOf": [{"$ref": f"#/$defs/a{level - 1}"}, {"$ref": f"#/$defs/a{level - 1}"}]
        }
    return {"$defs": definitions, "type": "array", "items": {"$ref": f"#/$defs/a{levels}"}}


SLOW_OUTPUT = ["x"] * 10


def _spin(seconds: float) -> int:
    end, turns = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        turns += 1
    return turns


def test_time_budget_stops_python_code_in_the_middle() -> None:
    started = time.monotonic()
    with pytest.raises(CheckTimedOut), time_budget(0.05):
        _spin(30)
    assert time.monotonic() - started < 20


def test_time_budget_puts_back_a_timer_and_handler_set_before_it() -> None:
    fired: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        with time_budget(5):
            pass
        assert signal.getsignal(signal.SIGALRM) is not None
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20 < left <= 30  # the other timer is still running
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        _spin(0.2)
        assert fired == [signal.SIGALRM]  # and its own handler gets it
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_no_budget_means_no_limit() -> None:
    with time_budget(None):
        _spin(0.05)
    assert Runner().run(lambda: 3, None) == 3


def test_the_runner_abandons_a_call_past_its_budget_and_goes_on() -> None:
    runner = Runner()
    release = threading.Event()
    with pytest.raises(CheckTimedOut):
        runner.run(lambda: release.wait(60), 0.05)
    assert runner.abandoned == 1
    assert runner.run(lambda: "next", 5) == "next"  # a new thread
    with pytest.raises(ZeroDivisionError):
        runner.run(lambda: 1 / 0, 5)
    release.set()
    runner.close()


def test_an_abandoned_python_call_is_stopped_in_its_thread() -> None:
    runner = Runner()
    threads: list[threading.Thread] = []

    def spin() -> None:
        threads.append(threading.current_thread())
        _spin(60)

    with pytest.raises(CheckTimedOut):
        runner.run(spin, 0.05)
    (thread,) = threads
    thread.join(10)
    assert not thread.is_alive()  # not left spinning for a minute


def test_a_later_check_is_never_sent_an_abandoned_checks_timeout() -> None:
    # An abandoned thread is sent its timeout again until it ends; once it
    # has, its id can go to the next check's thread, which must be left alone.
    threads: list[threading.Thread] = []

    def spin() -> None:
        threads.append(threading.current_thread())
        _spin(60)

    for _ in range(6):
        with pytest.raises(CheckTimedOut):
            Runner().run(spin, 0.02)
        threads[-1].join(10)  # ended: the next thread may get its id
        assert Runner().run(lambda: _spin(0.05), 5) > 0
    for thread in threads:
        thread.join(10)
    assert [thread for thread in threads if thread.is_alive()] == []


@pytest.mark.parametrize("engine", ENGINES)
def test_a_slow_check_ends_as_an_error_that_names_the_budget(engine: str) -> None:
    cache = ValidatorCache(engine=engine, check_timeout=0.2)
    contract = contract_record(branching(), f"slow-{engine}")
    verdict = cache.validate(contract, SLOW_OUTPUT)
    assert not verdict.passed
    assert verdict.violations == ()
    assert verdict.error is not None
    assert "'contract-slow-" in verdict.error
    assert "time budget of 0.2 s" in verdict.error
    assert "--contracts-check-timeout" in verdict.error
    # The next check of the same cache is not affected.
    fine = cache.validate(contract_record({"type": "array"}, f"fine-{engine}"), [1])
    assert fine.passed


def test_a_slow_format_checker_is_stopped() -> None:
    # uri-template's check is quadratic: 200 KB of "{" takes seconds.
    cache = ValidatorCache(check_timeout=0.2)
    verdict = cache.validate(
        contract_record({"type": "string", "format": "uri-template"}, "uri"), "{" * 200_000
    )
    assert verdict.error is not None
    assert "time budget of 0.2 s" in verdict.error


def test_a_pattern_only_re_can_run_is_stopped() -> None:
    # A lookahead keeps this one off RE2: Python's re backtracks exponentially.
    cache = ValidatorCache(check_timeout=0.2)
    verdict = cache.validate(
        contract_record({"type": "string", "pattern": "^(?=a)(a*,a*)+$"}, "re"), "a," * 40 + "!"
    )
    assert verdict.error is not None
    assert "time budget" in verdict.error


@pytest.mark.parametrize("engine", ENGINES)
def test_the_budget_holds_in_a_thread_other_than_the_main_one(engine: str) -> None:
    # No timer signal there: the check runs in a thread of its own and is abandoned.
    cache = ValidatorCache(engine=engine, check_timeout=0.2)
    found: list[Any] = []
    worker = threading.Thread(
        target=lambda: found.append(
            cache.validate(contract_record(branching(), f"thread-{engine}"), SLOW_OUTPUT)
        )
    )
    worker.start()
    worker.join(120)
    assert not worker.is_alive()
    (verdict,) = found
    assert verdict.error is not None
    assert "time budget of 0.2 s" in verdict.error


def _allocate(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        [[] for _ in range(2000)]


def _spin_swallowing(end: float) -> None:
    """Spin until ``end``, swallowing whatever is raised meanwhile."""
    while time.monotonic() < end:
        try:
            while time.monotonic() < end:
                pass
        except BaseException:
            pass


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no timer signal here")
def test_a_timer_that_fires_in_a_garbage_collector_callback_still_stops_the_check() -> None:
    # An exception raised in a gc callback is printed and dropped: a check
    # whose time is mostly spent collecting (a suite with a slow callback,
    # hypothesis registers one) would run on past its budget.
    def slow_callback(phase: str, info: dict[str, int]) -> None:
        deadline = time.perf_counter() + 0.002
        while time.perf_counter() < deadline:
            pass

    gc.callbacks.append(slow_callback)
    started = time.monotonic()
    try:
        with pytest.raises(CheckTimedOut), time_budget(0.1):
            _allocate(3)  # a collection, with its callbacks, every few lists
    finally:
        gc.callbacks.remove(slow_callback)
    assert time.monotonic() - started < 2


def test_an_abandoned_check_interrupted_in_a_garbage_collector_callback_still_stops() -> None:
    # Off the main thread the check is sent CheckTimedOut; landing in a gc
    # callback, it would be printed as unraisable and the thread run on.
    def slow_callback(phase: str, info: dict[str, int]) -> None:
        if threading.current_thread() is not threading.main_thread():
            deadline = time.perf_counter() + 0.0001
            while time.perf_counter() < deadline:
                pass

    def ours() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "pytest-contracts-check"]

    earlier = ours()  # what earlier tests abandoned in native code
    runner = Runner()
    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(CheckTimedOut):
            runner.run(lambda: _allocate(8), 0.1)
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline and set(ours()) - set(earlier):
            time.sleep(0.01)
        alive = set(ours()) - set(earlier)
    finally:
        gc.callbacks.remove(slow_callback)
    assert alive == set()


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no timer signal here")
def test_a_check_that_swallows_the_timeout_is_still_over_its_budget() -> None:
    # What the timer raises is a BaseException, past any "except Exception";
    # code that catches everything (a bare except) still swallows it: the
    # check goes on, and is judged over its budget when it ends.
    started = time.monotonic()
    with pytest.raises(CheckTimedOut), time_budget(0.05):
        _spin_swallowing(started + 0.3)
    assert time.monotonic() - started >= 0.3


def test_the_checker_takes_the_budget_and_its_default() -> None:
    def unused() -> Any:
        raise AssertionError("no registry needed")

    assert Checker(unused).check_timeout == CHECK_TIMEOUT == 10.0
    assert Checker(unused, check_timeout=None).check_timeout is None


SLOW_TESTS = f"""
import pytest

@pytest.mark.contract("Slow")
def test_slow(phase_output):
    phase_output.record({SLOW_OUTPUT!r})

@pytest.mark.contract("Slow")
def test_slow_again(phase_output):
    phase_output.record({SLOW_OUTPUT!r})

@pytest.mark.contract("Fine")
def test_fine(phase_output):
    phase_output.record({{"id": 1}})

def test_after():
    pass
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_check_past_the_budget_is_an_error_and_the_session_goes_on(
    project: Project, engine: str
) -> None:
    project.contract("Slow", branching())
    project.contract("Fine", {"type": "object", "required": ["id"]})
    project.pytester.makepyfile(SLOW_TESTS)
    result = project.run("--contracts-engine", engine, "--contracts-check-timeout", "0.2")
    result.assert_outcomes(passed=2, failed=2)
    out = result.stdout.str()
    assert "ran past its time budget of 0.2 s and was stopped" in out
    assert "INTERNALERROR" not in out
    result.stdout.fnmatch_lines(["3 checks against 2 contracts: 1 passed, 2 error"])


def test_the_ini_option_sets_the_budget(project: Project) -> None:
    project.contract("Slow", {"type": "string", "format": "uri-template"})
    project.pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\ncontracts_check_timeout = 0.2\n"
    )
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Slow")
        def test_slow(phase_output):
            phase_output.record("{" * 200_000)
        """
    )
    result = project.run()
    result.assert_outcomes(failed=1)
    assert "time budget of 0.2 s" in result.stdout.str()


@pytest.mark.parametrize("value", ["0", "none", "None"])
def test_zero_or_none_turns_the_budget_off(project: Project, value: str) -> None:
    project.contract("Fine", {"type": "object"})
    project.pytester.makepyfile(
        """
        import pytest

        @pytest.mark.contract("Fine")
        def test_fine(phase_output, request):
            phase_output.record({})
            from pytest_contracts.plugin import SESSION
            assert request.config.stash[SESSION].checker.check_timeout is None
        """
    )
    project.run("--contracts-check-timeout", value).assert_outcomes(passed=1)


@pytest.mark.parametrize("value", ["-1", "soon", "inf", "nan"])
def test_a_budget_that_is_not_a_number_of_seconds_is_a_usage_error(
    project: Project, value: str
) -> None:
    project.pytester.makepyfile("def test_x():\n    pass\n")
    result = project.run("--contracts-check-timeout", value)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    (line,) = [x for x in result.stderr.lines if "contracts_check_timeout" in x]
    assert f"{value!r} is not a number of seconds > 0 (0 or none: no limit)" in line

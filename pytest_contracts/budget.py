"""The time budget of one check.

A check is CPU-bound Python (jsonschema, its format checkers, Python's
``re`` for a pattern RE2 cannot run) or native code (jsonschema-rs). No
thread can be stopped from outside, so the budget is a timer signal: in the
main thread of a POSIX process, :func:`time_budget` arms ``ITIMER_REAL`` and
``SIGALRM``'s handler raises :class:`CheckTimedOut` in the middle of the
check, wherever Python code (or ``re``, which checks for signals) is running.
Arming and disarming the timer are two system calls; nothing runs while the
check does, so a check that ends in time costs almost nothing more.

A timer another library set (pytest-timeout's signal method, say) is put
back when the check ends, less the time the check took, and its signal
still reaches that library's handler.

jsonschema-rs runs in native code that releases the GIL while it works,
and a signal handler only runs once it returns (its ``iter_errors`` collects
every error before it returns one). So do checks made where no timer signal
can be used (a thread other than the main one, a platform without
``setitimer``): :func:`run_within` runs them in a daemon thread of the
caller's and waits for them at most the budget. A check past it is
abandoned: the caller gets :class:`CheckTimedOut` at once and goes on, while
the thread is sent :class:`CheckTimedOut` (``PyThreadState_SetAsyncExc``),
which stops it at its next Python instruction: at once for jsonschema, and
for jsonschema-rs when its native call returns (it finishes that work in the
background first). The next check gets a new thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

__all__ = ["CheckTimedOut", "Runner", "can_interrupt", "time_budget"]

from .errors import CheckTimedOut

T = TypeVar("T")


def can_interrupt() -> bool:
    """Whether :func:`time_budget` can stop a Python check here (the main thread, POSIX)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


#: The handler of a signal, without signal.getsignal's conversion to an enum
#: (which costs more than the rest of arming the timer).
_getsignal: Callable[[int], Any] = getattr(
    importlib.import_module("_signal"), "getsignal", signal.getsignal
)

#: Whether a check's timer is running, and the SIGALRM handler there was
#: before :func:`_expire` was installed (it gets every other SIGALRM).
_ARMED = [False]
_PREVIOUS: list[Any] = [signal.SIG_DFL]


#: Whether the running check's timer fired and raised (see time_budget).
_FIRED = [False]
#: How soon the timer fires again when it fired where an exception is lost.
_RETRY = 0.001


def _where_raising_is_lost(frame: Any) -> bool:
    """Whether ``frame`` runs inside a garbage-collector callback or a
    ``__del__``: Python prints an exception raised there ("Exception ignored
    in ...") and goes on, so the check would not stop. Test tools register
    such callbacks (hypothesis times the collector with one)."""
    codes = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    codes.add(_lost_timeout.__code__)
    while frame is not None:
        if frame.f_code in codes or frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


#: The unraisable hook that was there before _lost_timeout was put in front.
_HOOK: list[Any] = [None]


def _lost_timeout(unraisable: Any) -> None:
    """Drops a :class:`CheckTimedOut` that Python could not raise (in a gc
    callback, a ``__del__``, a weakref callback) and raises it again just
    after: in the main thread by firing the timer again; a worker thread is
    sent it again by its stopper (:func:`_stop`). Anything else goes on to
    the hook there was before."""
    if isinstance(unraisable.exc_value, CheckTimedOut):
        if threading.current_thread() is threading.main_thread() and _ARMED[0]:
            signal.setitimer(signal.ITIMER_REAL, _RETRY)
        return
    _HOOK[0](unraisable)


def _catch_lost_timeouts() -> None:
    """Put :func:`_lost_timeout` in front of ``sys.unraisablehook`` (again
    whenever a test runner has set a hook of its own since)."""
    if sys.unraisablehook is not _lost_timeout:
        _HOOK[0] = sys.unraisablehook
        sys.unraisablehook = _lost_timeout


def _expire(signum: int, frame: Any) -> None:
    if _ARMED[0]:
        if _where_raising_is_lost(frame):
            signal.setitimer(signal.ITIMER_REAL, _RETRY)  # again, once it has returned
            return
        _FIRED[0] = True
        raise CheckTimedOut
    previous = _PREVIOUS[0]
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_DFL:  # what would have happened without us
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGALRM)


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Run the block for at most ``seconds`` (None or 0: no limit); past
    that, :class:`CheckTimedOut` is raised inside it, or at its end where
    it cannot be interrupted (see the module's docstring).

    The handler is installed once and stays, passing on every SIGALRM that
    is not a check's (so installing it costs nothing per check); a handler
    someone installs later is put aside the same way when the next check starts."""
    if not seconds:
        yield
        return
    started = time.monotonic()
    if not can_interrupt():
        yield
        if time.monotonic() - started > seconds:
            raise CheckTimedOut
        return
    if _getsignal(signal.SIGALRM) is not _expire:
        _PREVIOUS[0] = signal.signal(signal.SIGALRM, _expire)
    _ARMED[0], _FIRED[0] = True, False
    _catch_lost_timeouts()
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    late = stopped = False
    try:
        yield
    except CheckTimedOut:
        stopped = True
        raise
    finally:
        try:
            _ARMED[0] = False
        except CheckTimedOut:  # the timer fired as the block ended; it fires once
            _ARMED[0], late = False, True
        signal.setitimer(signal.ITIMER_REAL, 0)
        if previous_delay:
            # Someone else's timer: what was left of it, less this check.
            left = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-6), previous_interval)
    if late or (_FIRED[0] and not stopped):
        # The timer fired, and what it raised was lost on the way (a weakref
        # callback, a library that swallows exceptions): the check still ran
        # past its budget.
        raise CheckTimedOut


class _Call:
    __slots__ = ("done", "error", "function", "result")

    def __init__(self, function: Callable[[], Any]) -> None:
        self.function = function
        #: Held until the call has ended (a bare lock: an Event costs far more).
        self.done = threading.Lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None


def _serve(calls: queue.SimpleQueue[_Call | None]) -> None:
    try:
        while (call := calls.get()) is not None:
            try:
                call.result = call.function()
            except BaseException as exc:  # handed to the caller, whatever it is
                call.error = exc
            call.done.release()
    except CheckTimedOut:  # sent by an abandoning caller after the call had ended
        return


def _interrupt(thread: threading.Thread) -> None:
    """Raise CheckTimedOut in ``thread`` as soon as it runs Python code again:
    at once in jsonschema, when it returns from native code in jsonschema-rs."""
    _catch_lost_timeouts()
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(CheckTimedOut)
        )


#: How long an abandoned check's thread is sent CheckTimedOut again, and how
#: often: until it ends (Python code), or its native call returns.
_STOP_FOR = 30.0
_STOP_EVERY = 0.01


def _stop(thread: threading.Thread, calls: queue.SimpleQueue[_Call | None]) -> None:
    """Send ``thread`` CheckTimedOut again until it has ended: the first one
    can be dropped (see _lost_timeout). Never while it runs where an
    exception is dropped (a gc callback, a ``__del__``, the hook itself)."""
    end = time.monotonic() + _STOP_FOR
    while thread.is_alive() and time.monotonic() < end:
        time.sleep(_STOP_EVERY)
        frame = sys._current_frames().get(thread.ident or -1)
        if (
            frame is not None
            and _serving(frame, calls)
            and not _where_raising_is_lost(frame)
            and thread.is_alive()
        ):
            _interrupt(thread)


def _serving(frame: Any, calls: queue.SimpleQueue[_Call | None]) -> bool:
    """Whether ``frame`` is the thread that serves ``calls``: a thread's id
    is reused once it has ended, by another check's thread say, which must
    not be sent this one's timeout."""
    while frame is not None:
        if frame.f_code is _serve.__code__:
            return frame.f_locals.get("calls") is calls
        frame = frame.f_back
    return False


class Runner:
    """Runs calls in a daemon thread of its own and waits for each at most
    a budget (see the module's docstring). One caller at a time."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[_Call | None] | None = None
        self._thread: threading.Thread | None = None
        #: Calls abandoned because they ran past their budget.
        self.abandoned = 0

    def run(self, function: Callable[[], T], seconds: float | None) -> T:
        """``function()``'s result (or exception); :class:`CheckTimedOut`
        when it has not returned within ``seconds`` (None or 0: no limit)."""
        if self._calls is None or self._thread is None:
            self._calls = queue.SimpleQueue()
            self._thread = threading.Thread(
                target=_serve, args=(self._calls,), name="pytest-contracts-check", daemon=True
            )
            self._thread.start()
        call = _Call(function)
        self._calls.put(call)
        if not call.done.acquire(timeout=seconds or -1):
            # Stopped where Python code runs; native code is left to finish on
            # its own, and its thread ends once it has.
            thread, calls = self._thread, self._calls
            self._calls, self._thread = None, None
            calls.put(None)  # the thread's last call: it ends once stopped
            _interrupt(thread)
            threading.Thread(
                target=_stop, args=(thread, calls), name="pytest-contracts-stopper", daemon=True
            ).start()
            self.abandoned += 1
            raise CheckTimedOut
        if call.error is not None:
            raise call.error
        result: T = call.result
        return result

    def close(self) -> None:
        if self._calls is not None:
            self._calls.put(None)
            self._calls = None

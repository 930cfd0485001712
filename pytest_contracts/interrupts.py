"""SIGTERM and SIGHUP stop a run the way Ctrl-C does.

By default either signal ends the process at once: no JSON report, and the
validation records of the last batch only in the journal. While a run is on,
the process that reports (the only one of a plain run, the controller under
pytest-xdist) turns the first of them into a :class:`KeyboardInterrupt`, so
pytest ends the session as for Ctrl-C: the records are written, the report
says ``interrupted: true``. A second signal finds the previous handler back in
place and acts as it would have. A signal the program already handles or
ignores (``nohup``) is left alone.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

#: The signals that interrupt a run as Ctrl-C does, where the platform has them.
SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupts:
    """The handlers installed for one run; :meth:`restore` puts the old ones back."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set handlers
        for number in SIGNALS:
            if signal.getsignal(number) is not signal.SIG_DFL:
                continue
            self._previous[number] = signal.signal(number, self._interrupt)

    def _interrupt(self, number: int, frame: FrameType | None) -> None:
        self.restore()  # a second signal acts as it always did
        raise KeyboardInterrupt(f"{signal.Signals(number).name} received")

    def restore(self) -> None:
        previous, self._previous = self._previous, {}
        for number, handler in previous.items():
            if signal.getsignal(number) == self._interrupt:
                signal.signal(number, handler)

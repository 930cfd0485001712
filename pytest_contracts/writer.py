"""Validation records written to the registry in batches, off the test's thread.

Never imports pytest: the plugin queues one record per check, and so can any
program that checks outputs against the registry.
"""

from __future__ import annotations

import concurrent.futures
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio

    from .bridge import RegistryLoop
    from .registry.manager import ContractManager
    from .registry.records import ValidationInput

#: The longest a validation record waits for others before it is written
#: (seconds). Records are written in batches, each costing a transaction.
WRITE_DELAY = 1.0
#: A batch this large is written at once, and the test that completes it
#: waits for the write, for at most WRITE_WAIT seconds (see ValidationWriter).
WRITE_BATCH = 200
WRITE_WAIT = 5.0


class ValidationWriter:
    """Writes validation records to the registry in batches on the registry
    loop, so that a test does not wait for a commit of its own.

    A batch written while the tests keep the main thread busy is slow: every
    step of the write (a round trip to the database driver's thread) must
    wait for the GIL, which a busy thread gives up only every few
    milliseconds, so a batch of 250 took 0.8 s of wall time for 20 ms of
    work, and slowed the tests meanwhile. So the test that completes a batch
    waits for it to be written: the registry thread then runs without
    contention and the batch costs what its work costs. Fewer records than a
    batch are written after WRITE_DELAY in the background, and the rest when
    the session ends."""

    def __init__(self, loop: RegistryLoop, manager: ContractManager) -> None:
        self._loop = loop
        self._manager = manager
        self._queue: deque[ValidationInput] = deque()
        self._inflight: concurrent.futures.Future[None] | None = None
        self.written = 0
        self.failed: list[ValidationInput] = []
        self.last_error: str | None = None
        self._closing = False
        self._wake: asyncio.Event | None = None  # set on the loop: write now
        # False once a write outlasted WRITE_WAIT: the registry is slow or
        # stuck, and tests stop waiting for it.
        self._patient = True

    def add(self, record: ValidationInput) -> None:
        self._queue.append(record)
        inflight = self._inflight
        if inflight is None or inflight.done():
            inflight = self._inflight = self._loop.submit(self._drain())
        if len(self._queue) >= WRITE_BATCH:
            self._hurry()
            if self._patient:
                done, _ = concurrent.futures.wait([inflight], timeout=WRITE_WAIT)
                self._patient = bool(done)

    def _hurry(self) -> None:
        """Wake a drain that is waiting for more records (thread-safe)."""
        self._loop.loop.call_soon_threadsafe(self._set_wake)

    def _set_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _drain(self, delay: float | None = None) -> None:
        import asyncio

        if delay is None:
            delay = WRITE_DELAY
        if delay and not self._closing and len(self._queue) < WRITE_BATCH:
            self._wake = asyncio.Event()
            try:
                await asyncio.wait_for(self._wake.wait(), delay)
            except TimeoutError:
                pass
            finally:
                self._wake = None
        while self._queue:
            batch = [self._queue.popleft() for _ in range(min(500, len(self._queue)))]
            await self._write(batch)

    async def _write(self, batch: list[ValidationInput]) -> None:
        from .errors import ContractError, RegistryUnavailable

        try:
            self.written += await self._manager.record_validations(batch)
        except Exception as exc:  # whatever the cause, nothing is dropped unseen
            if (
                len(batch) > 1
                and isinstance(exc, ContractError)
                and not isinstance(exc, RegistryUnavailable)
            ):
                # A record the registry refuses (its contract was pruned meanwhile,
                # say) must not take the rest of its batch with it.
                for record in batch:
                    await self._write([record])
                return
            self.failed.extend(batch)
            self.last_error = f"{type(exc).__name__}: {exc}"

    def close(self, timeout: float | None = None) -> None:
        """Wait for what is queued; retry what failed once. ``timeout`` bounds
        each of the two waits (seconds; None: no bound)."""
        self._closing = True
        if self._inflight is not None:
            self._hurry()
            self._inflight.result(timeout)
        retry, self.failed = self.failed, []
        self._queue.extend(retry)
        if self._queue:  # nothing more will come: no reason to wait
            self._loop.run(self._drain(delay=0), timeout)

"""Validation records written to the registry in batches, off the test's thread,
through a journal on local disk when there is one.

Never imports pytest: the plugin queues one record per check, and so can any
program that checks outputs against the registry.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from .journal import Journal

if TYPE_CHECKING:
    import asyncio

    from .bridge import RegistryLoop
    from .registry.manager import ContractManager
    from .registry.records import ValidationInput

logger = logging.getLogger("pytest_contracts")

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
    the session ends.

    With a ``journal`` folder (see :mod:`pytest_contracts.journal`), each
    record is first appended to this process's journal file, before
    :meth:`add` returns, and the file is removed once the registry has every
    record: what the registry has not taken when the writer closes waits
    there for a replay. :attr:`failed` then holds, after :meth:`close`, only
    the records that are neither in the registry nor in a journal;
    :attr:`waiting` counts those in the journal (:attr:`journal_path`)."""

    def __init__(
        self,
        loop: RegistryLoop,
        manager: ContractManager,
        journal: Path | None = None,
        *,
        on_this_loop: bool = False,
    ) -> None:
        #: True for a writer used from its loop's own thread (the run-time
        #: API): :meth:`add` never waits, and :meth:`drain` / :meth:`close_async`
        #: are awaited instead of :meth:`close`.
        self.on_this_loop = on_this_loop
        self._loop = loop
        self._manager = manager
        self._queue: deque[ValidationInput] = deque()
        self._inflight: concurrent.futures.Future[None] | None = None
        #: The drains running on the loop.
        self._tasks: set[asyncio.Task[None]] = set()
        self.written = 0
        #: Records whose write failed (after close: those in no journal either).
        self.failed: list[ValidationInput] = []
        #: Records left in the journal at close, for a replay.
        self.waiting = 0
        self.last_error: str | None = None
        self._journal = Journal(journal) if journal is not None else None
        self.journal_error: str | None = None
        #: Every record added and not yet stored, by key.
        self._pending: dict[str, ValidationInput] = {}
        #: Keys of pending records the journal could not take (yet).
        self._unjournaled: dict[str, ValidationInput] = {}
        self._closing = False
        self._closed = False
        self._wake: asyncio.Event | None = None  # set on the loop: write now
        # False once a write outlasted WRITE_WAIT: the registry is slow or
        # stuck, and tests stop waiting for it.
        self._patient = True

    @property
    def unstored(self) -> int:
        """Records added and not (yet) in the registry."""
        return len(self._pending)

    @property
    def journal_path(self) -> Path | None:
        """This process's journal file, once a record was written to it."""
        return self._journal.path if self._journal is not None else None

    def add(self, record: ValidationInput) -> None:
        from .registry.records import new_key

        if self._closed:  # used again after close: a new round, a new journal file
            self._closed = self._closing = False
        if record.key is None:
            record = dataclasses.replace(record, key=new_key())
        assert record.key is not None
        self._pending[record.key] = record
        self._journal_write(record)
        self._queue.append(record)
        inflight = self._inflight
        if inflight is None or inflight.done():
            inflight = self._inflight = self._loop.submit(self._drain())
        if len(self._queue) >= WRITE_BATCH:
            self._hurry()
            if self._patient and not self.on_this_loop:
                done, _ = concurrent.futures.wait([inflight], timeout=WRITE_WAIT)
                self._patient = bool(done)

    def _journal_write(self, record: ValidationInput) -> None:
        """Append the record to the journal; one that cannot be written now
        (a full disk) goes to the registry all the same, and is tried again
        when the writer closes."""
        journal = self._journal
        assert record.key is not None
        if journal is None:
            self._unjournaled[record.key] = record
            return
        if self.journal_error is not None:  # failed before: not every check pays for it
            self._unjournaled[record.key] = record
            return
        try:
            journal.append([record])
        except (OSError, TypeError, ValueError) as exc:
            self.journal_error = f"{type(exc).__name__}: {exc}"
            self._unjournaled[record.key] = record
            logger.warning(
                "pytest-contracts: validation records cannot be written to the journal in %s "
                "(%s); they go to the registry only, and are lost if it does not take them",
                journal.directory,
                self.journal_error,
            )

    def _hurry(self) -> None:
        """Wake a drain that is waiting for more records (thread-safe)."""
        self._loop.loop.call_soon_threadsafe(self._set_wake)

    def _set_wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _drain(self, delay: float | None = None) -> None:
        import asyncio

        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._drain_now(delay)
        finally:
            self._tasks.discard(task)

    async def _drain_now(self, delay: float | None) -> None:
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
            return
        keys = [record.key for record in batch if record.key is not None]
        for key in keys:
            self._pending.pop(key, None)
            self._unjournaled.pop(key, None)
        if self._journal is not None:
            # The journal notes what the registry took, and reaches the disk
            # itself once per batch; a failure here only makes a replay redo work.
            with contextlib.suppress(OSError):
                self._journal.acknowledge(keys)
                self._journal.sync()

    def close(self, timeout: float | None = None) -> None:
        """Wait for what is queued; retry what failed once. ``timeout`` bounds
        each of the two waits (seconds; None: no bound): a write still going
        then is cancelled, and its records count as not stored. What is not
        stored stays in the journal, or, without one, in :attr:`failed`."""
        if self._closed:
            return  # settled already: what it counted stands
        self._closing = True
        try:
            if self._inflight is not None and not self._inflight.done():
                self._hurry()
                self._loop.run(self._finish(timeout))
            retry, self.failed = self.failed, []
            self._queue.extend(retry)
            if self._queue:  # nothing more will come: no reason to wait
                self._inflight = self._loop.submit(self._drain(delay=0))
                self._loop.run(self._finish(timeout))
        finally:
            self._settle()

    async def drain(self, max_wait: float | None = None) -> None:
        """For a writer on this loop: write what is queued now (and retry
        what failed before), waiting at most ``max_wait`` seconds; a write
        still going then is cancelled. What is not stored stays in
        :attr:`failed` (and in the journal)."""
        import asyncio

        self._set_wake()
        retry, self.failed = self.failed, []
        self._queue.extend(retry)
        pending: set[asyncio.Future[None]] = set(self._tasks)
        if self._queue:
            pending.add(asyncio.ensure_future(self._drain(delay=0)))
        await self._wait_or_cancel(pending, max_wait)

    async def close_async(self, max_wait: float | None = None) -> None:
        """:meth:`close` for a writer on this loop: awaited, never blocking it."""
        if self._closed:
            return
        self._closing = True
        try:
            await self.drain(max_wait)
            if self.failed:  # once more, as close() does
                await self.drain(max_wait)
        finally:
            self._settle()

    async def _finish(self, limit: float | None) -> None:
        """Wait for the drains on the loop, at most ``limit`` seconds; then cancel
        them and wait until they have stopped, so that nothing is stored after
        the count. (A drain submitted before this coroutine has started by
        the time it runs: the loop runs its callbacks in order.)"""

        await self._wait_or_cancel(set(self._tasks), limit)

    async def _wait_or_cancel(self, tasks: set[asyncio.Future[None]], limit: float | None) -> None:
        """Wait for ``tasks`` at most ``limit`` seconds; cancel those still
        going and wait until they have stopped, saying so in :attr:`last_error`."""
        import asyncio

        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=limit)
        if late:
            for task in late:
                task.cancel()
            await asyncio.wait(late)
            if self.last_error is None:
                self.last_error = f"the registry did not take them within {limit} s"

    def _settle(self) -> None:
        """Count what the registry did not take, journal it, and remove the
        journal when nothing is left in it."""
        self._closed = True
        self._queue.clear()
        journal = self._journal
        unjournaled = [r for key, r in self._unjournaled.items() if key in self._pending]
        if journal is not None and unjournaled and self._pending:
            try:
                journal.append(unjournaled)  # the disk may have space again
                unjournaled = []
            except (OSError, TypeError, ValueError) as exc:
                self.journal_error = f"{type(exc).__name__}: {exc}"
        self.failed = unjournaled
        self.waiting = len(self._pending) - len(unjournaled)
        if journal is None:
            return
        if self._pending:
            journal.keep()
            if self.waiting:
                where = (
                    f"{self.waiting} wait in the journal {journal.path}, and the next session "
                    "or pytest-contracts command on this registry stores them"
                )
                self.last_error = f"{self.last_error}; {where}" if self.last_error else where
        else:
            journal.discard()

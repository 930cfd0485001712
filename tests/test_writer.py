"""The validation writer: batches, who waits for them, and a stuck registry."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts import writer as writer_module
from pytest_contracts.bridge import RegistryLoop
from pytest_contracts.errors import InvalidArgument
from pytest_contracts.registry.records import ValidationInput
from pytest_contracts.writer import ValidationWriter


class Recorder:
    """Stands in for the ContractManager: records batches, in the loop thread."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()
        self.gate: asyncio.Event | None = None  # set: writes wait for it

    async def record_validations(self, checks: list[ValidationInput]) -> int:
        self.threads.add(threading.current_thread().name)
        if self.gate is not None:
            await self.gate.wait()
        self.batches.append([check.subject for check in checks])
        return len(checks)


@pytest.fixture
def loop() -> Iterator[RegistryLoop]:
    registry = RegistryLoop()
    yield registry
    registry.close()


def writer_for(
    loop: RegistryLoop,
    monkeypatch: pytest.MonkeyPatch,
    manager: Recorder | None = None,
    **settings: float,
) -> tuple[ValidationWriter, Recorder]:
    """A writer on ``loop`` in front of ``manager``, with the module's WRITE_* set."""
    for name, value in settings.items():
        monkeypatch.setattr(writer_module, name, value)
    manager = manager or Recorder()
    return ValidationWriter(loop, manager), manager  # type: ignore[arg-type]


def record(number: int) -> ValidationInput:
    return ValidationInput("contract-id", f"test_{number}", True)


def test_the_test_that_fills_a_batch_waits_until_it_is_written(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A delay of a minute: nothing is written by the timer.
    writer, manager = writer_for(loop, monkeypatch, WRITE_DELAY=60.0)
    for number in range(writer_module.WRITE_BATCH - 1):
        writer.add(record(number))
    assert writer.written == 0  # fewer than a batch: they wait for more
    writer.add(record(writer_module.WRITE_BATCH - 1))
    # The call that completed the batch returned after the write, on the registry thread.
    assert writer.written == writer_module.WRITE_BATCH
    assert manager.batches == [[f"test_{n}" for n in range(writer_module.WRITE_BATCH)]]
    assert manager.threads == {"pytest-contracts-registry"}
    writer.close()


def test_fewer_than_a_batch_are_written_after_the_delay_without_waiting(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, manager = writer_for(loop, monkeypatch, WRITE_DELAY=0.05)
    for number in range(3):
        writer.add(record(number))
    deadline = time.monotonic() + 30
    while writer.written < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert manager.batches == [["test_0", "test_1", "test_2"]]
    writer.close()
    assert writer.failed == []


def test_close_writes_what_is_left_at_once(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, manager = writer_for(loop, monkeypatch, WRITE_DELAY=60.0)
    writer.add(record(0))
    writer.close()  # wakes the waiting drain: does not sit out the 60 s
    assert manager.batches == [["test_0"]]


def test_a_stuck_registry_is_waited_for_once_then_not_again(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, manager = writer_for(loop, monkeypatch, WRITE_BATCH=2, WRITE_WAIT=0.2)
    gate = manager.gate = loop.run(_event())
    waits: list[bool] = []
    real_wait = writer_module.concurrent.futures.wait

    def counting_wait(*args: Any, **kwargs: Any) -> Any:
        done, pending = real_wait(*args, **kwargs)
        waits.append(bool(done))
        return done, pending

    monkeypatch.setattr(writer_module.concurrent.futures, "wait", counting_wait)
    for number in range(6):
        writer.add(record(number))
    # The first full batch was waited for and timed out; later ones were not.
    assert waits == [False]
    assert writer.written == 0
    loop.loop.call_soon_threadsafe(gate.set)
    writer.close()
    assert sorted(s for batch in manager.batches for s in batch) == [f"test_{n}" for n in range(6)]
    assert writer.written == 6


async def _event() -> asyncio.Event:
    return asyncio.Event()


class Failing(Recorder):
    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def record_validations(self, checks: list[ValidationInput]) -> int:
        if self.failures:
            self.failures -= 1
            raise OSError("the registry went away")
        return await super().record_validations(checks)


def test_a_failed_batch_is_kept_and_retried_once_at_close(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, manager = writer_for(loop, monkeypatch, Failing(failures=1), WRITE_BATCH=2)
    writer.add(record(0))
    writer.add(record(1))  # a full batch: written at once, and it fails
    assert [c.subject for c in writer.failed] == ["test_0", "test_1"]
    assert writer.last_error == "OSError: the registry went away"
    writer.close()
    assert writer.failed == []
    assert manager.batches == [["test_0", "test_1"]]


class Refusing(Recorder):
    """Refuses, as a data error, any batch that holds the subject "bad"."""

    async def record_validations(self, checks: list[ValidationInput]) -> int:
        if any(check.subject == "bad" for check in checks):
            raise InvalidArgument("subject 'bad' is refused")
        return await super().record_validations(checks)


def test_a_refused_record_does_not_take_its_batch_with_it(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, manager = writer_for(loop, monkeypatch, Refusing(), WRITE_BATCH=4)
    for subject in ("a", "bad", "b", "c"):
        writer.add(ValidationInput("contract-id", subject, True))
    assert writer.written == 3
    assert [check.subject for check in writer.failed] == ["bad"]
    assert writer.last_error == "InvalidArgument: subject 'bad' is refused"
    assert manager.batches == [["a"], ["b"], ["c"]]
    writer.close()  # retried once, refused again: still counted, nothing else lost
    assert [check.subject for check in writer.failed] == ["bad"]
    assert writer.written == 3


def journal_lines(folder: Path) -> list[str]:
    return [line for path in folder.glob("*.journal") for line in path.read_text().splitlines()]


def test_a_record_is_in_the_journal_before_add_returns_and_the_file_goes_once_stored(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(writer_module, "WRITE_DELAY", 60.0)
    manager = Recorder()
    writer = ValidationWriter(loop, manager, tmp_path / "j")  # type: ignore[arg-type]
    writer.add(record(0))
    writer.add(record(1))
    assert manager.batches == []  # not written yet, but already on disk
    assert [json.loads(line)["subject"] for line in journal_lines(tmp_path / "j")] == [
        "test_0",
        "test_1",
    ]
    writer.close()
    assert manager.batches == [["test_0", "test_1"]]
    assert list((tmp_path / "j").iterdir()) == []
    assert (writer.failed, writer.waiting) == ([], 0)


def test_what_the_registry_never_took_waits_in_the_journal_and_is_counted(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(writer_module, "WRITE_BATCH", 2)
    writer = ValidationWriter(loop, Failing(failures=99), tmp_path / "j")  # type: ignore[arg-type]
    for number in range(3):
        writer.add(record(number))
    writer.close()
    # Not lost: counted as waiting, in the file the message names.
    assert (writer.failed, writer.waiting) == ([], 3)
    assert writer.journal_path is not None
    assert len(journal_lines(tmp_path / "j")) == 3
    assert f"3 wait in the journal {writer.journal_path}" in (writer.last_error or "")


def test_a_write_still_going_at_close_is_cancelled_before_the_count(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(writer_module, "WRITE_DELAY", 0.0)
    manager = Recorder()
    manager.gate = loop.run(_event())  # the registry never answers
    writer = ValidationWriter(loop, manager, tmp_path / "j")  # type: ignore[arg-type]
    writer.add(record(0))
    writer.close(timeout=0.2)
    assert writer.waiting == 1
    # Released now, the cancelled write stores nothing after the count was taken.
    loop.loop.call_soon_threadsafe(manager.gate.set)
    time.sleep(0.2)
    assert manager.batches == []


class FailingAfter(Recorder):
    """Stores the first ``good`` batches, then fails."""

    def __init__(self, good: int) -> None:
        super().__init__()
        self.good = good

    async def record_validations(self, checks: list[ValidationInput]) -> int:
        if not self.good:
            raise OSError("the registry went away")
        self.good -= 1
        return await super().record_validations(checks)


def test_the_journal_tells_what_waits_without_asking_the_registry(
    loop: RegistryLoop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pytest_contracts.journal import waiting_records

    monkeypatch.setattr(writer_module, "WRITE_BATCH", 3)
    writer = ValidationWriter(loop, FailingAfter(good=1), tmp_path / "j")  # type: ignore[arg-type]
    for number in range(5):
        writer.add(record(number))
    writer.close()
    # The first batch is in the registry, the other two records are not: the
    # file says so itself, for a count made while the registry is down.
    assert writer.waiting == 2
    assert waiting_records(tmp_path / "j") == 2

"""The journal (pytest_contracts/journal.py): files of live processes are left
alone, a replay stores each record once, and a torn last line is skipped."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytest_contracts import ContractManager
from pytest_contracts.journal import Journal, replay, waiting_records
from pytest_contracts.models import Contract
from pytest_contracts.registry.records import ValidationInput, new_key

from .registry_cases import first


def checks(contract: Contract, count: int) -> list[ValidationInput]:
    return [
        ValidationInput(contract=contract, subject=f"test_{n}", passed=True, key=new_key())
        for n in range(count)
    ]


async def in_registry(cm: ContractManager, contract: Contract) -> int:
    return len(await cm.get_validations(contract.id, limit=100_000))


async def test_the_journal_of_a_live_process_is_left_alone_until_it_ends(
    cm: ContractManager, tmp_path: Path
) -> None:
    contract = await first(cm)
    journal = Journal(tmp_path / "j")
    journal.append(checks(contract, 5))
    busy = await replay(cm, tmp_path / "j")  # its writer holds the lock
    assert (busy.stored, busy.files) == (0, 0)
    assert waiting_records(tmp_path / "j") == 0  # nothing waits that a replay could take
    journal.keep()  # the process ends and leaves its file
    assert waiting_records(tmp_path / "j") == 5
    done = await replay(cm, tmp_path / "j")
    assert (done.stored, done.files, done.waiting) == (5, 1, 0)
    assert await in_registry(cm, contract) == 5
    assert list((tmp_path / "j").iterdir()) == []


async def test_two_replays_at_once_store_each_record_once(
    cm: ContractManager, tmp_path: Path
) -> None:
    contract = await first(cm)
    for _ in range(3):
        journal = Journal(tmp_path / "j")
        journal.append(checks(contract, 700))  # several batches: the replays interleave
        journal.keep()
    one, two = await asyncio.gather(replay(cm, tmp_path / "j"), replay(cm, tmp_path / "j"))
    # Each file went to one of them: the other found it locked, or gone.
    assert one.stored + two.stored == 2100
    assert one.files + two.files == 3
    assert await in_registry(cm, contract) == 2100


async def test_records_the_registry_has_already_are_not_stored_again(
    cm: ContractManager, tmp_path: Path
) -> None:
    contract = await first(cm)
    records = checks(contract, 10)
    journal = Journal(tmp_path / "j")
    journal.append(records)
    # Killed after its first batch reached the registry, before it removed its file.
    await cm.record_validations(records[:6])
    journal.keep()
    done = await replay(cm, tmp_path / "j")
    assert done.stored == 4
    assert "stored 4 validation record(s) left in 1 journal file(s)" in (done.describe() or "")
    assert await in_registry(cm, contract) == 10
    again = await replay(cm, tmp_path / "j")
    assert again.describe() is None
    assert await in_registry(cm, contract) == 10


async def test_a_torn_last_line_is_skipped_and_the_rest_stored(
    cm: ContractManager, tmp_path: Path
) -> None:
    contract = await first(cm)
    journal = Journal(tmp_path / "j")
    journal.append(checks(contract, 3))
    assert journal.path is not None
    with journal.path.open("ab") as file:
        file.write(b'{"key":"abc","contract_id":')  # killed in the middle of a write
    journal.keep()
    done = await replay(cm, tmp_path / "j")
    assert done.stored == 3
    assert await in_registry(cm, contract) == 3


async def test_records_of_a_version_no_longer_in_the_registry_are_dropped_not_retried(
    cm: ContractManager, tmp_path: Path
) -> None:
    contract = await first(cm)
    gone = ValidationInput(contract="no-such-version-id", subject="t", passed=True, key=new_key())
    journal = Journal(tmp_path / "j")
    journal.append([*checks(contract, 2), gone])
    journal.keep()
    done = await replay(cm, tmp_path / "j")
    assert (done.stored, done.dropped) == (2, 1)
    assert list((tmp_path / "j").iterdir()) == []

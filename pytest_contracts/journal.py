"""The journal: validation records kept on local disk until the registry has them.

Every process that checks outputs appends each record to a journal file of its
own before the check is reported, and sends the records to the registry from
there (:class:`~pytest_contracts.writer.ValidationWriter`). When everything it
wrote is stored, the process removes its file. A file that is left behind
(the process was killed, the registry stayed down, the disk was full) is
*replayed*: the next session or command on the same registry stores what it
holds and removes it. Every record carries a key, and the registry stores a
key once, so a record that reached the registry before its process died is
not stored twice.

Where: beside the SQLite file (``registry.db-contracts-journal/``), or, for a
server database, in ``.pytest_contracts/journal/<instance id>/`` under the
project (``PYTEST_CONTRACTS_JOURNAL_DIR`` replaces the project's
``.pytest_contracts/journal`` folder). The database's instance id keys it, so
records never go to a recreated or other database.

Files are JSON lines, one record per line, written with one unbuffered
``write`` each: a process that is killed, even by SIGKILL, loses none of the
records it wrote. After each batch the registry stores, a line lists the keys
it took, so what a file still waits for is known without the registry (a
process killed between a commit and that line leaves records a replay finds
stored already, and does not store again). They are flushed to the disk
itself (``fsync``) every batch and when the process leaves records behind,
so a machine that loses power may lose at most the records of the last batch.

A process holds an exclusive lock (``flock``) on its own file for as long as
it writes it; a replay takes the same lock without waiting, so it skips the
files of live processes, and two replays of one file never run together.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import stat
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .registry.connections import StateManager
    from .registry.manager import ContractManager
    from .registry.records import ValidationInput

#: Replaces the project's ``.pytest_contracts/journal`` folder for server databases.
DIRECTORY_VARIABLE = "PYTEST_CONTRACTS_JOURNAL_DIR"
SUFFIX = ".journal"
#: Records a replay sends to the registry in one transaction.
REPLAY_BATCH = 500


def journal_directory(state: StateManager, project: Path | None = None) -> Path | None:
    """The journal folder of the registry ``state`` is open on; None for a
    database that lives in memory (nothing outlives the process there)."""
    return state.database.journal_path(state.database_url, state.instance_id, project)


def server_journal_folder(instance_id: str, project: Path | None) -> Path:
    """Where the journals of a server database live on this machine."""
    configured = os.environ.get(DIRECTORY_VARIABLE)
    if configured:
        base = Path(configured)
    else:
        base = (project if project is not None else Path.cwd()) / ".pytest_contracts" / "journal"
    return base / instance_id


def _encode(record: ValidationInput) -> bytes:
    contract = record.contract
    contract_id = contract if isinstance(contract, str) else contract.id
    line = {
        "key": record.key,
        "contract_id": contract_id,
        "subject": record.subject,
        "passed": record.passed,
        "errors": list(record.errors),
        "duration_ms": record.duration_ms,
        "validated_at": record.validated_at.isoformat() if record.validated_at else None,
        "outcome": record.outcome,
        "metadata": None if record.metadata is None else dict(record.metadata),
        "enforcement": record.enforcement,
    }
    return json.dumps(line, separators=(",", ":"), ensure_ascii=True).encode() + b"\n"


def _decode(line: bytes) -> ValidationInput | None:
    """A record from one line; None for a line that is not one (the last line
    of a process killed while it wrote it)."""
    from .registry.records import ValidationInput

    try:
        data = json.loads(line)
        at = data["validated_at"]
        return ValidationInput(
            contract=str(data["contract_id"]),
            subject=str(data["subject"]),
            passed=bool(data["passed"]),
            errors=list(data["errors"]),
            duration_ms=float(data["duration_ms"]),
            validated_at=datetime.fromisoformat(at) if at else None,
            key=str(data["key"]),
            outcome=data.get("outcome"),
            metadata=data.get("metadata"),
            enforcement=data.get("enforcement"),
        )
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def _make_directory(directory: Path) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)


class Journal:
    """One process's journal file, created on the first record."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path: Path | None = None
        self._fd: int | None = None
        #: Records in the file since the last fsync.
        self._unsynced = 0

    def append(self, records: Iterable[ValidationInput]) -> None:
        """Write the records to the file; raises OSError when it cannot."""
        data = b"".join(_encode(record) for record in records)
        if not data:
            return
        fd = self._open()
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        self._unsynced += 1

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        if fcntl is None:  # pragma: no cover - not POSIX
            raise OSError("a journal needs POSIX file locks")
        import uuid

        _make_directory(self.directory)
        path = self.directory / f"{os.getpid()}-{uuid.uuid4().hex}{SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self.path = fd, path
        return fd

    def acknowledge(self, keys: Iterable[str]) -> None:
        """Note that the registry has stored these records (one line), so that
        what the file still waits for can be told without the registry."""
        keys = list(keys)
        if self._fd is None or not keys:
            return
        line = json.dumps({"stored": keys}, separators=(",", ":")).encode() + b"\n"
        os.write(self._fd, line)

    def sync(self) -> None:
        """Flush what was written to the disk itself."""
        if self._fd is not None and self._unsynced:
            os.fsync(self._fd)
            self._unsynced = 0

    def discard(self) -> None:
        """Everything in the file is stored: remove it."""
        if self._fd is None or self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._release()

    def keep(self) -> None:
        """Leave the file for a replay: flush it and let it go."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.sync()
        self._release()

    def _release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # releases the lock


@dataclasses.dataclass
class Replay:
    """What a replay did: records stored from journals left behind, records
    that stay in a journal (the registry could not take them now), and
    records dropped because their contract version is gone from the registry."""

    directory: Path | None = None
    stored: int = 0
    files: int = 0
    waiting: int = 0
    dropped: int = 0
    error: str | None = None

    def describe(self) -> str | None:
        """One line for the user, or None when there was nothing to replay."""
        parts = []
        if self.stored:
            parts.append(
                f"stored {self.stored} validation record(s) left in {self.files} journal "
                f"file(s) by an earlier process, from {self.directory}"
            )
        if self.dropped:
            parts.append(
                f"dropped {self.dropped} journaled record(s) whose contract version is no "
                "longer in the registry"
            )
        if self.waiting:
            parts.append(
                f"{self.waiting} validation record(s) wait in {self.directory} ({self.error}); "
                "the next session or pytest-contracts command on this registry stores them"
            )
        return "; ".join(parts) or None


def _journal_files(directory: Path) -> list[Path]:
    try:
        return sorted(p for p in directory.iterdir() if p.name.endswith(SUFFIX))
    except OSError:
        return []


@contextlib.contextmanager
def _claimed(path: Path) -> Iterator[int | None]:
    """The file, locked for this process; None when a live process holds it,
    it is gone, or it is not a regular file of this user's."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        yield None
        return
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            yield None
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield None  # a live process writes it
            return
        try:
            now = os.stat(path, follow_symlinks=False)
        except OSError:
            yield None  # replayed and removed meanwhile
            return
        yield fd if (now.st_ino, now.st_dev) == (info.st_ino, info.st_dev) else None
    finally:
        os.close(fd)


def _read_all(fd: int) -> list[ValidationInput]:
    """The records of a file the registry has not acknowledged."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    records: dict[str, ValidationInput] = {}
    stored: set[str] = set()
    for line in b"".join(chunks).splitlines():
        if line.startswith(b'{"stored":'):
            stored.update(_acknowledged(line))
            continue
        record = _decode(line)
        if record is not None and record.key is not None:
            records[record.key] = record
    return [record for key, record in records.items() if key not in stored]


def _acknowledged(line: bytes) -> list[str]:
    try:
        keys = json.loads(line)["stored"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return []
    return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


async def replay(manager: ContractManager, directory: Path | None) -> Replay:
    """Store what the journals left in ``directory`` hold, and remove them.
    Files of live processes are left alone. When the registry fails, the
    rest stays for the next replay (counted in ``waiting``)."""
    result = Replay(directory=directory)
    if directory is None or fcntl is None:
        return result
    for path in _journal_files(directory):
        with _claimed(path) as fd:
            if fd is None:
                continue
            try:
                records = _read_all(fd)
            except OSError as exc:
                result.error = f"{path.name} cannot be read: {exc}"
                continue
            if result.error is not None:
                result.waiting += len(records)  # the registry failed already
                continue
            try:
                stored, dropped = await _store(manager, records)
            except Exception as exc:  # whatever the cause, the file stays for the next replay
                result.error = f"{type(exc).__name__}: {exc}"
                result.waiting += len(records)
                continue
            result.stored += stored
            result.dropped += dropped
            result.files += 1
            with contextlib.suppress(OSError):
                path.unlink()
    return result


async def _store(manager: ContractManager, records: list[ValidationInput]) -> tuple[int, int]:
    """Store the records by the batch; a batch a missing contract spoils is
    stored one by one, leaving out the records of that contract."""
    from .errors import ContractNotFound, InvalidArgument
    from .registry.records import stored_record_keys

    refused = (ContractNotFound, InvalidArgument)
    stored = dropped = 0
    # Only what the registry does not have yet: the count says what the replay did.
    known = await stored_record_keys(manager.state, [r.key for r in records if r.key is not None])
    records = [record for record in records if record.key not in known]
    for start in range(0, len(records), REPLAY_BATCH):
        batch = records[start : start + REPLAY_BATCH]
        try:
            stored += await manager.record_validations(batch)
        except refused:
            for record in batch:
                try:
                    stored += await manager.record_validations([record])
                except refused:
                    dropped += 1
    return stored, dropped


def waiting_records(directory: Path | None) -> int:
    """How many records the journals in ``directory`` hold that no live
    process writes (what a replay would store)."""
    if directory is None or fcntl is None:
        return 0
    total = 0
    for path in _journal_files(directory):
        with _claimed(path) as fd:
            if fd is not None:
                with contextlib.suppress(OSError):
                    total += len(_read_all(fd))
    return total

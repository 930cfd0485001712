"""A counter shared by the processes of one machine, for the fake cache.

fakeredis lives inside one process, so processes that share a database but
each have their own fake cache cannot reach each other's entries to invalidate
them. Instead every write that changes what is active bumps this counter, an
8-byte file mapped into memory, and every fake-cache entry records the value
it was filled under: reading it costs a memory access, not a round trip, and
an entry filled before another process's write is never served after it.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
import tempfile
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

_FORMAT = "<Q"
_SIZE = struct.calcsize(_FORMAT)


#: Where the counters of server databases live; set it to share them in
#: another folder (every process on the database must use the same one).
DIRECTORY_VARIABLE = "PYTEST_CONTRACTS_COUNTER_DIR"


def default_directory() -> Path:
    configured = os.environ.get(DIRECTORY_VARIABLE)
    if configured:
        return Path(configured)
    # A hyphen: a folder named like the package would shadow it on sys.path.
    return Path(tempfile.gettempdir()) / "pytest-contracts-counters"


class SharedCounter:
    """A monotonically increasing counter in a memory-mapped file."""

    def __init__(self, path: Path) -> None:
        if fcntl is None:  # pragma: no cover - not POSIX
            raise OSError("a shared cache counter needs POSIX file locks")
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Shared like /tmp: every user may add a counter, none may remove another's.
            with contextlib.suppress(OSError):
                path.parent.chmod(0o1777)
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            with self._locked():
                if os.fstat(self._fd).st_size < _SIZE:
                    os.ftruncate(self._fd, _SIZE)
                    # Other users' processes on the same database bump it too;
                    # the worst any writer can do is cause cache misses.
                    with contextlib.suppress(OSError):
                        os.fchmod(self._fd, 0o666)
            self._map = mmap.mmap(self._fd, _SIZE)
        except BaseException:
            os.close(self._fd)
            raise

    def _locked(self) -> _Lock:
        return _Lock(self._fd)

    def read(self) -> int:
        return int(struct.unpack_from(_FORMAT, self._map, 0)[0])

    def bump(self) -> int:
        with self._locked():
            value = self.read() + 1
            struct.pack_into(_FORMAT, self._map, 0, value)
        return value

    def close(self) -> None:
        if not self._map.closed:
            self._map.close()
            os.close(self._fd)


class _Lock:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def __enter__(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

"""A counter shared by the processes of one machine, for the fake cache.

fakeredis lives inside one process, so processes that share a database but
each have their own fake cache cannot reach each other's entries to invalidate
them. Instead every write that changes what is active bumps this counter, an
8-byte file mapped into memory, and every fake-cache entry records the value
it was filled under: reading it costs a memory access, not a round trip, and
an entry filled before another process's write is never served after it.

Whoever can write the counter can set it back to the value an old entry was
filled under, and have a replaced version served again. So a counter file is
created readable and writable by its owner only, whatever the umask, and one
that someone else owns or that a group or everyone may write is refused (a
:class:`PermissionError`, which the caller treats as a counter it cannot
open): the fake cache then keeps no active versions. Processes of several
users on one database do not share a fake cache.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import stat
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
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        self._fd = os.open(path, flags, 0o600)
        try:
            _check_trusted(self._fd, path)
            with self._locked():
                if os.fstat(self._fd).st_size < _SIZE:
                    os.ftruncate(self._fd, _SIZE)
                    os.fchmod(self._fd, 0o600)  # new: writable by its owner, whatever the umask
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


def _check_trusted(fd: int, path: Path) -> None:
    """Refuse a counter file that is not a regular file of this user's, or
    that others may write; tighten one this process just created under a
    loose umask (the mode given to open() is only an upper bound)."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise PermissionError(f"the cache counter {path} is not a regular file")
    if info.st_uid != os.getuid():
        raise PermissionError(
            f"the cache counter {path} belongs to another user (uid {info.st_uid}); "
            "remove it, or set PYTEST_CONTRACTS_COUNTER_DIR to a folder of your own"
        )
    if info.st_mode & 0o022:
        raise PermissionError(
            f"the cache counter {path} may be written by others (mode "
            f"{stat.S_IMODE(info.st_mode):o}); remove it, or make it writable by its "
            "owner only: chmod 600"
        )


class _Lock:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    def __enter__(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_exc: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

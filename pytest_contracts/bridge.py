"""One event loop for the registry, reachable from sync code and from any loop.

The registry's connections (SQLAlchemy's pool, the redis client) belong to the
event loop they were opened on. Tests, however, run with no loop at all (plain
sync tests) or on a loop some async plugin owns (pytest-asyncio, anyio), and
that loop may change from test to test. So the plugin owns one loop, in a
daemon thread, for the whole session, and every registry call runs there:

- from sync code: ``contract_manager.get_active_contract(...).result()``;
- from async code on any loop: ``await contract_manager.get_active_contract(...)``
  (on asyncio the call's future is wrapped for the awaiting loop; on another
  event loop, such as trio under anyio, it is waited for in a worker thread of
  that loop; either way the loop keeps running other tasks meanwhile).

Calls are submitted as soon as they are made; awaiting or ``.result()`` only
collects the outcome. Nothing here imports pytest.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import threading
from collections.abc import Coroutine, Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class RegistryLoop:
    """An asyncio event loop running in a daemon thread of its own."""

    def __init__(self, name: str = "pytest-contracts-registry") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = threading.Event()
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._started.set)
        self._loop.run_forever()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._loop.is_closed()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the registry loop; thread-safe."""
        if not self.running:
            coro.close()
            raise RuntimeError("the registry loop is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the registry loop and wait for its result."""
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError(
                "a blocking registry call was made on the registry loop itself; await it instead"
            )
        return self.submit(coro).result(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Cancel what is left on the loop, stop it and join the thread."""
        if not self.running:
            return

        async def _drain() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._loop.shutdown_asyncgens()

        try:
            asyncio.run_coroutine_threadsafe(_drain(), self._loop).result(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            self._loop.close()


class Pending(Generic[T]):
    """The outcome of a registry call: ``await`` it on any loop, or call
    :meth:`result` from sync code."""

    __slots__ = ("_future",)

    def __init__(self, future: concurrent.futures.Future[T]) -> None:
        self._future = future

    def result(self, timeout: float | None = None) -> T:
        """Block until the call is done; return its value or raise its error."""
        return self._future.result(timeout)

    def done(self) -> bool:
        return self._future.done()

    def __await__(self) -> Generator[Any, None, T]:
        return self._wait().__await__()

    async def _wait(self) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # Not asyncio (trio under anyio, say): wait in a worker thread of
            # whatever event loop this is, through anyio, so it keeps running.
            try:
                import anyio.to_thread
            except ImportError:
                raise RuntimeError(
                    "awaiting a registry call outside asyncio needs anyio installed; "
                    "or call .result() to wait for it"
                ) from None
            return await anyio.to_thread.run_sync(self._future.result)
        return await asyncio.wrap_future(self._future)

    def __repr__(self) -> str:
        state = "done" if self._future.done() else "pending"
        return f"<Pending registry call ({state}); await it or call .result()>"


class LoopBoundProxy:
    """Wraps an object whose coroutine methods must run on the registry loop.

    Calling such a method returns a :class:`Pending`; other attributes are
    passed through unchanged. ``raw`` is the wrapped object, for code that
    runs on the registry loop itself.
    """

    def __init__(self, target: Any, loop: RegistryLoop) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_registry_loop", loop)

    @property
    def raw(self) -> Any:
        return self._target

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute
        loop: RegistryLoop = self._registry_loop

        def call(*args: Any, **kwargs: Any) -> Pending[Any]:
            return Pending(loop.submit(attribute(*args, **kwargs)))

        call.__name__ = name
        call.__doc__ = attribute.__doc__
        return call

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __dir__(self) -> list[str]:
        return sorted({*dir(self._target), "raw"})

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for {self._target!r}>"


class ContractManagerClient(LoopBoundProxy):
    """The ``contract_manager`` fixture: :class:`ContractManager`'s API, with
    every coroutine method returning a :class:`Pending`."""


class StateManagerClient(LoopBoundProxy):
    """The ``state_manager`` fixture: :class:`StateManager`'s attributes, with
    ``health_check()`` (and every other coroutine method) returning a
    :class:`Pending`."""

"""What a test produces: the ``phase_output`` fixture's recorder, and the
warning for a declared contract that could not be checked.

:class:`ContractWarning` lives here rather than in :mod:`pytest_contracts.errors`
because it derives from pytest's warning class, and the errors module must not
import pytest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from .errors import NotJSONData, OutputTooLarge, PhaseOutputError
from .jsondata import check_output
from .markers import Target


class ContractWarning(pytest.PytestWarning):
    """A declared contract could not be checked (none active, registry down,
    its test recorded no output), outside gate mode. The test's own outcome
    stands."""


class PhaseOutput:
    """The ``phase_output`` fixture: records what a test produces.

    ``record(data)`` records an output for the boundary or contract the test's
    marker declares; with several declared, say which with ``contract=`` (the
    contract name) or ``boundary=`` (``("design", "implementation")`` or
    ``"design -> implementation"``). The data must be JSON data; it is checked
    when the test body returns.
    """

    def __init__(self, nodeid: str, targets: Sequence[Target], max_bytes: int = 0):
        self._nodeid = nodeid
        self._targets = tuple(targets)
        self._max_bytes = max_bytes
        self._store: list[tuple[Target, Any]] = []
        self._closed = False

    def close(self) -> list[tuple[Target, Any]]:
        """End recording (the test body has returned) and hand over the outputs."""
        self._closed = True
        outputs, self._store = self._store, []
        return outputs

    @property
    def targets(self) -> tuple[Target, ...]:
        return self._targets

    def record(self, data: Any, *, contract: str | None = None, boundary: Any = None) -> None:
        __tracebackhide__ = True  # a user mistake shows as the test's line, not ours
        if self._closed:
            raise PhaseOutputError(
                f"{self._nodeid} records a phase output after its test body returned (from a "
                "fixture's teardown or another thread?); outputs are checked when the body "
                "returns, so record them inside the test function"
            )
        target = self._choose(contract, boundary)
        what = f"the phase output for {target.label}"
        # Raised again from here, so that the user's line is where the error shows.
        try:
            check_output(data, limit=self._max_bytes, what=what)
        except NotJSONData as exc:
            raise NotJSONData(str(exc), pointer=exc.pointer, type_name=exc.type_name) from None
        except OutputTooLarge as exc:
            raise OutputTooLarge(str(exc), size=exc.size, limit=exc.limit) from None
        self._store.append((target, data))

    def _choose(self, contract: str | None, boundary: Any) -> Target:
        __tracebackhide__ = True
        if contract is not None and not isinstance(contract, str):
            raise PhaseOutputError(
                f"contract= must be a contract name (a string), not {contract!r}"
            )
        if boundary is not None and not (
            isinstance(boundary, str)
            or (
                isinstance(boundary, list | tuple)
                and len(boundary) == 2
                and all(isinstance(p, str) for p in boundary)
            )
        ):
            raise PhaseOutputError(
                "boundary= must be two phase names, ('design', 'implementation'), or "
                f"'design -> implementation', not {boundary!r}"
            )
        if not self._targets:
            raise PhaseOutputError(
                f"{self._nodeid} records a phase output but declares no contract: mark the "
                "test with @pytest.mark.phase_boundary('requirements', 'design') or "
                "@pytest.mark.contract('ContractName')"
            )
        matching = [t for t in self._targets if t.matches(contract, boundary)]
        declared = ", ".join(sorted(repr(t.label) for t in self._targets))
        if not matching:
            wanted = contract if contract is not None else boundary
            raise PhaseOutputError(
                f"{self._nodeid} records an output for {wanted!r}, which none of its markers "
                f"declares; declared: {declared}"
            )
        if len(matching) > 1:
            raise PhaseOutputError(
                f"{self._nodeid} declares several contracts ({declared}); say which this "
                "output is for: phase_output.record(data, contract='...') or "
                "phase_output.record(data, boundary=('design', 'implementation'))"
            )
        return matching[0]

    def __len__(self) -> int:
        return len(self._store)

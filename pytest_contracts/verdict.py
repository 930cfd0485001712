"""What a run-time check of one output returns: :class:`ContractVerdict`.

An orchestrator hands a phase output on only when its verdict allows it; an
agent that produced a failing output gets :meth:`ContractVerdict.feedback`,
instructions it can act on. The verdict carries what the plugin's check
results carry (the same violations, with the same fields) plus the contract
version's enforcement: a version in ``"warn"`` (shadow) enforcement reports
what would have failed and never blocks.

Nothing here imports pytest or touches the registry.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from .errors import ContractViolation
from .feedback import DEFAULT_MAX_VIOLATIONS, render_feedback

#: Every outcome a verdict can have.
VERDICT_OUTCOMES = ("passed", "failed", "error", "missing")
Outcome = Literal["passed", "failed", "error", "missing"]
#: How a version's violations count: ``enforce`` blocks, ``warn`` reports
#: what would have failed (shadow enforcement).
ENFORCEMENTS = ("enforce", "warn")


@dataclasses.dataclass(frozen=True, slots=True)
class ContractVerdict:
    """One output checked against one contract version at run time.

    ``outcome`` is ``"passed"``, ``"failed"`` (the output breaks the contract:
    see ``violations``), ``"error"`` (it could not be judged: the schema
    cannot be applied, the check ran past its time budget, the output is not
    JSON data or is too large: see ``message``) or ``"missing"`` (no such
    version, or none active). ``passed`` is true for ``"passed"`` only.
    ``enforcement`` is the version's (``"enforce"`` or ``"warn"``);
    ``blocking`` says whether the outcome should stop the hand-off: not
    passed, and enforced. ``attempts`` is 1, or the attempt that gave this
    verdict under :meth:`ContractManager.validate_with_repair`.
    """

    outcome: Outcome
    team_id: str
    contract_name: str
    version: str | None
    contract_id: str | None
    violations: tuple[Any, ...] = ()
    message: str | None = None
    enforcement: str = "enforce"
    duration_ms: float = 0.0
    attempts: int = 1
    #: The output that was checked (the last one, after a repair): what an
    #: orchestrator hands on when the verdict allows it. Not in :meth:`to_dict`.
    output: Any = dataclasses.field(default=None, repr=False, compare=False)
    #: The version's schema, which the feedback reads; never shown.
    _specification: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @property
    def blocking(self) -> bool:
        """Whether the hand-off should stop: not passed, and the version is
        enforced (a ``warn`` version never blocks)."""
        return not self.passed and self.enforcement == "enforce"

    @property
    def would_have_failed(self) -> bool:
        """A shadow verdict: not passed, under ``warn`` enforcement."""
        return not self.passed and self.enforcement == "warn"

    def feedback(self, max_violations: int = DEFAULT_MAX_VIOLATIONS) -> str:
        """The violations as short, numbered instructions a producer can act
        on (where, what is wrong, what the contract expects), at most
        ``max_violations``; for an output that could not be judged, the
        reason; an empty string for a pass."""
        if self.outcome == "passed":
            return ""
        name = f"{self.contract_name} {self.version}" if self.version else self.contract_name
        if self.outcome == "failed" and self.violations:
            return render_feedback(
                self.violations,
                specification=self._specification,
                output=self.output,
                max_violations=max_violations,
                contract=name,
            )
        return f"The output could not be checked against {name}: {self.message}"

    def raise_for_violations(self) -> None:
        """Raise :class:`ContractViolation` (carrying this verdict) when the
        outcome is ``failed``, ``error`` or ``missing`` and the version is
        enforced; do nothing otherwise."""
        if self.blocking:
            raise ContractViolation(self.summary(), verdict=self)

    def summary(self) -> str:
        """One line: the outcome, the contract and the first problem."""
        name = f"contract {self.contract_name!r}"
        if self.version:
            name += f" {self.version}"
        name += f" (team {self.team_id!r})"
        if self.outcome == "passed":
            return f"passed: {name}"
        shadow = " (warn: would have failed)" if self.would_have_failed else ""
        if self.outcome == "failed" and self.violations:
            first = _as_dict(self.violations[0])
            count = len(self.violations)
            more = f" and {count - 1} more" if count > 1 else ""
            where = first.get("pointer") or "(root)"
            return f"failed{shadow}: {name}: at {where}: {first.get('message')}{more}"
        return f"{self.outcome}{shadow}: {name}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every public field, ``passed`` and ``blocking``."""
        return {
            "outcome": self.outcome,
            "passed": self.passed,
            "blocking": self.blocking,
            "team_id": self.team_id,
            "contract_name": self.contract_name,
            "version": self.version,
            "contract_id": self.contract_id,
            "violations": [_as_dict(v) for v in self.violations],
            "message": self.message,
            "enforcement": self.enforcement,
            "duration_ms": self.duration_ms,
            "attempts": self.attempts,
        }


def _as_dict(violation: Any) -> dict[str, Any]:
    return dict(violation) if isinstance(violation, dict) else dict(violation.to_dict())

"""Reading the ``phase_boundary`` and ``contract`` markers into check targets.

Pure functions over marker arguments, so that every mistake can be reported
at collection with the test, the marker as written, and what to change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .errors import MarkerError
from .registry.versions import version_problem


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """Something a test's outputs are checked against."""

    kind: str  # "phase_boundary" or "contract"
    contract_name: str
    team: str | None
    version: str | None
    source: str | None = None
    destination: str | None = None
    #: False when the test may legitimately record nothing for it.
    required: bool = True

    @property
    def boundary(self) -> str | None:
        if self.source is None:
            return None
        return f"{self.source} -> {self.destination}"

    @property
    def label(self) -> str:
        """How reports name it: the boundary for a boundary, else the contract."""
        return self.boundary or self.contract_name

    def matches(self, contract: str | None, boundary: Any) -> bool:
        if contract is not None and contract != self.contract_name:
            return False
        if boundary is not None:
            if self.source is None:
                return False
            if isinstance(boundary, str):
                parts = [p.strip() for p in boundary.replace("->", " ").split()]
            else:
                parts = list(boundary)
            return parts == [self.source, self.destination]
        return True


def boundary_contract_name(source: str, destination: str) -> str:
    return f"phase_boundary_{source}_to_{destination}"


def _describe(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"@pytest.mark.{name}({', '.join(parts)})"


def _optional_text(written: str, kwargs: Mapping[str, Any], key: str) -> str | None:
    value = kwargs.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise MarkerError(f"{written}: {key}= must be a non-empty string, not {value!r}")
    return value


def _version(written: str, kwargs: Mapping[str, Any]) -> str | None:
    """A pinned version: one of the accepted form (see registry/versions.py)."""
    value = kwargs.get("version")
    if value is None:
        return None
    problem = version_problem(value, "version=")
    if problem is not None:
        raise MarkerError(f"{written}: {problem}")
    return str(value)


def _required(written: str, kwargs: Mapping[str, Any]) -> bool:
    value = kwargs.get("required", True)
    if not isinstance(value, bool):
        raise MarkerError(
            f"{written}: required= must be True or False, not {value!r} (False: the test may "
            "legitimately record no output for this contract)"
        )
    return value


def _check_keywords(written: str, kwargs: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise MarkerError(
            f"{written}: unknown keyword argument(s) {', '.join(unknown)}; "
            f"accepted: {', '.join(allowed)}"
        )


def parse_phase_boundary(
    args: Sequence[Any], kwargs: Mapping[str, Any], phases: Sequence[str]
) -> Target:
    written = _describe("phase_boundary", args, kwargs)
    _check_keywords(written, kwargs, ("contract", "team", "version", "required"))
    if len(args) != 2 or not all(isinstance(a, str) for a in args):
        raise MarkerError(
            f"{written}: takes two phase names, the one that produces the output and "
            f"the one that receives it, e.g. @pytest.mark.phase_boundary('{phases[0]}', "
            f"'{phases[1]}')"
        )
    source, destination = args
    for phase in (source, destination):
        if phase not in phases:
            raise MarkerError(
                f"{written}: unknown phase {phase!r}; the phases are {', '.join(phases)} "
                "(set them with the contracts_phases ini option)"
            )
    if phases.index(source) >= phases.index(destination):
        relation = "is the same phase as" if source == destination else "comes after"
        raise MarkerError(
            f"{written}: the boundary goes backwards: {source!r} {relation} "
            f"{destination!r} in the phase order {' -> '.join(phases)}"
        )
    return Target(
        kind="phase_boundary",
        contract_name=_optional_text(written, kwargs, "contract")
        or boundary_contract_name(source, destination),
        team=_optional_text(written, kwargs, "team"),
        version=_version(written, kwargs),
        source=source,
        destination=destination,
        required=_required(written, kwargs),
    )


def parse_contract(args: Sequence[Any], kwargs: Mapping[str, Any]) -> Target:
    written = _describe("contract", args, kwargs)
    _check_keywords(written, kwargs, ("team", "version", "required"))
    if len(args) != 1 or not isinstance(args[0], str) or not args[0].strip():
        raise MarkerError(
            f"{written}: takes one contract name, e.g. @pytest.mark.contract('APIContract')"
        )
    return Target(
        kind="contract",
        contract_name=args[0],
        team=_optional_text(written, kwargs, "team"),
        version=_version(written, kwargs),
        required=_required(written, kwargs),
    )


def parse_phases(value: Sequence[str]) -> tuple[str, ...]:
    """The phase order from the ini option: at least two, no repeats."""
    phases = tuple(p.strip() for item in value for p in item.split(",") if p.strip())
    if len(phases) < 2:
        raise MarkerError(
            f"contracts_phases needs at least two phases in order, got {list(phases)!r}"
        )
    repeated = sorted({p for p in phases if phases.count(p) > 1})
    if repeated:
        raise MarkerError(f"contracts_phases names {', '.join(repeated)} more than once")
    return phases


def targets_of(marks: Iterable[Any], phases: Sequence[str]) -> tuple[Target, ...]:
    """The targets of a test's markers, closest marker first; a target named
    again further out (class, module) is the same target and counted once."""
    found: dict[tuple[str | None, str], Target] = {}
    for mark in marks:
        if mark.name == "phase_boundary":
            target = parse_phase_boundary(mark.args, mark.kwargs, phases)
        elif mark.name == "contract":
            target = parse_contract(mark.args, mark.kwargs)
        else:
            continue
        found.setdefault((target.team, target.contract_name), target)
    return tuple(found.values())

"""A small pipeline engine that checks every hand-off while it runs.

Five phases run one after the other: requirements, design, implementation,
testing, deployment. Each phase is an agent: a function that gets the
previous phase's document (and, on a retry, the feedback on what it got
wrong) and returns its own document. Between two phases, the document is
checked against the active contract of that phase boundary
(``ContractManager.validate_phase_boundary``); an output that breaks it is
sent back to its agent once, with the verdict's feedback, and a boundary
that still fails stops the pipeline there.

No pytest here: this is the code an orchestrator would run in production.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from pytest_contracts import ContractManager, ContractVerdict

Document = dict[str, Any]
#: An agent: (input document, feedback or None) -> output document.
Agent = Callable[[Any, "str | None"], "Document | Awaitable[Document]"]

PHASES = ("requirements", "design", "implementation", "testing", "deployment")


@dataclasses.dataclass
class Handoff:
    """One boundary crossed (or not): its verdict and how many tries it took."""

    phase_from: str
    phase_to: str
    verdict: ContractVerdict


@dataclasses.dataclass
class PipelineRun:
    """What a run did: the hand-offs in order, where it stopped, the last document."""

    handoffs: list[Handoff]
    stopped_at: tuple[str, str] | None
    document: Any

    @property
    def completed(self) -> bool:
        return self.stopped_at is None


class Pipeline:
    """Runs ``agents`` (one per phase of :data:`PHASES`) in order, checking
    each output against its boundary's contract of ``team``. ``repairs`` is
    how many times a failing output goes back to its agent with feedback."""

    def __init__(
        self,
        contracts: ContractManager,
        team: str,
        agents: dict[str, Agent],
        *,
        repairs: int = 1,
        run_id: str = "run",
    ) -> None:
        missing = [phase for phase in PHASES if phase not in agents]
        if missing:
            raise ValueError(f"no agent for the phases {missing}")
        self.contracts = contracts
        self.team = team
        self.agents = agents
        self.repairs = repairs
        self.run_id = run_id

    async def run(self, idea: str) -> PipelineRun:
        document: Any = idea
        handoffs: list[Handoff] = []
        for phase_from, phase_to in itertools.pairwise(PHASES):
            agent = self.agents[phase_from]
            source = document

            async def produce(
                feedback: str | None, agent: Agent = agent, source: Any = source
            ) -> Any:
                output = agent(source, feedback)
                return await output if inspect.isawaitable(output) else output

            verdict = await self.contracts.validate_with_repair(
                self.team,
                self.contracts.boundary_contract(phase_from, phase_to),
                produce,
                max_attempts=1 + self.repairs,
                subject=f"{self.run_id}:{phase_from}->{phase_to}",
                metadata={"agent": f"{phase_from}-agent", "run": self.run_id},
            )
            handoffs.append(Handoff(phase_from, phase_to, verdict))
            if verdict.blocking:
                return PipelineRun(handoffs, (phase_from, phase_to), document)
            document = verdict.output  # what crossed the boundary
        final = self.agents["deployment"](document, None)
        document = await final if inspect.isawaitable(final) else final
        return PipelineRun(handoffs, None, document)

"""pytest-contracts: versioned JSON Schema contracts for SDLC phase boundaries.

The public API: the registry (:class:`StateManager`, :class:`ContractManager`),
its records and enums, and its errors; none of these import pytest. Only
:class:`ContractWarning`, the plugin's warning, does.

Names are imported on first use (PEP 562), so that loading the pytest plugin,
which lives in this package, does not import SQLAlchemy, redis or jsonschema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

if TYPE_CHECKING:
    from .compat import CompatReport, Mode, Policy, compare
    from .errors import (
        BackupError,
        ConfigurationError,
        ContractError,
        ContractNotFound,
        ContractViolation,
        DuplicateContract,
        IncompatibleChange,
        InvalidArgument,
        InvalidSchema,
        InvalidTransition,
        InvalidVersion,
        NotJSONData,
        RegistryUnavailable,
    )
    from .models import (
        CompatibilitySettings,
        Consumer,
        ConsumerVerdict,
        Contract,
        ContractEvent,
        ContractStatus,
        ContractSummary,
        ContractType,
        DeployVerdict,
        HistoryEntry,
        PruneResult,
        RestoreResult,
        TeamCounts,
        Validation,
    )
    from .recorder import ContractWarning
    from .registry.connections import (
        StateManager,
        cleanup_state_manager,
        init_state_manager_for_production,
        init_state_manager_for_testing,
    )
    from .registry.manager import ContractManager
    from .verdict import ContractVerdict

_WHERE = {
    "BackupError": "errors",
    "ConfigurationError": "errors",
    "ContractManager": "registry.manager",
    "ContractError": "errors",
    "ContractNotFound": "errors",
    "ContractVerdict": "verdict",
    "ContractViolation": "errors",
    "ContractWarning": "recorder",
    "DuplicateContract": "errors",
    "IncompatibleChange": "errors",
    "InvalidVersion": "errors",
    "CompatReport": "compat",
    "Mode": "compat",
    "Policy": "compat",
    "compare": "compat",
    "CompatibilitySettings": "models",
    "ConsumerVerdict": "models",
    "DeployVerdict": "models",
    "PruneResult": "models",
    "RestoreResult": "models",
    "TeamCounts": "models",
    "InvalidArgument": "errors",
    "InvalidSchema": "errors",
    "InvalidTransition": "errors",
    "RegistryUnavailable": "errors",
    "NotJSONData": "errors",
    "Consumer": "models",
    "Contract": "models",
    "ContractEvent": "models",
    "ContractStatus": "models",
    "ContractSummary": "models",
    "ContractType": "models",
    "HistoryEntry": "models",
    "Validation": "models",
    "StateManager": "registry.connections",
    "cleanup_state_manager": "registry.connections",
    "init_state_manager_for_production": "registry.connections",
    "init_state_manager_for_testing": "registry.connections",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_exports(__name__, globals(), _WHERE)

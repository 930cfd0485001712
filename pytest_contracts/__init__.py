"""pytest-contracts: versioned JSON Schema contracts for SDLC phase boundaries.

The public API: the registry (:class:`StateManager`, :class:`ContractManager`),
its records and enums, and its errors. None of it imports pytest.
"""

from .config import ConfigurationError
from .contracts import ContractManager
from .errors import (
    ContractError,
    ContractNotFound,
    DuplicateContract,
    InvalidArgument,
    InvalidSchema,
    InvalidTransition,
    RegistryUnavailable,
)
from .jsondata import NotJSONData
from .models import (
    Consumer,
    Contract,
    ContractEvent,
    ContractStatus,
    ContractSummary,
    ContractType,
    HistoryEntry,
    Validation,
)
from .state import (
    StateManager,
    cleanup_state_manager,
    init_state_manager_for_production,
    init_state_manager_for_testing,
)

__all__ = [
    "ConfigurationError",
    "Consumer",
    "Contract",
    "ContractError",
    "ContractEvent",
    "ContractManager",
    "ContractNotFound",
    "ContractStatus",
    "ContractSummary",
    "ContractType",
    "DuplicateContract",
    "HistoryEntry",
    "InvalidArgument",
    "InvalidSchema",
    "InvalidTransition",
    "NotJSONData",
    "RegistryUnavailable",
    "StateManager",
    "Validation",
    "cleanup_state_manager",
    "init_state_manager_for_production",
    "init_state_manager_for_testing",
]

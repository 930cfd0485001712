"""ContractManager: the registry's API, one class made of its subjects.

Each subject is a class of its own module, with its methods' signatures,
docstrings and SQL side by side; this class only names them. They share the
:class:`~pytest_contracts.registry.connections.StateManager` and reading a
version by id (:class:`~pytest_contracts.registry.base.RegistryPart`).
"""

from __future__ import annotations

from .backup import Backups
from .compatibility import Compatibility
from .consumers import Consumers
from .decisions import Decisions
from .lifecycle import Lifecycle
from .loading import ContractFiles
from .lookup import Lookups
from .records import ValidationInput, ValidationRecords
from .retention import Retention
from .runtime import RunTimeChecks


class ContractManager(
    Lifecycle,
    Decisions,
    Consumers,
    Lookups,
    Compatibility,
    Retention,
    ValidationRecords,
    RunTimeChecks,
    ContractFiles,
    Backups,
):
    """The contract registry: create, activate, evolve, look up and audit
    versioned JSON Schema contracts. ``ContractManager(state_manager)``; every
    method is a coroutine; run them on the event loop the
    :class:`StateManager` was created on.

    - versions and their lifecycle (:class:`.Lifecycle`): ``create_contract``,
      ``evolve_contract``, ``activate_contract``, ``deprecate_contract``,
      ``retire_contract``;
    - decisions about a version (:class:`.Decisions`): ``accept_break``,
      ``set_enforcement``;
    - looking up (:class:`.Lookups`): ``get_contract``, ``get_contract_version``,
      ``get_active_contract``, ``list_contracts``, ``get_contract_history``,
      ``get_contract_summary``;
    - compatibility settings (:class:`.Compatibility`): ``get_compatibility``,
      ``set_compatibility``;
    - consumers and deploy verdicts (:class:`.Consumers`): ``register_consumer``,
      ``list_consumers``, ``get_consumers``, ``can_deploy``;
    - retention (:class:`.Retention`): ``prune``;
    - validation records (:class:`.ValidationRecords`): ``record_validation``,
      ``record_validations``, ``get_validations``;
    - checks at run time (:class:`.RunTimeChecks`): ``validate``,
      ``validate_phase_boundary``, ``validate_with_repair``, ``boundary_contract``,
      ``flush_validations``, ``configure_checks``;
    - contract files (:class:`.ContractFiles`): ``load_contract_dir``;
    - backups (:class:`.Backups`): ``backup``, ``restore``.
    """


__all__ = ["ContractManager", "ValidationInput"]

"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.manager import ContractManager, ValidationInput

__all__ = ["ContractManager", "ValidationInput"]

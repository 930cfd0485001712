"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.tables import SCHEMA_VERSION, contracts, events, metadata

__all__ = ["SCHEMA_VERSION", "contracts", "events", "metadata"]

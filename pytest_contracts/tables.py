"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.tables import contracts, events, metadata

__all__ = ["contracts", "events", "metadata"]

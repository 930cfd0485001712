"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.connections import StateManager

__all__ = ["StateManager"]

"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.counter import DIRECTORY_VARIABLE, SharedCounter

__all__ = ["DIRECTORY_VARIABLE", "SharedCounter"]

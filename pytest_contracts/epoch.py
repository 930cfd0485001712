"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.counter import DIRECTORY_VARIABLE

__all__ = ["DIRECTORY_VARIABLE"]

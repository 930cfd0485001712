"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.versions import version_key

__all__ = ["version_key"]

"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.cache import CACHE_ERRORS, ActiveCache

__all__ = ["CACHE_ERRORS", "ActiveCache"]

"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.evolution import EvolutionCheck, ExistingVersion, check_evolution

__all__ = ["EvolutionCheck", "ExistingVersion", "check_evolution"]

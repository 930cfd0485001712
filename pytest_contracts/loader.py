"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.loading import load_contract_files, read_contract_dir

__all__ = ["load_contract_files", "read_contract_dir"]

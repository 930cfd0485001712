"""Transitional: re-exports the registry package's names until every import uses it."""

from .registry.files import read_contract_dir
from .registry.loading import load_contract_files

__all__ = ["load_contract_files", "read_contract_dir"]

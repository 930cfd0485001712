"""Names a package exports but imports only when first used (PEP 562).

The top-level package and ``compat`` both use it: loading the pytest plugin
must not import SQLAlchemy, redis or jsonschema, and the schema checks import
``compat.refs`` without the whole comparison engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, namespace: dict[str, Any], homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose globals are
    ``namespace``: each name in ``homes`` is imported from its module
    (relative to the package) on first use, then kept in the namespace."""

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__

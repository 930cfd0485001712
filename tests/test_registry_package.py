"""The registry package as a whole: the only place that tells SQLite and
PostgreSQL apart (that it imports no pytest is checked in test_layout.py)."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest_contracts.registry

PACKAGE = Path(pytest_contracts.registry.__file__).parent
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(
        pytest_contracts.registry.__path__, "pytest_contracts.registry."
    )
)


#: How the code once told the back ends apart, by comparing their names.
_NAME_COMPARISONS = re.compile(
    r"""[!=]=\s*["'](sqlite|postgresql)["']|["'](sqlite|postgresql)["']\s*[!=]="""
    r"""|dialect\.name|startswith\(["'](sqlite|postgres)"""
)


def test_only_the_backends_module_tells_the_databases_apart() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in sorted(PACKAGE.parent.rglob("*.py"))
        if path.name != "backends.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _NAME_COMPARISONS.search(line)
    ]
    assert found == []

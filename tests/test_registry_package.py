"""The registry package as a whole: usable without pytest, and the only
place that tells SQLite and PostgreSQL apart."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest_contracts.registry

PACKAGE = Path(pytest_contracts.registry.__file__).parent
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(
        pytest_contracts.registry.__path__, "pytest_contracts.registry."
    )
)


def test_no_module_of_the_registry_imports_pytest() -> None:
    assert "pytest_contracts.registry.manager" in MODULES  # the walk found the modules
    code = (
        f"import sys, importlib\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'pytest' or m.startswith('_pytest')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


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

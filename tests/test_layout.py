"""The package's layout holds: one home for every error, and a core that a
program can use without pytest."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import pytest_contracts
from pytest_contracts import errors

#: Modules a program uses without a test run: none of them may import pytest.
CORE = (
    "pytest_contracts",
    "pytest_contracts.errors",
    "pytest_contracts.defaults",
    "pytest_contracts.config",
    "pytest_contracts.jsondata",
    "pytest_contracts.models",
    "pytest_contracts.schemas",
    "pytest_contracts.validation",
    "pytest_contracts.compat",
    "pytest_contracts.compat.walk",
    "pytest_contracts.compat.verdicts",
    "pytest_contracts.registry.manager",
    "pytest_contracts.registry.loading",
    "pytest_contracts.checker",
    "pytest_contracts.writer",
    "pytest_contracts.reporting",
    "pytest_contracts.markers",
    "pytest_contracts.bridge",
)


def _modules() -> list[str]:
    names = [pytest_contracts.__name__]
    for info in pkgutil.walk_packages(pytest_contracts.__path__, "pytest_contracts."):
        if info.name != "pytest_contracts.__main__":
            names.append(info.name)
    return names


def test_every_exception_class_of_the_package_is_defined_in_errors() -> None:
    homes = {}
    for name in _modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__.startswith("pytest_contracts")
            ):
                homes[value.__qualname__] = value.__module__
    assert homes, "no exception class found: the walk is broken"
    elsewhere = {
        name: home
        for name, home in homes.items()
        if home != "pytest_contracts.errors" and name != "ContractWarning"
    }
    assert elsewhere == {}
    # The one exception, and where the errors module says it lives.
    assert homes["ContractWarning"] == "pytest_contracts.recorder"
    assert "pytest_contracts.recorder" in (errors.__doc__ or "")


def test_the_errors_docstring_draws_every_error() -> None:
    doc = errors.__doc__ or ""
    defined = [
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, BaseException)
        if value.__module__ == errors.__name__
    ]
    assert len(defined) >= 10
    assert [name for name in defined if name not in doc] == []


def test_every_public_name_still_resolves() -> None:
    for name in pytest_contracts.__all__:
        assert getattr(pytest_contracts, name) is not None, name


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_pytest(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'pytest' or m.startswith('_pytest'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

"""The package's layout holds: one home for every error, and a core that a
program can use without pytest."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest_contracts
from pytest_contracts import errors

#: The plugin's own modules: the only ones that may import pytest.
PLUGIN_SIDE = {
    "pytest_contracts.plugin",
    "pytest_contracts.session",
    "pytest_contracts.settings",
    "pytest_contracts.summary",
    "pytest_contracts.recorder",
    "pytest_contracts.hookspecs",
    "pytest_contracts.__main__",
}


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


def test_only_the_plugin_side_imports_pytest() -> None:
    core = [name for name in _modules() if name not in PLUGIN_SIDE]
    assert {"pytest_contracts.registry.manager", "pytest_contracts.checker"} <= set(core)
    # One process imports the core module by module and names the first that
    # brought pytest in.
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        "    if any(m == 'pytest' or m.startswith('_pytest') for m in sys.modules):\n"
        "        print(name)\n"
        "        break\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

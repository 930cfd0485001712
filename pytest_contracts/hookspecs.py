"""pytest-contracts' own hooks. Implement them in a ``conftest.py`` or a plugin.

Both are called in the process that reports: the only process of a plain
run, or the controller under pytest-xdist (never the workers), once for every
check of the session, in the order the reports arrive.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .reporting import CheckResult


@pytest.hookspec
def pytest_contracts_validation_result(result: CheckResult, config: pytest.Config) -> None:
    """Called with every check result: passed, failed, missing, unavailable, error or
    not_recorded (a declared contract whose test recorded no output).

    ``result`` has ``test`` (node id), ``kind``, ``boundary``, ``team``,
    ``contract``, ``version``, ``contract_id``, ``outcome``, ``violations``,
    ``message``, ``duration_ms`` and ``to_dict()``. A custom reporter::

        # conftest.py
        @pytest.hookimpl(optionalhook=True)  # loads even with -p no:contracts
        def pytest_contracts_validation_result(result, config):
            with open("contract-checks.ndjson", "a") as out:
                out.write(result.to_json() + "\\n")
    """


@pytest.hookspec
def pytest_contracts_violation(
    violation: dict[str, str], result: CheckResult, config: pytest.Config
) -> None:
    """Called once for each violation of a failed check.

    ``violation`` has ``pointer`` (JSON Pointer into the output), ``keyword``,
    ``schema_path`` and ``message``; ``result`` is the check it belongs to::

        # conftest.py
        @pytest.hookimpl(optionalhook=True)
        def pytest_contracts_violation(violation, result, config):
            print(f"{result.contract}: {violation['pointer']} {violation['message']}")
    """

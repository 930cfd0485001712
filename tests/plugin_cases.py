"""Test modules, documents, readers and summaries that the plugin tests share."""

from __future__ import annotations

import asyncio
import json
import types
from typing import Any

from jsonschema import Draft202012Validator

from pytest_contracts import ContractManager, StateManager
from pytest_contracts.checker import Tally
from pytest_contracts.config import sqlite_url
from pytest_contracts.defaults import DEFAULT_PHASES
from pytest_contracts.reporting import CheckResult, report_schema
from pytest_contracts.settings import Settings
from pytest_contracts.summary import ContractsSummary

from .conftest import REQUIREMENTS_SCHEMA, Project

GOOD = {"project": "sign-up", "requirements": [{"id": "REQ-1", "text": "Users sign up"}]}


BAD = {
    "project": "",
    "contact": "not-an-address",
    "requirements": [{"id": "R1"}],
}


# Two parametrized outputs for the requirements -> design boundary: one valid, one not.
TWO_DOCS_TEST = f"""
import pytest

@pytest.mark.phase_boundary("requirements", "design")
@pytest.mark.parametrize("doc", [{GOOD!r}, {BAD!r}])
def test_docs(phase_output, doc):
    phase_output.record(doc)
"""


BOUNDARY_TEST = """
import pytest

@pytest.mark.phase_boundary("requirements", "design")
def test_requirements(phase_output):
    phase_output.record({output!r})
"""


MISSING_TEST = """
import pytest

@pytest.mark.phase_boundary("testing", "deployment")
def test_release(phase_output):
    phase_output.record({"status": "green"})
"""


# A boundary test and a contract test that record nothing: one asks for the
# fixture and forgets to use it, the other never asks for it.
UNRECORDED_TEST = """
import pytest

@pytest.mark.phase_boundary("requirements", "design"{required})
def test_forgets_to_record(phase_output):
    pass

@pytest.mark.contract("Events"{required})
def test_never_records():
    pass
"""


UNRECORDED_BOUNDARY = (
    "requirements -> design: no output was recorded for contract "
    "'phase_boundary_requirements_to_design' v1.0 (team 'default'), so nothing was checked; "
    "record one with phase_output.record(...) in the test, or, if recording nothing is "
    "legitimate, mark it @pytest.mark.phase_boundary('requirements', 'design', required=False)"
)
UNRECORDED_CONTRACT = (
    "Events: no output was recorded for contract 'Events' v1.0 (team 'default'), so nothing "
    "was checked; record one with phase_output.record(...) in the test, or, if recording "
    "nothing is legitimate, mark it @pytest.mark.contract('Events', required=False)"
)


def unrecorded_project(project: Project, required: str = "") -> None:
    """The contracts of UNRECORDED_TEST exist, and the test module is written;
    ``required`` is added to both markers (``", required=False"``)."""
    project.boundary("requirements", "design", REQUIREMENTS_SCHEMA)
    project.contract("Events", {"required": ["event"]}, kind="EVENT")
    project.pytester.makepyfile(UNRECORDED_TEST.format(required=required))


def registry_rows(project: Project, **filters: Any) -> list[Any]:
    async def read() -> list[Any]:
        async with await StateManager.create(sqlite_url(project.registry)) as state:
            return await ContractManager(state).get_validations(**filters, limit=1000)

    return asyncio.run(read())


def load_report(path: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    errors = list(
        Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        ).iter_errors(data)
    )
    assert errors == [], [e.message for e in errors]
    return data


def check_result(outcome: str, message: str | None = None) -> CheckResult:
    """A check result as a test's report carries it."""
    return CheckResult(
        test="test_x.py::test_x",
        kind="contract",
        boundary=None,
        team="default",
        contract="API",
        version="v1" if outcome in ("passed", "failed", "error", "not_recorded") else None,
        contract_id="c1" if outcome in ("passed", "failed", "error", "not_recorded") else None,
        outcome=outcome,
        message=message,
    )


def summary_of(
    results: list[CheckResult], local: Tally | None = None, **settings: Any
) -> ContractsSummary:
    """A summary that has gathered ``results``, without a pytest run; this
    process's own tally is ``local``."""
    options = {
        "use_real_redis": False,
        "redis_url": None,
        "database_url": "sqlite+aiosqlite:///registry.db",
        "team": "default",
        "contracts_dir": None,
        "gate": True,
        "report_path": None,
        "phases": DEFAULT_PHASES,
        **settings,
    }
    config: Any = types.SimpleNamespace(option=types.SimpleNamespace())
    summary = ContractsSummary(config, Settings(**options), lambda: local or Tally())
    summary.results.extend(results)
    return summary

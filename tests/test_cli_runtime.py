"""``pytest-contracts validate``, ``validations`` and ``enforcement``
(cli/runtime.py), in this process and, for standard input, as a subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts.config import sqlite_url

from .conftest import run_command

SCRIPT = Path(sys.executable).with_name("pytest-contracts")
ORDERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "amount": {"type": "number"},
        "due": {"type": "string", "format": "date-time"},
    },
    "required": ["amount"],
}
BOUNDARY: dict[str, Any] = {"type": "object", "required": ["design"]}


@pytest.fixture
def registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    folder = tmp_path / "contracts"
    folder.mkdir()
    for name, schema in (("Orders", ORDERS), ("phase_boundary_design_to_testing", BOUNDARY)):
        document = {"name": name, "version": "v1.0", "type": "EVENT", "schema": schema}
        (folder / f"{name}.json").write_text(json.dumps(document), "utf-8")
    url = sqlite_url(tmp_path / "registry.db")
    assert run_command(capsys, "load", str(folder), "--db", url).returncode == 0
    return url


def cli(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> Any:
    return run_command(capsys, *args, "--db", url)


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


def test_a_failing_document_exits_1_with_its_feedback(
    registry: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = tmp_path / "out.json"
    document.write_text('{"amount": "x", "due": "yesterday"}', "utf-8")
    result = cli(capsys, registry, "validate", "Orders", str(document))
    assert result.returncode == 1
    assert result.stdout.splitlines()[2:] == [
        "The output does not match its contract Orders v1.0; fix these:",
        '1. at /amount: must be a number; found the string "x"',
        '2. at /due: must be a valid date-time value; found "yesterday"',
    ]


def test_a_passing_document_from_stdin_exits_0_and_is_recorded(
    registry: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, '{"amount": 3}')
    result = cli(capsys, registry, "validate", "Orders", "-", "--subject", "agent-7")
    assert (result.returncode, result.stdout) == (
        0,
        "passed: contract 'Orders' v1.0 (team 'default')\n",
    )
    listed = cli(capsys, registry, "validations", "--json")
    data = json.loads(listed.stdout)
    assert [(v["subject"], v["outcome"]) for v in data["validations"]] == [("agent-7", "passed")]
    assert data["rates"] == {
        "outputs": 1,
        "passed_first_try": 1,
        "passed_in_the_end": 1,
        "repaired": 0,
    }


def test_no_record_stores_nothing(
    registry: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, '{"amount": 3}')
    assert cli(capsys, registry, "validate", "Orders", "--no-record").returncode == 0
    assert cli(capsys, registry, "validations").stdout == "no validation records match\n"


def test_a_boundary_is_named_as_the_marker_names_it(
    registry: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = tmp_path / "d.json"
    document.write_text("{}", "utf-8")
    result = cli(capsys, registry, "validate", "--boundary", "design", "testing", str(document))
    assert result.returncode == 1
    assert "phase_boundary_design_to_testing" in result.stdout
    backwards = cli(capsys, registry, "validate", "--boundary", "testing", "design", "-")
    assert backwards.returncode == 2
    assert "the boundary goes backwards" in " ".join(backwards.stderr.split())


def test_json_gives_the_verdict(
    registry: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, "{}")
    result = cli(capsys, registry, "validate", "Orders", "--json")
    verdict = json.loads(result.stdout)
    assert (result.returncode, verdict["outcome"], verdict["violations"][0]["keyword"]) == (
        1,
        "failed",
        "required",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1, "a": 2}', "the key 'a' appears twice"),
        ("{", "not valid JSON"),
        ("[" * 5000 + "]" * 5000, "nested more than"),
        ("1" * 5000, "digits"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    registry: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    message: str,
) -> None:
    stdin(monkeypatch, text)
    result = cli(capsys, registry, "validate", "Orders")
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("pytest-contracts: error: standard input")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate",), "name the contract"),
        (("validate", "Orders", "nope.json"), "nope.json: no such file"),
        (("validate", "Orders", "x.json", "--boundary", "a", "b"), "not both"),
        (("validations", "--since", "yesterday"), "--since 'yesterday'"),
    ],
)
def test_usage_mistakes_exit_2(
    registry: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    result = cli(capsys, registry, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_missing_contract_exits_1(
    registry: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, "{}")
    result = cli(capsys, registry, "validate", "Nope")
    assert result.returncode == 1
    assert result.stdout.startswith("missing: contract 'Nope' (team 'default'): no active")


def test_an_unreachable_registry_exits_3(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin(monkeypatch, "{}")
    result = run_command(capsys, "validate", "Orders", "--db", "postgresql://u:p@127.0.0.1:1/db")
    assert result.returncode == 3


def test_validations_filter_and_show_repairs_apart(
    registry: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from pytest_contracts import ContractManager, StateManager

    async def repaired() -> None:
        async with await StateManager.create(registry) as state:
            cm = ContractManager(state)
            answers = iter([{}, {"amount": 1}])
            await cm.validate_with_repair("default", "Orders", lambda _f: next(answers))
            await cm.validate("default", "Orders", {"amount": "no"}, subject="other")

    asyncio.run(repaired())
    result = cli(capsys, registry, "validations", "Orders")
    assert result.stdout.splitlines()[-1] == (
        "2 output(s): passed at the first try 0 (0%), in the end 1 (50%) (1 repaired)"
    )
    failed = json.loads(
        cli(capsys, registry, "validations", "--outcome", "failed", "--json").stdout
    )
    assert sorted(v["subject"] for v in failed["validations"]) == ["other", "run-time"]
    recent = json.loads(cli(capsys, registry, "validations", "--since", "1h", "--json").stdout)
    assert len(recent["validations"]) == 3
    future = cli(capsys, registry, "validations", "--since", "2999-01-01T00:00:00")
    assert future.stdout == "no validation records match\n"


def test_enforcement_is_shown_and_set_and_a_shadow_failure_exits_0(
    registry: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli(capsys, registry, "enforcement", "Orders", "v1.0").stdout == (
        "Orders v1.0: enforce\n"
    )
    result = cli(capsys, registry, "enforcement", "Orders", "v1.0", "--set", "warn", "--by", "me")
    assert result.stdout == "Orders v1.0: warn\n"
    stdin(monkeypatch, "{}")
    shadow = cli(capsys, registry, "validate", "Orders")
    assert shadow.returncode == 0
    assert shadow.stdout.startswith("failed (warn: would have failed): ")
    history = cli(capsys, registry, "history", "Orders").stdout
    assert " enforcement by me" in history


def test_validate_reads_standard_input_of_the_real_command(registry: str) -> None:
    result = subprocess.run(
        [str(SCRIPT), "validate", "Orders", "--db", registry],
        input='{"amount": "x"}',
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert '1. at /amount: must be a number; found the string "x"' in result.stdout

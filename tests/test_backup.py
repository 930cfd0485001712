"""``backup`` and ``restore``: a team's registry written to one JSON file and
back, exactly: every row of every table of that team compares equal (row
numbers of events, consumers and validation records aside), from SQLite to
SQLite always, and between SQLite and PostgreSQL both ways when DATABASE_URL
is set."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import shlex
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import jsonschema
import pytest
import sqlalchemy as sa

from pytest_contracts import (
    BackupError,
    ContractError,
    ContractManager,
    InvalidArgument,
    StateManager,
    jsondata,
)
from pytest_contracts.config import sqlite_url
from pytest_contracts.registry import tables
from pytest_contracts.registry.backup import (
    FORMAT_VERSION,
    SECTIONS,
    backup_schema,
    check_backup,
    dumps_backup,
)
from pytest_contracts.registry.records import ValidationInput

from .conftest import Backend, run_command, scratch_database

T = TypeVar("T")

# -- a registry with generated histories ------------------------------------------


def _schema(fields: list[str], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "string"} for name in fields},
        "required": required,
    }


async def generate(cm: ContractManager, team: str, seed: int, steps: int = 30) -> None:
    """Histories made of every kind of change the registry records: versions
    created and evolved (compatible, declared and forced breaks, shadow
    versions), activated, deprecated, retired, breaks accepted, consumers,
    enforcement and compatibility settings, validation records."""
    rng = random.Random(seed)
    names = [f"contract-{seed}-{index}" for index in range(3)]
    fields: dict[str, list[str]] = {}
    majors: dict[str, int] = {}
    for name in names:
        fields[name] = ["title"]
        majors[name] = 1
        await cm.create_contract(
            team,
            name,
            "v1.0",
            rng.choice(["PHASE_TRANSITION", "EVENT", "REST_API"]),
            _schema(["title"], ["title"]),
            owner_role="architect",
            owner_agent=f"agent-{rng.randrange(3)}",
            description=rng.choice([None, "the first version", "ünïcode ✓"]),
        )
    if rng.random() < 0.8:
        await cm.set_compatibility(team, names[0], mode="FULL", policy="strict", set_by="ops")
    await cm.set_compatibility(team, "not-yet-created", mode="NONE", set_by="ops")
    for step in range(steps):
        name = rng.choice(names)
        versions = [c for c in await cm.list_contracts(team) if c.contract_name == name]
        version = rng.choice(versions)
        action = rng.choice(
            ["evolve", "evolve", "break", "activate", "deprecate", "retire", "consumer",
             "enforcement", "accept", "validations"]
        )  # fmt: skip
        try:
            if action == "evolve":
                fields[name] = [*fields[name], f"field{step}"]
                await cm.evolve_contract(
                    team,
                    name,
                    f"v{majors[name]}.{step + 1}",
                    _schema(fields[name], ["title"]),
                    evolved_by="designer",
                    activate=rng.random() < 0.5,
                    enforcement=rng.choice(["enforce", "warn"]),
                )
            elif action == "break":
                majors[name] += 1
                fields[name] = fields[name][1:] or ["other"]
                await cm.evolve_contract(
                    team,
                    name,
                    f"v{majors[name]}.0",
                    _schema(fields[name], fields[name][:1]),
                    evolved_by="designer",
                    breaking_change=rng.choice([None, True]),
                    force=True,
                )
            elif action == "activate":
                await cm.activate_contract(version.id, activated_by=rng.choice([None, "ops"]))
            elif action == "deprecate":
                await cm.deprecate_contract(version.id, deprecated_by="ops", reason="superseded")
            elif action == "retire":
                await cm.retire_contract(version.id, retired_by="ops")
            elif action == "consumer":
                await cm.register_consumer(
                    version.id, f"reader-{rng.randrange(4)}", rng.choice([None, "tester"])
                )
            elif action == "enforcement":
                await cm.set_enforcement(version.id, rng.choice(["enforce", "warn"]), "ops")
            elif action == "accept":
                await cm.accept_break(team, name, version.version, "lead", "agreed with readers")
            else:
                at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
                await cm.record_validations(
                    [
                        ValidationInput(
                            contract=version,
                            subject=f"tests/test_{step}.py::test_{index}",
                            passed=index % 2 == 0,
                            errors=[] if index % 2 == 0 else [{"path": "/title", "message": "x"}],
                            duration_ms=rng.random() * 10,
                            validated_at=at + timedelta(seconds=index),
                            metadata=rng.choice([None, {"agent": "a", "attempt": index}]),
                            enforcement=rng.choice([None, "enforce", "warn"]),
                        )
                        for index in range(3)
                    ]
                )
        except ContractError:
            pass  # a move the lifecycle refuses: the history goes on without it
    # Whatever the steps did, every state is there at the end.
    last = names[-1]
    for activate in (True, True, False, False):
        majors[last] += 1
        made = await cm.evolve_contract(
            team,
            last,
            f"v{majors[last]}.0",
            _schema([f"final{majors[last]}"], []),
            breaking_change=True,
            force=True,
            activate=activate,
        )
    await cm.retire_contract(made.id, retired_by="ops", reason="never used")


async def rows_of(state: StateManager, team: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of the team in every table, as stored, without the row numbers
    of events, consumers and validation records; in the order of those numbers
    (the order things happened in)."""
    contracts = tables.contracts
    ids = sa.select(contracts.c.id).where(contracts.c.team_id == team)
    found: dict[str, list[dict[str, Any]]] = {}
    async with state.read() as conn:
        for section in SECTIONS:
            table = section.table
            columns = [c for c in table.c if c.name != "id" or table is contracts]
            query = sa.select(*columns)
            if table is contracts:
                query = query.where(table.c.team_id == team).order_by(table.c.id)
            elif table is tables.settings:
                query = query.where(table.c.team_id == team).order_by(table.c.contract_name)
            else:
                query = query.where(table.c.contract_id.in_(ids)).order_by(table.c.id)
            found[section.key] = [dict(row._mapping) for row in await conn.execute(query)]
    return found


async def _manager(url: str) -> StateManager:
    return await StateManager.create(database_url=url)


async def _with(url: str, work: Callable[[ContractManager], Awaitable[T]]) -> T:
    state = await _manager(url)
    try:
        return await work(ContractManager(state))
    finally:
        await state.close()


def call(url: str, work: Callable[[ContractManager], Awaitable[T]]) -> T:
    """``work`` on a manager of the registry at ``url``, from a test that is
    not a coroutine (the command line runs its own event loop)."""
    return asyncio.run(_with(url, work))


def rows(url: str, team: str) -> dict[str, list[dict[str, Any]]]:
    return call(url, lambda cm: rows_of(cm.state, team))


def document_of(url: str, team: str | None, **options: Any) -> dict[str, Any]:
    """A backup as a file holds it (JSON text, read back)."""
    document = call(url, lambda cm: cm.backup(team, **options))
    return cast(dict[str, Any], json.loads(json.dumps(document)))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite registry with two teams of generated histories, made once."""
    path = tmp_path_factory.mktemp("built") / "source.db"

    async def build(cm: ContractManager) -> None:
        await generate(cm, "alpha", seed=1)
        await generate(cm, "beta", seed=2, steps=10)

    call(sqlite_url(path), build)
    return path


@pytest.fixture
def source(built: Path, tmp_path: Path) -> str:
    """A copy of that registry of the test's own."""
    path = tmp_path / "source.db"
    shutil.copyfile(built, path)
    return sqlite_url(path)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    result = run_command(capsys, *args)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result


# -- round trips ---------------------------------------------------------------------


def _kinds(found: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    return {key: len(value) for key, value in found.items()}


def test_a_backup_restored_into_an_empty_sqlite_registry_has_every_row(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "registry-backup.json"
    target = sqlite_url(tmp_path / "target.db")
    expected = {team: rows(source, team) for team in ("alpha", "beta")}
    # The generator made every kind of row, in numbers worth comparing.
    counts = _kinds(expected["alpha"])
    assert counts["versions"] >= 8, counts
    assert counts["events"] >= 20, counts
    assert all(counts[key] for key in ("consumers", "settings", "validations")), counts
    statuses = {row["status"] for row in expected["alpha"]["versions"]}
    assert statuses == {"active", "deprecated", "retired", "draft"}
    assert any(row["compatibility"] for row in expected["alpha"]["versions"])
    _cli(capsys, "--db", source, "backup", str(file), "--all-teams", "--with-validations")
    restored = _cli(capsys, "--db", target, "restore", str(file))
    assert restored.stdout.startswith("restored 2 teams from ")
    counted = sum(len(found) for team in expected.values() for found in team.values())
    last = restored.stdout.splitlines()[-1]
    assert sum(int(word.split()[0]) for word in last.split(",")) == counted
    for team in ("alpha", "beta"):
        assert rows(target, team) == expected[team]


@pytest.mark.parametrize("seed", [3, 4, 5])
async def test_generated_histories_round_trip_through_the_api(seed: int, tmp_path: Path) -> None:
    first = await _manager(sqlite_url(tmp_path / "a.db"))
    second = await _manager(sqlite_url(tmp_path / "b.db"))
    try:
        cm = ContractManager(first)
        await generate(cm, "team", seed=seed, steps=40)
        document = json.loads(json.dumps(await cm.backup("team", with_validations=True)))
        result = await ContractManager(second).restore(document)
        assert result.teams == ("team",)
        assert result.replaced == ()
        expected = await rows_of(first, "team")
        assert result.versions == len(expected["versions"])
        assert result.events == len(expected["events"])
        assert await rows_of(second, "team") == expected
        # And what the API reads is the same: histories, consumers, settings.
        restored = ContractManager(second)
        for name in {row["contract_name"] for row in expected["versions"]}:
            assert await restored.get_contract_history("team", name) == (
                await cm.get_contract_history("team", name)
            )
            assert await restored.get_consumers("team", name) == await cm.get_consumers(
                "team", name
            )
            assert await restored.get_active_contract("team", name) == (
                await cm.get_active_contract("team", name)
            )
        assert await restored.get_compatibility("team", "not-yet-created") == (
            await cm.get_compatibility("team", "not-yet-created")
        )
    finally:
        await first.close()
        await second.close()


@pytest.fixture
async def scratch_postgresql(pg_url: str) -> AsyncIterator[str]:
    """A PostgreSQL database of the test's own, dropped afterwards."""
    async with scratch_database(pg_url, f"contracts_backup_{uuid.uuid4().hex[:12]}") as (url, _):
        yield url


@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_a_backup_restored_on_the_other_back_end_has_every_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scratch_postgresql: str, direction: str
) -> None:
    sqlite_db = sqlite_url(tmp_path / "registry.db")
    if direction == "sqlite-to-postgresql":
        origin, target = sqlite_db, scratch_postgresql
    else:
        origin, target = scratch_postgresql, sqlite_db
    call(origin, lambda cm: generate(cm, "alpha", seed=7, steps=40))
    expected = rows(origin, "alpha")
    file = tmp_path / "backup.json"
    _cli(capsys, "--db", origin, "--team", "alpha", "backup", str(file), "--with-validations")
    _cli(capsys, "--db", target, "restore", str(file))
    assert call(target, lambda cm: asyncio.sleep(0, cm.state.backend)) == direction.split("-")[-1]
    assert rows(target, "alpha") == expected


async def test_a_restored_registry_goes_on_where_the_original_stopped(tmp_path: Path) -> None:
    first = await _manager(sqlite_url(tmp_path / "a.db"))
    second = await _manager(sqlite_url(tmp_path / "b.db"))
    try:
        cm = ContractManager(first)
        v1 = await cm.create_contract("t", "orders", "v1.0", "EVENT", _schema(["id"], ["id"]))
        await cm.activate_contract(v1.id, activated_by="ops")
        v2 = await cm.evolve_contract("t", "orders", "v2.0", _schema(["id"], []), activate=True)
        await ContractManager(second).restore(await cm.backup("t"))
        restored = ContractManager(second)
        # The next version gets the next revision and follows the active one.
        v3 = await restored.evolve_contract("t", "orders", "v3.0", _schema(["id", "x"], []))
        assert (v3.revision, v3.previous_version_id) == (3, v2.id)
        await restored.activate_contract(v1.id, activated_by="ops")
        active = await restored.get_active_contract("t", "orders")
        assert active is not None
        assert active.version == "v1.0"
    finally:
        await first.close()
        await second.close()


# -- the format -----------------------------------------------------------------------


def test_the_backup_is_described_by_the_shipped_schema(source: str) -> None:
    document = document_of(source, None, with_validations=True)
    assert document["format"] == "pytest-contracts-backup"
    assert document["version"] == FORMAT_VERSION
    assert [team["team"] for team in document["teams"]] == ["alpha", "beta"]
    schema = backup_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(
        document, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    # Every column of every table is in the format, but the team (the
    # entry's) and the row numbers of events, consumers and records.
    for section in SECTIONS:
        defined = schema["$defs"][section.key.removesuffix("s")]
        columns = {c.name for c in section.table.c} - {"team_id"}
        if section.table is not tables.contracts and section.table is not tables.settings:
            columns -= {"id"}
        assert set(defined["required"]) == columns == set(defined["properties"]), section.key
    # Specifications and findings are JSON in the file, not text.
    version = document["teams"][0]["versions"][0]
    assert isinstance(version["specification"], dict)
    assert version["created_at"].endswith("+00:00")


def test_the_file_holds_one_row_per_line(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "backup.json"
    _cli(capsys, "--db", source, "backup", str(file), "--all-teams", "--with-validations")
    text = file.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document == document_of(source, None, with_validations=True) | {
        "created_at": document["created_at"]
    }
    lines = text.splitlines()
    for team in document["teams"]:
        for key in ("versions", "events", "consumers", "settings", "validations"):
            for entry in team[key]:
                line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
                assert f"        {line}," in lines or f"        {line}" in lines
    assert dumps_backup({"teams": []}) == '{\n  "teams": []\n}\n'


@pytest.mark.parametrize("fast", [True, False], ids=["jsonschema-rs", "jsonschema"])
def test_the_shape_is_checked_alike_with_either_engine(
    source: str, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    document = document_of(source, "alpha", with_validations=True)
    if not fast:
        monkeypatch.setitem(sys.modules, "jsonschema_rs", None)  # import fails
    assert [team.team_id for team in check_backup(document)] == ["alpha"]
    document["teams"][0]["validations"][-1]["validated_at"] = "2026-13-01T00:00:00+00:00"
    with pytest.raises(BackupError, match=r"/validations/\d+/validated_at: '2026-13-01T"):
        check_backup(document)


def test_the_schema_ships_with_the_package() -> None:
    text = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"backup_schema.json"' in text
    assert backup_schema()["properties"]["version"] == {"const": FORMAT_VERSION}


def test_validation_records_are_left_out_unless_asked_for(source: str) -> None:
    document = document_of(source, "alpha")
    assert document["with_validations"] is False
    assert "validations" not in document["teams"][0]
    assert "validations" in document_of(source, "alpha", with_validations=True)["teams"][0]


# -- refusals ---------------------------------------------------------------------------


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_a_team_that_is_not_empty_is_refused_unless_replace_is_given(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _write(tmp_path / "alpha.json", document_of(source, "alpha"))
    target = sqlite_url(tmp_path / "target.db")

    async def prepare(cm: ContractManager) -> None:
        await cm.create_contract("alpha", "local", "v1.0", "EVENT", _schema(["a"], []))
        await cm.create_contract("gamma", "other", "v1.0", "EVENT", _schema(["a"], []))

    call(target, prepare)
    before = {team: rows(target, team) for team in ("alpha", "gamma")}
    refused = run_command(capsys, "--db", target, "restore", str(file))
    assert refused.returncode == 2
    assert refused.stdout == ""
    message = " ".join(refused.stderr.split())
    assert message.startswith(f"pytest-contracts: error: {file}: team 'alpha' is not empty")
    assert "(1 version(s))" in message
    assert "pass --replace" in message
    assert {team: rows(target, team) for team in ("alpha", "gamma")} == before

    replaced = _cli(capsys, "--db", target, "restore", str(file), "--replace")
    said = " ".join(replaced.stdout.split())
    assert said.startswith(f"restored team 'alpha' from {file}, replacing what was there: ")
    expected = rows(source, "alpha")
    del expected["validations"]  # not in this backup: the team has none now
    found = rows(target, "alpha")
    assert found.pop("validations") == []
    assert found == expected
    assert rows(target, "gamma") == before["gamma"]  # another team is never touched


def test_a_team_with_only_a_setting_is_not_empty(source: str, tmp_path: Path) -> None:
    document = document_of(source, "alpha")

    async def attempt(cm: ContractManager) -> None:
        await cm.set_compatibility("alpha", "anything", mode="NONE")
        with pytest.raises(BackupError, match="team 'alpha' is not empty"):
            await cm.restore(document)

    call(sqlite_url(tmp_path / "target.db"), attempt)


def _damage(document: dict[str, Any], how: str) -> dict[str, Any]:
    team = document["teams"][-1]
    if how == "time":
        team["events"][-1]["at"] = "yesterday"
    elif how == "specification":
        team["versions"][-1]["specification"]["properties"]["extra"] = {"type": "integer"}
    elif how == "reference":
        team["consumers"][-1]["contract_id"] = str(uuid.uuid4())
    elif how == "two-active":
        versions = [v for v in team["versions"] if v["contract_name"] == "contract-1-2"]
        for version in versions[-2:]:
            version["status"] = "active"
    elif how == "names":
        team["events"][-1]["version"] = "v99.0"
    # Values the registry's own calls refuse, or a database cannot hold.
    elif how == "far-time":
        team["versions"][-1]["created_at"] = "0001-01-01T00:00:00+01:00"
    elif how == "huge-revision":
        team["versions"][-1]["revision"] = 2**40
    elif how == "surrogate":
        team["versions"][-1]["description"] = "a\ud800b"
    elif how == "nul":
        team["versions"][-1]["description"] = "a\x00b"
    elif how == "surrogate-details":
        team["events"][-1]["details"] = {"note": "\ud800"}
    elif how == "long-event":
        team["events"][-1]["event"] = "created_and_more_than_16"
    elif how == "control-team":
        team["team"] = "alpha\x1b[31mred"
    elif how == "control-agent":
        team["consumers"][-1]["consumer_agent"] = "billing\nsecond line"
    elif how == "bad-schema":
        version = team["versions"][-1]
        version["specification"] = {"type": "nope"}
        canonical = jsondata.canonical(version["specification"]).encode()
        version["spec_hash"] = hashlib.sha256(canonical).hexdigest()
    return document


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("time", r"backup entry /teams/0/events/\d+/at: 'yesterday' is not a 'date-time'"),
        ("specification", r"/teams/0/versions/\d+: the specification does not match its"),
        ("reference", r"/teams/0/consumers/\d+: contract_id '[-0-9a-f]+' names no version"),
        ("two-active", r"/teams/0/versions/\d+: contract-1-2 has more than one active version"),
        ("names", r"/teams/0/events/\d+: it names contract-1-\d v99.0, but its contract_id"),
        ("far-time", r"/teams/0/versions/\d+: .*(range|year)"),
        ("huge-revision", r"/teams/0/versions/\d+: revision 1099511627776 is out of range"),
        ("surrogate", r"/teams/0/versions/\d+: description .*lone surrogate"),
        ("nul", r"/teams/0/versions/\d+: description contains a NUL character"),
        ("surrogate-details", r"/teams/0/events/\d+: details holds a lone surrogate"),
        ("long-event", r"/teams/0/events/\d+: event is longer than 16 characters"),
        ("control-team", r"backup entry /teams/0: team .* contains a control character"),
        ("control-agent", r"/teams/0/consumers/\d+: consumer_agent .* control character"),
        ("bad-schema", r"/teams/0/versions/\d+: .*'nope'"),
    ],
)
def test_a_damaged_entry_late_in_the_file_leaves_the_target_unchanged(
    source: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
    message: str,
) -> None:
    file = _write(tmp_path / "alpha.json", _damage(document_of(source, "alpha"), how))
    # The target has the team already: even --replace removes nothing.
    target = sqlite_url(tmp_path / "target.db")
    call(target, lambda cm: generate(cm, "alpha", seed=11, steps=5))
    before = rows(target, "alpha")
    result = run_command(capsys, "--db", target, "restore", str(file), "--replace")
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    text = " ".join(result.stderr.split())  # one line, wrapped to 80 columns
    assert text.startswith(f"pytest-contracts: error: {file}: "), result.stderr
    assert re.search(message, text), result.stderr
    assert text.endswith("restore an intact copy")
    assert rows(target, "alpha") == before


def test_validation_metadata_that_is_not_an_object_is_refused(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The API stores metadata only as a JSON object; `validations` reads it so.
    document = document_of(source, "alpha", with_validations=True)
    records = document["teams"][0]["validations"]
    assert records, "the built registry has validation records"
    records[-1]["metadata"] = [1]
    file = _write(tmp_path / "alpha.json", document)
    target = sqlite_url(tmp_path / "target.db")
    result = run_command(capsys, "--db", target, "restore", str(file))
    assert result.returncode == 2, result
    assert "metadata must be a JSON object" in " ".join(result.stderr.split())
    assert rows(target, "alpha") == {key: [] for key in rows(target, "alpha")}


def test_a_failure_in_the_database_midway_leaves_the_target_unchanged(source: str) -> None:
    """The backup passes every check, and its last row (a validation record,
    written after the team's old rows were removed and every other row was
    written) is refused by the database: nothing is changed."""
    document = document_of(source, "alpha", with_validations=True)
    text = json.dumps(document)
    # The same rows as another team's copy, with new version ids ...
    for version in document["teams"][0]["versions"]:
        text = text.replace(version["id"], str(uuid.uuid4()))
    copy = json.loads(text)
    copy["teams"][0]["team"] = "copy"
    records = copy["teams"][0]["validations"]
    for record in records[:-1]:
        record["record_key"] = uuid.uuid4().hex
    # ... but the last record keeps its key, which team alpha's record has here.
    assert records[-1]["record_key"] is not None
    check_backup(copy)
    call(source, lambda cm: generate(cm, "copy", seed=12, steps=5))
    before = {team: rows(source, team) for team in ("alpha", "copy")}

    async def attempt(cm: ContractManager) -> None:
        with pytest.raises(BackupError) as refused:
            await cm.restore(copy, replace=True)
        assert "nothing was restored" in str(refused.value)
        assert "\n" not in str(refused.value)

    call(source, attempt)
    assert {team: rows(source, team) for team in ("alpha", "copy")} == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "pytest-contracts-backup", "version": 2}', "format version 2 is not one"),
        ('{"format": "pytest-contracts-backup", "version": "1"}', 'format version "1" is not'),
        ('{"name": "orders", "version": "v1.0"}', "not a pytest-contracts backup"),
        ('{"format": "pytest-contracts-backup", "version": 1, "teams": []}', "backup entry /:"),
        ('{"format": "pytest-contracts-backup", "vers', "is not JSON (Unterminated string"),
        ("[1, 2]", "not a pytest-contracts backup"),
    ],
)
def test_a_file_that_is_no_backup_of_this_format_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    file = tmp_path / "backup.json"
    file.write_text(content, encoding="utf-8")
    result = run_command(capsys, "--db", sqlite_url(tmp_path / "target.db"), "restore", str(file))
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr


def test_a_newer_format_says_to_upgrade() -> None:
    with pytest.raises(BackupError, match="written by a newer pytest-contracts: upgrade"):
        check_backup({"format": "pytest-contracts-backup", "version": FORMAT_VERSION + 1})


def test_a_missing_file_and_a_folder_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sqlite_url(tmp_path / "target.db")
    missing = run_command(capsys, "--db", db, "restore", str(tmp_path / "nope.json"))
    assert (missing.returncode, " ".join(missing.stderr.split())) == (
        2,
        f"pytest-contracts: error: {tmp_path / 'nope.json'}: no such file",
    )
    folder = run_command(capsys, "--db", db, "restore", str(tmp_path))
    assert folder.returncode == 2
    assert "not a regular file" in " ".join(folder.stderr.split())


# -- which teams ------------------------------------------------------------------------


def test_backup_takes_the_team_and_refuses_one_with_nothing(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "b.json"
    done = _cli(capsys, "--db", source, "--json", "--team", "beta", "backup", str(file))
    summary = json.loads(done.stdout)
    assert summary["teams"] == ["beta"]
    assert summary["bytes"] == file.stat().st_size
    assert [team["team"] for team in json.loads(file.read_text())["teams"]] == ["beta"]
    missing = run_command(capsys, "--db", source, "--team", "betta", "backup", str(file))
    assert missing.returncode == 2
    text = " ".join(missing.stderr.split())
    assert "team 'betta' has nothing to back up" in text
    assert "teams there: 'alpha', 'beta'" in text
    both = run_command(capsys, "--db", source, "--team", "beta", "backup", str(file), "--all-teams")
    assert both.returncode == 2
    assert "--team and --all-teams exclude each other" in both.stderr


def test_restore_takes_one_team_of_a_backup_when_told(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _write(tmp_path / "all.json", document_of(source, None))
    target = sqlite_url(tmp_path / "target.db")
    _cli(capsys, "--db", target, "--team", "beta", "restore", str(file))
    expected = rows(source, "beta")
    del expected["validations"]
    found = rows(target, "beta")
    assert found.pop("validations") == []
    assert found == expected
    assert rows(target, "alpha")["versions"] == []
    other = run_command(capsys, "--db", target, "--team", "gamma", "restore", str(file))
    assert other.returncode == 2
    assert "holds no team 'gamma' (it holds 'alpha', 'beta')" in " ".join(other.stderr.split())


# -- the cache ----------------------------------------------------------------------------


async def test_the_cache_serves_the_restored_active_versions(backend: Backend) -> None:
    """A manager that has the active version cached sees the one the restore
    wrote, on every back end (real Redis included when it is configured)."""
    reader = ContractManager(await backend.state())
    v1 = await reader.create_contract("t", "orders", "v1.0", "EVENT", _schema(["id"], ["id"]))
    await reader.activate_contract(v1.id)
    saved = await reader.backup("t")
    await reader.evolve_contract("t", "orders", "v2.0", _schema(["id"], []), activate=True)
    later = await reader.create_contract("t", "later", "v1.0", "EVENT", _schema(["id"], []))
    await reader.activate_contract(later.id)
    for _ in range(2):  # the second from the cache
        active = await reader.get_active_contract("t", "orders")
        assert active is not None
        assert active.version == "v2.0"
        assert await reader.get_active_contract("t", "later") is not None
    writer = ContractManager(await backend.state())
    await writer.restore(saved, replace=True)
    active = await reader.get_active_contract("t", "orders")
    assert active is not None
    assert active.version == "v1.0"
    assert active.id == v1.id
    assert await reader.get_active_contract("t", "later") is None  # not in the backup: gone


# -- the README's example -------------------------------------------------------------------


def test_the_readme_example_runs_as_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_env: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Backup and restore") :]
    commands, printed = re.findall(r"```(?:bash|text)\n(.*?)```", section, flags=re.DOTALL)[:2]
    clean_env.chdir(tmp_path)
    here = sqlite_url(tmp_path / ".pytest_contracts" / "registry.db")

    async def build(cm: ContractManager) -> None:
        first = await cm.create_contract("payments", "orders", "v1.0", "EVENT", _schema(["id"], []))
        await cm.activate_contract(first.id, activated_by="ops")
        second = await cm.evolve_contract(
            "payments", "orders", "v1.1", _schema(["id", "total"], []), activate=True
        )
        await cm.create_contract("payments", "refunds", "v1.0", "EVENT", _schema(["id"], []))
        await cm.register_consumer(second.id, "billing", "reader")
        await cm.set_compatibility("payments", "orders", mode="FULL", set_by="ops")
        await cm.record_validation(second, "tests/test_orders.py::test_total", True)
        await cm.record_validation(second, "tests/test_orders.py::test_id", False, [{"x": 1}])

    call(here, build)
    outputs = []
    for line in commands.strip().splitlines():
        program, *args = shlex.split(line)
        assert program == "pytest-contracts"
        outputs.append(_cli(capsys, *args).stdout)
    assert "v1.1  active" in outputs[2]
    shown = re.sub(r"\(\d+ bytes\)", "(N bytes)", "".join(outputs[:2]))
    assert shown == re.sub(r"\(\d+ bytes\)", "(N bytes)", printed)
    assert rows(sqlite_url(tmp_path / "copy.db"), "payments") == rows(here, "payments")


async def test_the_api_checks_its_arguments(tmp_path: Path) -> None:
    async def attempts(cm: ContractManager) -> list[str]:
        said = []
        for attempt in (
            lambda: cm.backup("t", with_validations=1),  # type: ignore[arg-type]
            lambda: cm.backup(""),
            lambda: cm.restore({}, replace="yes"),  # type: ignore[arg-type]
            lambda: cm.restore({}, team_id="\x00"),
        ):
            with pytest.raises(InvalidArgument) as refused:
                await attempt()
            said.append(str(refused.value))
        return said

    said = await _with(sqlite_url(tmp_path / "r.db"), attempts)
    assert said[:3] == [
        "with_validations must be True or False, not 1",
        "team_id must not be empty",
        "replace must be True or False, not 'yes'",
    ]
    assert said[3].startswith("team_id ")

"""The contract-file format (registry/files.py): what is written is what is
read, and a file that cannot be used is refused naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_contracts import ContractManager
from pytest_contracts.errors import ContractFileError
from pytest_contracts.registry.files import (
    OPTIONAL,
    REQUIRED,
    contract_document,
    read_contract_dir,
    read_contract_file,
    write_contract_files,
)

from .registry_cases import NAME, TEAM, V1_INTEGER_ID, first


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


async def test_an_exported_version_reads_back_as_the_same_version(
    cm: ContractManager, tmp_path: Path
) -> None:
    await first(cm)
    await cm.set_compatibility(TEAM, NAME, mode="FULL", policy="strict")
    forced = await cm.evolve_contract(
        TEAM, NAME, "v1.1", V1_INTEGER_ID, description="ids are numbers", force=True
    )
    settings = await cm.get_compatibility(TEAM, NAME)
    document = contract_document(forced, settings)
    assert set(document) <= set(REQUIRED + OPTIONAL)
    (path,) = write_contract_files(tmp_path / "out", [document])
    assert path.name == f"{NAME}__v1.1.json"
    read = read_contract_file(path, "another-team")
    assert (read.team, read.name, read.version, read.type) == (TEAM, NAME, "v1.1", "EVENT")
    assert read.schema == V1_INTEGER_ID
    assert (read.owner_agent, read.description) == ("dev", "ids are numbers")
    assert (read.breaking_change, read.force) == (True, True)
    assert (read.compatibility, read.policy) == ("FULL", "strict")


async def test_defaults_are_not_written(cm: ContractManager) -> None:
    contract = await first(cm)
    document = contract_document(contract, await cm.get_compatibility(TEAM, NAME))
    assert sorted(document) == ["name", "owner_agent", "schema", "team", "type", "version"]


def test_files_with_one_stem_get_their_own_names(tmp_path: Path) -> None:
    documents = [
        {"name": "a/b", "version": "v1", "type": "EVENT", "schema": {}},
        {"name": "a:b", "version": "v1", "type": "EVENT", "schema": {}},
    ]
    written = write_contract_files(tmp_path, documents)
    assert [p.name for p in written] == ["a_b__v1.json", "a_b__v1-2.json"]


def test_a_folder_that_cannot_be_made_is_a_contract_file_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ContractFileError, match="cannot create"):
        write_contract_files(blocker / "out", [])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("[1, 2]", "must hold a JSON object, not list"),
        ('{"name": "a"', "not valid JSON"),
        (json.dumps({"name": "a", "version": "v1", "type": "EVENT"}), "missing 'schema'"),
        (
            json.dumps({"name": "a", "version": "v1", "type": "EVENT", "schema": {}, "x": 1}),
            "unknown key(s) 'x'",
        ),
        (
            json.dumps({"name": "", "version": "v1", "type": "EVENT", "schema": {}}),
            "'name' must be a non-empty string",
        ),
        (
            json.dumps({"name": "a", "version": "v1", "type": "GRAPH", "schema": {}}),
            "unknown contract_type 'GRAPH'",
        ),
        (
            json.dumps(
                {"name": "a", "version": "v1", "type": "EVENT", "schema": {}, "force": "yes"}
            ),
            "'force' must be true or false",
        ),
        (
            json.dumps({"name": "a", "version": "v1", "type": "EVENT", "schema": {"type": 5}}),
            "'schema'",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_naming_it(
    tmp_path: Path, data: str, problem: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(data, encoding="utf-8")
    with pytest.raises(ContractFileError) as caught:
        read_contract_file(path, TEAM)
    assert str(caught.value).startswith(f"contract file {path}: ")
    assert problem in str(caught.value)


def test_a_folder_is_read_in_path_order_and_a_version_only_once(tmp_path: Path) -> None:
    document = {"name": "a", "version": "v1", "type": "EVENT", "schema": {}}
    write(tmp_path, "b.json", {**document, "version": "v2"})
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "a.json", document)
    assert [f.version for f in read_contract_dir(tmp_path, TEAM)] == ["v2", "v1"]
    write(tmp_path, "c.json", document)
    with pytest.raises(ContractFileError, match="again"):
        read_contract_dir(tmp_path, TEAM)
    with pytest.raises(ContractFileError, match="does not exist"):
        read_contract_dir(tmp_path / "missing", TEAM)

"""``format`` is checked on a plain install: the formats jsonschema only checks
when an optional parser is installed (the ``format-nongpl`` extra)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pytest_contracts.models import Contract, ContractStatus, ContractType
from pytest_contracts.validation import ValidatorCache


def contract(fmt: str) -> Contract:
    now = datetime.now(UTC)
    return Contract(
        id=f"id-{fmt}",
        team_id="t",
        contract_name="formats",
        version="v1",
        contract_type=ContractType.DATA_FORMAT,
        status=ContractStatus.ACTIVE,
        specification={"type": "string", "format": fmt},
        description=None,
        owner_role=None,
        owner_agent=None,
        revision=1,
        previous_version_id=None,
        breaking_change=None,
        evolved_by=None,
        created_at=now,
        activated_at=now,
        deprecated_at=None,
        retired_at=None,
    )


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "2026-11-25T10:00:00Z", "yesterday"),
        ("date", "2026-11-25", "25/11/2026"),
        ("uri", "https://example.org/a?b=c", "not a uri"),
        ("uri-reference", "/relative/path", "\\\\bad ref"),
        ("hostname", "api.example.org", "-bad-.example"),
        ("email", "dev@example.org", "no-at-sign"),
        ("duration", "P3DT4H", "three days"),
        ("uuid", "2f1d3e1c-3c55-4f57-9a41-1d7e3f0b8a10", "not-a-uuid"),
        ("ipv4", "10.0.0.1", "300.0.0.1"),
    ],
)
def test_format_is_checked(fmt: str, good: str, bad: str) -> None:
    cache = ValidatorCache()
    assert cache.validate(contract(fmt), good).passed
    verdict = cache.validate(contract(fmt), bad)
    assert not verdict.passed
    assert [v.keyword for v in verdict.violations] == ["format"]

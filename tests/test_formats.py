"""``format`` is checked on a plain install: the formats jsonschema only checks
when an optional parser is installed (see the README's Dependencies)."""

from __future__ import annotations

import pytest

from pytest_contracts.validation import ValidatorCache

from .conftest import contract_record


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
    checked = contract_record({"type": "string", "format": fmt}, fmt)
    assert cache.validate(checked, good).passed
    verdict = cache.validate(checked, bad)
    assert not verdict.passed
    assert [v.keyword for v in verdict.violations] == ["format"]

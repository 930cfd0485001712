"""A contract's compatibility settings (registry/compatibility.py)."""

from __future__ import annotations

import pytest

from pytest_contracts import ContractManager, InvalidArgument

from .conftest import Backend
from .registry_cases import NAME, TEAM


async def test_compatibility_settings_default_and_persist(
    cm: ContractManager, backend: Backend
) -> None:
    default = await cm.get_compatibility(TEAM, NAME)
    assert (default.mode, default.policy, default.explicit) == ("BACKWARD", "lenient", False)
    await cm.set_compatibility(TEAM, NAME, mode="full_transitive", set_by="lead")
    await cm.set_compatibility(TEAM, NAME, policy="STRICT")
    other = ContractManager(await backend.state())
    stored = await other.get_compatibility(TEAM, NAME)
    assert (stored.mode, stored.policy, stored.explicit) == ("FULL_TRANSITIVE", "strict", True)
    with pytest.raises(InvalidArgument, match="BACKWARD_TRANSITIVE"):
        await cm.set_compatibility(TEAM, NAME, mode="SIDEWAYS")
    with pytest.raises(InvalidArgument, match="lenient"):
        await cm.set_compatibility(TEAM, NAME, policy="loose")

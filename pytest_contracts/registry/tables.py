"""The registry's tables (SQLAlchemy Core) and its schema version.

The same definitions serve SQLite and PostgreSQL. The database itself enforces
the registry's invariants: one row per (team, contract, version), and at most
one active version per (team, contract) through a partial unique index.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

#: Bumped by every release that changes the tables; ``migrations`` below
#: brings an older database up to it.
SCHEMA_VERSION = 4


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both back ends (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the registry; use an aware UTC datetime")
        # SQLite's DATETIME stores the date and time fields and drops the zone,
        # so on both back ends what is stored is the UTC time.
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData()

meta = sa.Table(
    "contracts_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

contracts = sa.Table(
    "contracts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("team_id", sa.Text, nullable=False),
    sa.Column("contract_name", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("contract_type", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("specification", sa.Text, nullable=False),
    sa.Column("spec_hash", sa.String(64), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("owner_role", sa.Text),
    sa.Column("owner_agent", sa.Text),
    sa.Column("previous_version_id", sa.String(36), sa.ForeignKey("contracts.id")),
    sa.Column("breaking_change", sa.Boolean),
    sa.Column("evolved_by", sa.Text),
    # The compatibility check made when the version was evolved (JSON), or NULL.
    sa.Column("compatibility", sa.Text),
    # "enforce": violations fail; "warn": they are reported as "would have failed".
    sa.Column("enforcement", sa.String(16), nullable=False, server_default="enforce"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("activated_at", UTCDateTime),
    sa.Column("deprecated_at", UTCDateTime),
    sa.Column("retired_at", UTCDateTime),
    sa.UniqueConstraint("team_id", "contract_name", "version", name="uq_contract_version"),
    sa.UniqueConstraint("team_id", "contract_name", "revision", name="uq_contract_revision"),
)

# The database, not only the code, guarantees a single active version.
sa.Index(
    "uq_one_active_version",
    contracts.c.team_id,
    contracts.c.contract_name,
    unique=True,
    sqlite_where=contracts.c.status == "active",
    postgresql_where=contracts.c.status == "active",
)
sa.Index("ix_contracts_team_status", contracts.c.team_id, contracts.c.status)

events = sa.Table(
    "contract_events",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("contract_id", sa.String(36), sa.ForeignKey("contracts.id"), nullable=False),
    sa.Column("team_id", sa.Text, nullable=False),
    sa.Column("contract_name", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("actor", sa.Text),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("details", sa.Text, nullable=False, server_default="{}"),
)
sa.Index("ix_events_contract", events.c.team_id, events.c.contract_name, events.c.id)

consumers = sa.Table(
    "contract_consumers",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("contract_id", sa.String(36), sa.ForeignKey("contracts.id"), nullable=False),
    sa.Column("consumer_agent", sa.Text, nullable=False),
    sa.Column("consumer_role", sa.Text),
    sa.Column("registered_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("contract_id", "consumer_agent", name="uq_consumer"),
)

# The compatibility mode and policy of a contract (all its versions); a
# contract without a row has the defaults (BACKWARD, lenient).
settings = sa.Table(
    "contract_settings",
    metadata,
    sa.Column("team_id", sa.Text, primary_key=True),
    sa.Column("contract_name", sa.Text, primary_key=True),
    sa.Column("mode", sa.String(32), nullable=False),
    sa.Column("policy", sa.String(16), nullable=False),
    sa.Column("updated_by", sa.Text),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

validations = sa.Table(
    "contract_validations",
    metadata,
    sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
    sa.Column("contract_id", sa.String(36), sa.ForeignKey("contracts.id"), nullable=False),
    sa.Column("team_id", sa.Text, nullable=False),
    sa.Column("contract_name", sa.Text, nullable=False),
    sa.Column("version", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("passed", sa.Boolean, nullable=False),
    sa.Column("errors", sa.Text, nullable=False),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("validated_at", UTCDateTime, nullable=False),
    # A key per check, so that a record written again from a journal is
    # stored once (NULL in records of schema version 2 and before).
    sa.Column("record_key", sa.String(32)),
    # Schema version 4: the outcome ("passed", "failed", "error"; NULL before:
    # read from passed), what the caller stored with the check (a JSON object,
    # or NULL) and the version's enforcement when it was checked.
    sa.Column("outcome", sa.String(16)),
    sa.Column("metadata", sa.Text),
    sa.Column("enforcement", sa.String(16)),
)
sa.Index("ix_validations_contract", validations.c.contract_id, validations.c.id)
sa.Index("ix_validations_subject", validations.c.subject, validations.c.id)
sa.Index("uq_validations_record_key", validations.c.record_key, unique=True)


async def _migrate_1_to_2(conn: Any) -> None:
    """Version 2 stores the compatibility check of each evolved version. New
    tables (``contract_settings``) are made by ``create_all`` before this runs;
    a column has to be added by hand."""
    await conn.execute(sa.text("ALTER TABLE contracts ADD COLUMN compatibility TEXT"))


async def _migrate_2_to_3(conn: Any) -> None:
    """Version 3 keys each validation record, so that one replayed from a
    journal is stored once."""
    await conn.execute(
        sa.text("ALTER TABLE contract_validations ADD COLUMN record_key VARCHAR(32)")
    )
    await conn.execute(
        sa.text(
            "CREATE UNIQUE INDEX uq_validations_record_key ON contract_validations (record_key)"
        )
    )


async def _migrate_3_to_4(conn: Any) -> None:
    """Version 4 keeps each version's enforcement (shadow versions) and, with
    each validation record, its outcome, metadata and enforcement. A column
    that is there already (a step that ran, then failed to record its
    version) is left as it is."""

    def columns(sync: Any, table: str) -> set[str]:
        return {column["name"] for column in sa.inspect(sync).get_columns(table)}

    have = await conn.run_sync(columns, "contracts")
    if "enforcement" not in have:
        await conn.execute(
            sa.text(
                "ALTER TABLE contracts ADD COLUMN enforcement VARCHAR(16) NOT NULL "
                "DEFAULT 'enforce'"
            )
        )
    have = await conn.run_sync(columns, "contract_validations")
    for name, kind in (
        ("outcome", "VARCHAR(16)"),
        ("metadata", "TEXT"),
        ("enforcement", "VARCHAR(16)"),
    ):
        if name not in have:
            await conn.execute(
                sa.text(f"ALTER TABLE contract_validations ADD COLUMN {name} {kind}")
            )


def migrations() -> dict[int, Any]:
    """Steps from schema version N to N+1, keyed by N: each an async function
    of the connection, run in the transaction that records the new version."""
    return {1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4}

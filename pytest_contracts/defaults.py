"""Each default of pytest-contracts, written once.

The plugin's options, the command line, the registry and the docs all read
them from here, so that a default cannot say one thing in one place and
another elsewhere.
"""

from __future__ import annotations

from pathlib import Path

#: The team whose contracts apply when none is named.
DEFAULT_TEAM = "default"

#: Where the registry lives when neither an option nor ``DATABASE_URL`` says,
#: relative to the project's root folder (the plugin) or the current folder
#: (the command line and the API).
DEFAULT_SQLITE_PATH = Path(".pytest_contracts") / "registry.db"

#: The Redis used with a real cache when no URL or ``REDIS_*`` variable says.
DEFAULT_REDIS_URL = "redis://localhost:6379/0"

#: The validation engines, and the one used when none is named.
ENGINES = ("jsonschema", "jsonschema-rs")
DEFAULT_ENGINE = "jsonschema"

#: Seconds one check (validating one output against one contract version)
#: may take before it is stopped and reported as an error; 0 or None: no limit.
CHECK_TIMEOUT = 10.0

#: The most subschemas a specification may apply once each ``$ref`` is
#: replaced by what it refers to (a reference back into a schema it is inside
#: counts once: recursion is bounded by the output's depth).
MAX_EXPANDED_SCHEMAS = 20_000

#: The largest recorded output, in bytes of its JSON text (0: no limit).
MAX_OUTPUT_BYTES = 16 * 1024 * 1024

#: Longest team id and contract name accepted: long enough for any real name,
#: short enough for PostgreSQL's index entries and readable Redis keys.
MAX_NAME_LENGTH = 200
MAX_VERSION_LENGTH = 64

#: The SDLC phases, in order, when ``contracts_phases`` does not say.
DEFAULT_PHASES = ("requirements", "design", "implementation", "testing", "deployment")

#: The largest contract file read, in bytes: a large real one (a schema with
#: hundreds of properties) is about 100 KB.
MAX_CONTRACT_FILE_BYTES = 4 * 1024 * 1024

#: The deepest nesting of arrays and objects a contract file may have: a real
#: schema is rarely ten levels deep, and every part of the registry that walks
#: a schema (checks, compatibility, validation) stays far within Python's stack.
MAX_CONTRACT_FILE_DEPTH = 100

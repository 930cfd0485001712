"""The pytest11 entry point of pytest-contracts.

It imports nothing heavy at load time: the registry, SQLAlchemy, redis and
jsonschema are imported only when a test asks for them, so a suite that uses
no contract pays nothing for the plugin being installed.
"""

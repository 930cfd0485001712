"""The contract registry, usable without pytest: nothing in this package
imports it.

- ``connections``: :class:`StateManager`, the database engine, the Redis
  cache and their health;
- ``backends``: SQLite and PostgreSQL as one strategy, everything that
  differs between them;
- ``tables``: the tables and their migrations; ``cache``: the cache in front
  of "which version is active"; ``counter``: the machine-wide counter that
  keeps fake caches coherent;
- ``manager``: :class:`ContractManager`, made of one class per subject:
  ``lifecycle``, ``decisions`` (breaks accepted or declared, enforcement),
  ``lookup``, ``compatibility``, ``consumers``, ``retention``, ``records``
  (validation records), ``runtime`` (checks at run time) and ``loading``
  (contract files), over ``base``, ``arguments`` (the
  checks of every argument) and ``rows`` (rows to records);
- ``versions``: what a version is, and their order; ``evolution``: whether a new version may follow
  the existing ones; ``files``: the contract-file format, read and written;
  ``loading``: planning and loading contract files; ``backup``: the backup
  format, backing up a team's registry and restoring it.

Import the public names from :mod:`pytest_contracts`; this package imports
nothing itself, so that using one of its modules costs only that module.
"""

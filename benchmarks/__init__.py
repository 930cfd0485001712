"""Benchmarks of pytest-contracts: ``python -m benchmarks [--quick] [--json PATH]``.

Every figure is measured in the same run as the raw building block it sits on
(a compiled validator, a Redis GET, an indexed SELECT, an INSERT+COMMIT, a
pytest session without the plugin) and is reported as a ratio, so the verdict
holds on a noisy machine. See ``docs_bench.md``.
"""

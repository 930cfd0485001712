"""``python -m benchmarks [--quick] [--json PATH] [--redis-url URL] [--database-url URL]``

Prints one table: each figure next to its raw building block, as a ratio, with
its target, PASS/MISS, and how it compares with the replaced system's quoted
numbers. ``--quick`` (CI) uses small sizes and few repetitions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ._report import Figure, table, write_json


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[2]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions (CI)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or None,
        help="a real Redis for the cache rows (default: REDIS_URL; rows skipped without)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="a PostgreSQL server (default: DATABASE_URL; rows skipped without). Only used to "
        "create and drop databases named bench_contracts_*",
    )
    parser.add_argument(
        "--only",
        metavar="SECTIONS",
        help="comma-separated section numbers to run (1-8), for profiling one part",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    database_url = args.database_url
    if database_url and not database_url.split(":", 1)[0].startswith("postgres"):
        print("--database-url is not PostgreSQL; the PostgreSQL rows are skipped", file=sys.stderr)
        database_url = None
    only = {int(part) for part in args.only.split(",")} if args.only else set(range(1, 9))
    folder = Path(tempfile.mkdtemp(prefix="pytest-contracts-bench-"))
    os.environ["PYTEST_CONTRACTS_COUNTER_DIR"] = str(folder / "counters")
    started = time.perf_counter()
    figures: list[Figure] = []
    try:
        from . import registry, runtime, scale, sessions, validation
        from ._backends import Servers

        if 1 in only:
            figures += validation.run(args.quick)
        if only & {2, 3, 5}:
            servers = Servers(folder, database_url, args.redis_url, [])

            async def registry_sections() -> list[Figure]:
                found: list[Figure] = []
                try:
                    if only & {2, 3}:
                        found += [
                            f for f in await registry.run(servers, args.quick) if f.section in only
                        ]
                    if 5 in only:
                        found += await scale.run(servers, args.quick)
                finally:
                    await servers.cleanup()
                return found

            figures += asyncio.run(registry_sections())
        if only & {4, 6, 7}:
            figures += [f for f in sessions.run(folder, args.quick) if f.section in only]
        if 6 in only:
            figures += validation.cache_bound(args.quick)
        if 8 in only:
            figures += asyncio.run(runtime.run(folder, args.quick))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    figures.sort(key=lambda f: f.section)
    seconds = time.perf_counter() - started
    mode = "quick" if args.quick else "full"
    print(f"pytest-contracts benchmarks ({mode}, {seconds:.0f} s, {os.cpu_count()} CPUs)")
    print(table(figures))
    if args.json is not None:
        write_json(args.json, figures, mode=mode, seconds=seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())

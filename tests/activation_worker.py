"""A separate process that activates versions of one contract.

Usage: python activation_worker.py '{"database_url": ..., "redis_url": ...,
"key_prefix": ..., "ids": [...], "count": N, "offset": K}'

It prints "ready" once connected, waits for a line on stdin so that every
worker starts at the same moment, activates ``count`` versions round-robin
from ``offset``, and prints a JSON line with what succeeded and what failed.
With ``"read_after": [team, name]`` it then waits for another line (sent when every
worker is done) and prints the id of the active version it is served.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from pytest_contracts import ContractManager, StateManager


async def main(options: dict[str, Any]) -> None:
    state = await StateManager.create(
        options["database_url"],
        redis_url=options.get("redis_url"),
        key_prefix=options["key_prefix"],
    )
    failures: list[str] = []
    done = 0
    try:
        cm = ContractManager(state)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        ids = options["ids"]
        for index in range(options["count"]):
            contract_id = ids[(options["offset"] + index) % len(ids)]
            try:
                await cm.activate_contract(contract_id, activated_by=f"worker-{options['offset']}")
                done += 1
            except Exception as exc:  # every failure is reported, none is hidden
                failures.append(f"{type(exc).__name__}: {exc}")
        print(json.dumps({"done": done, "failures": failures}), flush=True)
        if options.get("read_after"):
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
            active = await cm.get_active_contract(*options["read_after"])
            print(json.dumps({"active": None if active is None else active.id}), flush=True)
    finally:
        await state.close()


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))

"""The baseline of ``bench/ws_fanout.py``: the barest fan-out ``websockets`` can do.

A client's first frame names its group (``{"join": "g7"}``); every later frame of the form
``{"group": "g7", "body": …}`` is broadcast as it is to the group's members with
``websockets.broadcast``. No database, no authentication, no JSON schema: what a
WebSocket fan-out costs in Python on this machine, and nothing else.

    python -m bench.ws_broadcast_server PORT
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import defaultdict

from websockets.asyncio.server import ServerConnection, broadcast, serve

GROUPS: dict[str, set[ServerConnection]] = defaultdict(set)


async def handler(connection: ServerConnection) -> None:
    group: str | None = None
    try:
        async for text in connection:
            data = json.loads(text)
            if "join" in data:
                group = str(data["join"])
                GROUPS[group].add(connection)
                await connection.send('{"joined": true}')
            else:
                broadcast(GROUPS[str(data["group"])], text if isinstance(text, str) else "")
    finally:
        if group is not None:
            GROUPS[group].discard(connection)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=None):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))

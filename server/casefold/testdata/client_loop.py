#!/usr/bin/env python3
"""The classic asyncio casefold client in a loop: N sequential round trips,
each waiting for its reply before the next is sent (a closed loop), as fast
as loopback allows. A server that counts messages a second would cut it;
a server that paces its reader merely slows it down. It prints
"N round trips" and exits 0, or the close that ended it and exits 1.

usage: python3 client_loop.py ws://localhost:8080/ws/casefold 1000
"""
import asyncio
import sys

import websockets


async def main(url, n):
    async with websockets.connect(url) as ws:
        for i in range(n):
            await ws.send(f"Straße {i}")
            reply = await ws.recv()
            if reply != f"strasse {i}":
                print(f"round trip {i}: got {reply!r}")
                return 1
    print(f"{n} round trips")
    return 0


try:
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
except websockets.exceptions.ConnectionClosed as e:
    print(f"closed: {e.rcvd.code if e.rcvd else 1006} {e.rcvd.reason if e.rcvd else ''}")
    sys.exit(1)

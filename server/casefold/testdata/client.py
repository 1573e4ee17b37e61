#!/usr/bin/env python3
"""The classic asyncio casefold client, unchanged in spirit: it sends each
argument as a text frame and prints the reply. It uses only the stock
`websockets` library (Debian: python3-websockets), which shows that the
casefold lab speaks plain RFC 6455 text, nothing socketlab-specific.

usage: python3 client.py ws://localhost:8080/ws/casefold Straße ΣΑΣ
"""
import asyncio
import sys

import websockets


async def main(url, texts):
    async with websockets.connect(url) as ws:
        for text in texts:
            await ws.send(text)
            print(await ws.recv())


asyncio.run(main(sys.argv[1], sys.argv[2:]))

#!/usr/bin/env python3
# Vendored from the team's shared tools (shared/tools/latency-proxy.py) so the benchmark runs from a clean clone.
"""A TCP proxy on 127.0.0.1 that delays every chunk by D ms in each direction, so a loopback sshd looks
like a server one round trip of 2*D ms away (no netem on these machines).
usage: latency-proxy.py LISTEN_PORT [TARGET_HOST:]TARGET_PORT DELAY_MS   (runs until killed)"""
import asyncio, sys

LISTEN, DELAY = int(sys.argv[1]), float(sys.argv[3]) / 1000
TARGET_HOST, _, TARGET = sys.argv[2].rpartition(":")
TARGET_HOST, TARGET = TARGET_HOST or "127.0.0.1", int(TARGET)

async def pipe(reader, writer):
    q = asyncio.Queue()
    async def pump():
        while True:
            due, data = await q.get()
            now = asyncio.get_running_loop().time()
            if due > now:
                await asyncio.sleep(due - now)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        writer.close()
    task = asyncio.create_task(pump())
    try:
        while True:
            data = await reader.read(65536)
            q.put_nowait((asyncio.get_running_loop().time() + DELAY, data or None))
            if not data:
                break
    except ConnectionError:
        q.put_nowait((0, None))
    await task

async def handle(cr, cw):
    try:
        tr, tw = await asyncio.open_connection(TARGET_HOST, TARGET)
    except OSError:
        cw.close(); return
    await asyncio.gather(pipe(cr, tw), pipe(tr, cw), return_exceptions=True)

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN)
    async with server:
        await server.serve_forever()

asyncio.run(main())

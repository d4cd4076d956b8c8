#!/usr/bin/env python3
"""A TCP proxy that delays every chunk by a fixed time in each direction, keeping order and
never limiting throughput (each chunk is stamped when read and written when its time comes):
the delay `tc netem` would add, on a kernel without netem. Also pauses on request: while the
file named by --pause-file exists, nothing is forwarded (a stalled link, not a broken one).

Usage: delay-proxy.py LISTEN_HOST LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT DELAY_MS [--pause-file F]
"""
import argparse
import asyncio
import os
import time


async def pump(reader, writer, delay, pause_file):
    queue = asyncio.Queue()

    async def read():
        while True:
            data = await reader.read(65536)
            await queue.put((time.monotonic() + delay, data))
            if not data:
                return

    async def write():
        while True:
            due, data = await queue.get()
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            while pause_file and os.path.exists(pause_file):
                await asyncio.sleep(0.01)
            if not data:
                writer.close()
                return
            writer.write(data)
            await writer.drain()

    await asyncio.gather(read(), write(), return_exceptions=True)
    writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("upstream_host")
    ap.add_argument("upstream_port", type=int)
    ap.add_argument("delay_ms", type=float)
    ap.add_argument("--pause-file")
    a = ap.parse_args()
    delay = a.delay_ms / 1000

    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(a.upstream_host, a.upstream_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, up_writer, delay, a.pause_file), pump(up_reader, client_writer, delay, a.pause_file),
            return_exceptions=True)

    server = await asyncio.start_server(handle, a.host, a.port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())

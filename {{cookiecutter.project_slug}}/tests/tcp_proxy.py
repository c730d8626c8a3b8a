"""A TCP proxy on loopback that a test can cut (every connection closed) and
restore, or stall (nothing forwarded, every socket kept open) and resume."""

import asyncio
import contextlib


class TcpProxy:
    """forwards 127.0.0.1:port to 127.0.0.1:target, until cut or stalled"""

    def __init__(self, target):
        self.target = target
        self.port = None
        self.server = None
        self.writers = set()
        self.flowing = asyncio.Event()
        self.flowing.set()

    @property
    def address(self):
        """where clients connect: host:port"""
        return f'127.0.0.1:{self.port}'

    async def start(self):
        """listen (on the port of before, when restored)"""
        self.server = await asyncio.start_server(
            self.forward, '127.0.0.1', self.port or 0
        )
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def forward(self, reader, writer):
        """one connection: both ways to the target, until either side closes"""
        self.writers.add(writer)
        try:
            await self.flowing.wait()
            upstream_reader, upstream_writer = await asyncio.open_connection(
                '127.0.0.1', self.target
            )
        except OSError:
            self.writers.discard(writer)
            writer.close()
            return
        self.writers.add(upstream_writer)
        await asyncio.gather(
            self.pipe(reader, upstream_writer), self.pipe(upstream_reader, writer)
        )
        self.writers -= {writer, upstream_writer}

    async def pipe(self, reader, writer):
        """copy reader to writer until either end closes; hold what is read
        while stalled"""
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        writer.close()

    async def cut(self):
        """close every connection and refuse new ones"""
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        self.flowing.set()
        await self.server.wait_closed()

    async def restore(self):
        """accept connections again, on the same port"""
        await self.start()

    def stall(self):
        """forward nothing more, but keep every socket open and accept new
        ones: a peer that stopped answering"""
        self.flowing.clear()

    def resume(self):
        """forward again, what was held first"""
        self.flowing.set()

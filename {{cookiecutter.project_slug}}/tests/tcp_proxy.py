""" A TCP proxy on loopback that a test can cut (every connection closed) and restore. """
import asyncio
import contextlib


async def pipe(reader, writer):
    """ copy reader to writer until either end closes """
    with contextlib.suppress(OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


class TcpProxy:
    """ forwards 127.0.0.1:port to 127.0.0.1:target, until cut """

    def __init__(self, target):
        self.target = target
        self.port = None
        self.server = None
        self.writers = set()

    @property
    def url(self):
        """ the Redis URL through the proxy (database 0) """
        return f'redis://127.0.0.1:{self.port}/0'

    async def start(self):
        """ listen (on the port of before, when restored) """
        self.server = await asyncio.start_server(
            self.forward, '127.0.0.1', self.port or 0
        )
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def forward(self, reader, writer):
        """ one connection: both ways to the target, until either side closes """
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                '127.0.0.1', self.target
            )
        except OSError:
            writer.close()
            return
        links = {writer, upstream_writer}
        self.writers |= links
        await asyncio.gather(
            pipe(reader, upstream_writer), pipe(upstream_reader, writer)
        )
        self.writers -= links

    async def cut(self):
        """ close every connection and refuse new ones """
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def restore(self):
        """ accept connections again, on the same port """
        await self.start()

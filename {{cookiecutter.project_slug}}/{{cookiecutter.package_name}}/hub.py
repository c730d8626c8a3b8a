"""Fan-out: every message published here reaches every client of this process.

A message is encoded once, as JSON and as a websocket frame. The frames
published during one turn of the event loop are joined and written to each
client's socket in one write, so a busy room costs one system call per client
per turn, not one per message, while each message stays a frame of its own.
A client that went away is dropped and never stops the others from receiving.
A published message goes through the broker (broker.py, or redis_broker.py
with Redis), which hands it to the hub of every process that should deliver it.
"""

import asyncio
import struct

from tornado.ioloop import PeriodicCallback

from .broker import MemoryBroker
from .protocol import encode

TEXT_FRAME = 0x81  # FIN and the text opcode
PING_FRAME = b'\x89\x00'  # FIN, the ping opcode, no payload


def websocket_frame(text):
    """text as one unmasked websocket text frame (server to client, RFC 6455)"""
    payload = text.encode('utf-8')
    size = len(payload)
    if size < 126:
        header = struct.pack('!BB', TEXT_FRAME, size)
    elif size < 65536:
        header = struct.pack('!BBH', TEXT_FRAME, 126, size)
    else:
        header = struct.pack('!BBQ', TEXT_FRAME, 127, size)
    return header + payload


class Hub:
    """the clients connected to this process"""

    def __init__(self, broker=None, ping_interval=25.0):
        self.clients = set()
        self.pending = []
        self.flushing = None
        self.broker = broker or MemoryBroker()
        self.broker.attach(self)
        self.ping_interval = ping_interval
        self.pinger = None

    async def start(self):
        """start the broker (with Redis: subscribe), before clients connect"""
        await self.broker.start()

    async def close(self):
        """let go of the broker, once the clients are gone"""
        await self.broker.close()

    def join(self, client):
        """start delivering to client (and pinging, with the first one)"""
        self.clients.add(client)
        if self.pinger is None and self.ping_interval:
            self.pinger = PeriodicCallback(self.ping, self.ping_interval * 1000)
            self.pinger.start()

    def ping(self):
        """one timer for the room: close who did not answer the last ping, ping the rest

        Tornado's own websocket_ping_interval runs a task per connection; one
        sweep over the room costs a few bytes per connection instead.
        """
        for client in list(self.clients):
            if not client.keepalive(PING_FRAME):
                self.leave(client)

    def leave(self, client):
        """stop delivering to client"""
        self.clients.discard(client)

    def publish(self, message):
        """send message (a dict) to every client, through the broker"""
        self.broker.publish(encode(message))

    def deliver(self, text):
        """queue one encoded message for every client, written at the end of this turn"""
        self.pending.append(text)
        if self.flushing is None:
            self.flushing = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self):
        """write the queued frames to every client in one write each"""
        texts, self.pending, self.flushing = self.pending, [], None
        data = b''.join(websocket_frame(text) for text in texts)
        for client in list(self.clients):
            if not client.deliver(data, texts):
                self.leave(client)

    def close_all(self, code, reason):
        """close every client's connection, e.g. when the server stops"""
        if self.pinger is not None:
            self.pinger.stop()
        for client in list(self.clients):
            client.close(code, reason)

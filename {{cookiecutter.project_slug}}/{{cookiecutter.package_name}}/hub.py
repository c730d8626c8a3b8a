"""Fan-out: every message published in a room reaches its members in this process.

A message is encoded once, as JSON and as a websocket frame. The frames
published in a room during one turn of the event loop are joined and written
to each member's socket in one write, so a busy room costs one system call per
member per turn, not one per message, while each message stays a frame of its
own. A client that went away is dropped and never stops the others from
receiving. A published message goes through the broker (broker.py, or
redis_broker.py with Redis), which hands it to the hub of every process that
should deliver it. The hub also knows who is in each room (presence) in this
process, and tells a room's members when someone joins or leaves.
"""

import asyncio
import struct

from tornado.ioloop import PeriodicCallback

from .broker import MemoryBroker
from .protocol import DEFAULT_ROOM, notification

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
    """the clients connected to this process, and the rooms they are in"""

    def __init__(self, broker=None, ping_interval=25.0):
        self.clients = set()
        self.rooms = {}  # room -> {client: the name it is in the room under}
        self.pending = {}  # room (None: every client) -> texts to write this turn
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

    def connect(self, client):
        """a client connected (pinged from now on; the first one starts the timer)"""
        self.clients.add(client)
        if self.pinger is None and self.ping_interval:
            self.pinger = PeriodicCallback(self.ping, self.ping_interval * 1000)
            self.pinger.start()

    def ping(self):
        """one timer for everyone: close who did not answer the last ping, ping the rest

        Tornado's own websocket_ping_interval runs a task per connection; one
        sweep costs a few bytes per connection instead.
        """
        for client in list(self.clients):
            if not client.keepalive(PING_FRAME):
                self.disconnect(client)

    def disconnect(self, client):
        """a client went away: it leaves every room it was in"""
        self.clients.discard(client)
        for room in [room for room, members in self.rooms.items() if client in members]:
            self.leave(room, client)

    def members(self, room):
        """the distinct names of the people in room, sorted"""
        return sorted(set(self.rooms.get(room, {}).values()))

    def room_list(self):
        """every room with people in it (and the default room), with how many"""
        rooms = {DEFAULT_ROOM: 0}
        rooms.update((room, len(self.members(room))) for room in self.rooms)
        return [{'room': room, 'members': rooms[room]} for room in sorted(rooms)]

    def join(self, room, client, name):
        """client joins room under name; its members are told; the members"""
        members = self.rooms.setdefault(room, {})
        new_name = name not in members.values()
        members[client] = name
        names = self.members(room)
        if new_name:
            self.tell(room, {'room': room, 'members': names, 'joined': name})
        return names

    def leave(self, room, client):
        """client leaves room; its members are told when a name is gone"""
        members = self.rooms.get(room, {})
        name = members.pop(client, None)
        if not members:
            self.rooms.pop(room, None)
        if name is not None and name not in members.values():
            self.tell(room, {'room': room, 'members': self.members(room), 'left': name})

    def tell(self, room, presence):
        """a presence notification to the room's members"""
        self.deliver(room, notification('presence', presence))

    def typing(self, room, sender, name):
        """tell the room's other members that name is typing"""
        text = notification('typing', {'room': room, 'name': name})
        for client in list(self.rooms.get(room, ())):
            if client is not sender:
                client.send_frame(text)

    def publish(self, room, message):
        """send message (a dict) to the members of room in every process"""
        self.broker.publish(room, notification('message', message))

    def deliver(self, room, text):
        """queue one encoded notification for the members of room (None: for
        every client), written at the end of this turn"""
        self.pending.setdefault(room, []).append(text)
        if self.flushing is None:
            self.flushing = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self):
        """write each room's queued frames to its members in one write each"""
        pending, self.pending, self.flushing = self.pending, {}, None
        for room, texts in pending.items():
            data = b''.join(websocket_frame(text) for text in texts)
            everyone = self.clients if room is None else self.rooms.get(room, ())
            for client in list(everyone):
                if not client.deliver(room, data, texts):
                    self.disconnect(client)

    def close_all(self, code, reason):
        """close every client's connection, e.g. when the server stops"""
        if self.pinger is not None:
            self.pinger.stop()
        for client in list(self.clients):
            client.close(code, reason)

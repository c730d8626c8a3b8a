"""Fan-out: every message published in a room reaches its members in this process.

A message is encoded once, as JSON and as a websocket frame. The frames
published in a room during one turn of the event loop are joined and written
to each member's socket in one write, so a busy room costs one system call per
member per turn, not one per message, while each message stays a frame of its
own. A client that went away is dropped and never stops the others from
receiving. A published message goes through the broker (broker.py, or
redis/broker.py with Redis), which hands it to the hub of every process that
should deliver it.

The hub also keeps who is in each room (``presence.py``), here and, through
the broker, in the other processes, and tells a room's members who arrived
and left, in one notification per room at most every PRESENCE_EVERY seconds:
a thousand people connecting at once cost each member a few notifications,
not a thousand. A notification lists the names (and who came and went) only
in a room of at most ``presence.MEMBERS_LISTED`` people; a bigger one is told
how many there are.
"""

import asyncio
import struct
from collections.abc import Collection
from typing import Final, Protocol

from tornado.ioloop import PeriodicCallback

from .broker import Broker, MemoryBroker
from .presence import Client, Presence, RoomCount
from .protocol import DEFAULT_ROOM, ChatMessage, SendKey, notification, unseen

TEXT_FRAME: Final = 0x81  # FIN and the text opcode
PING_FRAME: Final = b'\x89\x00'  # FIN, the ping opcode, no payload
PRESENCE_EVERY: Final = 0.25  # s between two presence notifications of a room, at least


class Keeper(Protocol):
    """what keeps the messages other processes said (Hub.keepers): the
    history (history.History), the answers of the sends (methods.Sends)"""

    def keep(self, message: ChatMessage, key: SendKey | None, /) -> None:
        """another process said message, for the send of key (None: unknown)"""


def websocket_frame(text: str) -> bytes:
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


def catch_up_with(
    room: str | None, client: Client, behind: dict[Client, int], texts: list[str]
) -> bool:
    """deliver to client, which is behind in room (see Presence.catch_up), the
    texts its join did not answer (only its frames are read); False when gone"""
    kept, newer = unseen(texts, behind[client])
    if newer:
        del behind[client]
    if not kept:
        return True
    return client.deliver(room, b''.join(websocket_frame(t) for t in kept), kept)


# one per process, holding its clients, rooms, output and their three timers
class Hub:  # pylint: disable=too-many-instance-attributes
    """the clients connected to this process, and the rooms they are in"""

    def __init__(
        self, broker: Broker | None = None, ping_interval: float = 25.0
    ) -> None:
        """broker carries messages between processes"""
        self.clients: set[Client] = set()
        self.presence = Presence()
        self.rooms = self.presence.rooms  # room name -> presence.Room, here
        # the timer of the next presence notifications
        self.telling: asyncio.TimerHandle | None = None
        # room (None: every client) -> texts to write this turn
        self.pending: dict[str | None, list[str]] = {}
        self.flushing: asyncio.Handle | None = None
        self.broker: Broker = broker or MemoryBroker()
        self.broker.attach(self)
        # what keeps the messages other processes said: the history, the sends
        self.keepers: tuple[Keeper, ...] = ()
        self.ping_interval = ping_interval
        self.pinger: PeriodicCallback | None = None

    async def start(self) -> None:
        """start the broker (with Redis: subscribe), before clients connect"""
        await self.broker.start()

    async def close(self) -> None:
        """let go of the broker, once the clients are gone"""
        await self.broker.close()

    def connect(self, client: Client) -> None:
        """a client connected (pinged from now on; the first one starts the timer)"""
        self.clients.add(client)
        if self.pinger is None and self.ping_interval:
            self.pinger = PeriodicCallback(self.ping, self.ping_interval * 1000)
            self.pinger.start()

    def ping(self) -> None:
        """one timer for everyone: close who did not answer the last ping, ping the rest

        Tornado's own websocket_ping_interval runs a task per connection; one
        sweep costs a few bytes per connection instead.
        """
        for client in list(self.clients):
            if not client.keepalive(PING_FRAME):
                self.disconnect(client)

    def disconnect(self, client: Client) -> None:
        """a client went away: it leaves every room it was in"""
        self.clients.discard(client)
        for room in list(client.rooms):
            self.leave(room, client)

    def members(self, room: str) -> tuple[list[str], int]:
        """(the names of the people in room anywhere, sorted, when at most
        MEMBERS_LISTED; how many people are in it)"""
        return self.presence.members(room)

    def room_list(self) -> list[RoomCount]:
        """every room with people in it (and the default room), with how many"""
        return self.presence.room_list(DEFAULT_ROOM)

    def join(self, room: str, client: Client, name: str) -> None:
        """client joins room under name; its members are told (soon)"""
        if self.presence.add(room, client, name):
            self.tell_soon()

    def leave(self, room: str, client: Client) -> None:
        """client leaves room; its members are told (soon) when a name is gone"""
        if self.presence.remove(room, client):
            self.tell_soon()

    def elsewhere(self, process: str, room: str, names: Collection[str]) -> None:
        """another process has (only) names in room now"""
        if self.presence.report(process, room, names):
            self.tell_soon()

    def gone(self, process: str) -> None:
        """another process is gone, and its people with it"""
        if self.presence.forget(process):
            self.tell_soon()

    def tell_soon(self) -> None:
        """tell the rooms' news in PRESENCE_EVERY seconds, unless that is planned"""
        if self.telling is None:
            loop = asyncio.get_running_loop()
            self.telling = loop.call_later(PRESENCE_EVERY, self.tell)

    def tell(self) -> None:
        """share what changed here with the other processes; one presence
        notification to the members here of each room that changed"""
        self.telling = None
        for room, names in self.presence.shares():
            self.broker.share_presence(room, names)
        for room, params in self.presence.news():
            self.deliver(room, notification('presence', params))

    def typing(self, room: str, sender: Client, name: str) -> None:
        """tell the room's other members, in every process, that name is typing"""
        self.tell_typing(room, name, sender)
        self.broker.share_typing(room, name)

    def tell_typing(self, room: str, name: str, sender: Client | None = None) -> None:
        """tell the room's members here but sender that name is typing"""
        found = self.rooms.get(room)
        if found is None:
            return
        text = notification('typing', {'room': room, 'name': name})
        for client in list(found.clients):
            if client is not sender:
                client.send_frame(text)

    def publish(
        self, room: str, message: ChatMessage, key: SendKey | None = None
    ) -> None:
        """send message (a dict) to the members of room in every process; key:
        its send's (sender, client_id)"""
        self.broker.publish(room, notification('message', message), key)

    def heard(self, message: ChatMessage, key: SendKey | None) -> None:
        """another process said message (for the send of key): keep it"""
        for keeper in self.keepers:
            keeper.keep(message, key)

    def deliver(self, room: str | None, text: str) -> None:
        """queue one encoded notification for the members of room (None: for
        every client), written at the end of this turn"""
        self.pending.setdefault(room, []).append(text)
        if self.flushing is None:
            self.flushing = asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """write each room's queued frames to its members in one write each"""
        pending, self.pending, self.flushing = self.pending, {}, None
        for room, texts in pending.items():
            data = b''.join(websocket_frame(text) for text in texts)
            # None (every client) is no room's name: get() finds nothing for it
            found = self.rooms.get(room)  # type: ignore[arg-type]
            everyone = self.clients if room is None else found.clients if found else ()
            behind = found.behind if found else None
            for client in list(everyone):
                if behind and client in behind:
                    sent = catch_up_with(room, client, behind, texts)
                else:
                    sent = client.deliver(room, data, texts)
                if not sent:
                    self.disconnect(client)

    def close_all(self, code: int, reason: str) -> None:
        """close every client's connection, e.g. when the server stops"""
        if self.pinger is not None:
            self.pinger.stop()
        if self.telling is not None:
            self.telling.cancel()
        for client in list(self.clients):
            client.close(code, reason)

"""What the chat asks of a history: keep a message, give a room's recent ones,
what a returning client missed, and older ones to scroll back to.

With a database the history is ``store.Store``; without one it is
``MemoryHistory``, which keeps each room's last messages in this process.
"""

import bisect
import collections
import time
from collections.abc import Callable
from typing import Final, Protocol

from .protocol import DEFAULT_ROOM, ChatMessage, SendKey, chat_message

KEPT: Final = 100  # messages each room keeps in memory without a database
SHOWN: Final = 50  # of which a join gets at most, as --history with a database


class Unavailable(Exception):
    """what keeps the chat's data could not be used just now; the text says why"""


class History(Protocol):
    """what the chat asks of a history (MemoryHistory, or store.Store); a
    history that cannot be used just now raises Unavailable"""

    async def add(
        self, name: str, text: str, ts: float, room: str = DEFAULT_ROOM
    ) -> ChatMessage:
        """keep a message said in room; returns it as clients receive it, with its id"""

    def keep(self, message: ChatMessage, key: SendKey | None = None, /) -> None:
        """keep a message another server process said (for the send of key)"""

    async def recent(self, room: str = DEFAULT_ROOM) -> list[ChatMessage]:
        """the room's recent messages, oldest first"""

    async def after(self, room: str, after_id: int) -> tuple[list[ChatMessage], bool]:
        """(the room's messages newer than after_id, oldest first; whether some
        are left out)"""

    async def before(self, room: str, before_id: int, limit: int) -> list[ChatMessage]:
        """the (at most limit) messages of room just older than before_id"""


class MemoryHistory:
    """each room's last `size` messages, in this process's memory

    Ids are the microseconds since the epoch at which a message was said, made
    to increase by one at least: they keep their order across a restart of the
    server, so a client that comes back after one asks for what is newer than
    what it has and gets no duplicates (what was said before the restart is
    gone).
    """

    def __init__(
        self,
        size: int = KEPT,
        shown: int = SHOWN,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self.size = size
        self.shown = shown
        self.clock = clock
        # room -> its messages, oldest first
        self.rooms: dict[str, collections.deque[ChatMessage]] = {}
        self.last_id = 0

    async def add(
        self, name: str, text: str, ts: float, room: str = DEFAULT_ROOM
    ) -> ChatMessage:
        """keep a message said in room; returns it as clients receive it"""
        self.last_id = max(self.last_id + 1, self.clock() // 1000)
        message = chat_message(self.last_id, room, name, text, ts)
        self.kept(room).append(message)
        return message

    def kept(self, room: str) -> collections.deque[ChatMessage]:
        """the deque of room's messages"""
        kept = self.rooms.get(room)
        if kept is None:
            kept = self.rooms[room] = collections.deque(maxlen=self.size)
        return kept

    def keep(self, message: ChatMessage, _key: SendKey | None = None) -> None:
        """keep a message another server process said (the broker brings it),
        in the order of the ids; one kept already is not kept twice"""
        kept = self.kept(message['room'])
        self.last_id = max(self.last_id, message['id'])
        if not kept or message['id'] > kept[-1]['id']:
            kept.append(message)
            return
        ids = [held['id'] for held in kept]
        low = bisect.bisect_left(ids, message['id'])
        place = bisect.bisect_right(ids, message['id'])
        if message in list(kept)[low:place]:
            return  # held already
        if len(kept) == self.size:
            if not place:
                return  # older than all that is held
            kept.popleft()
            place -= 1
        kept.insert(place, message)

    async def recent(self, room: str = DEFAULT_ROOM) -> list[ChatMessage]:
        """the room's last `shown` messages, oldest first"""
        return list(self.rooms.get(room, ()))[-self.shown :]

    async def after(self, room: str, after_id: int) -> tuple[list[ChatMessage], bool]:
        """(the room's messages newer than after_id, oldest first, the newest
        `shown` at most; whether some are left out: more than that, or older
        ones than memory holds)"""
        kept = self.rooms.get(room, ())
        messages = [message for message in kept if message['id'] > after_id]
        missing = len(messages) == len(kept) == self.size
        return messages[-self.shown :], missing or len(messages) > self.shown

    async def before(self, room: str, before_id: int, limit: int) -> list[ChatMessage]:
        """the (at most limit) messages of room just older than before_id"""
        older = [m for m in self.rooms.get(room, ()) if m['id'] < before_id]
        return older[-limit:]

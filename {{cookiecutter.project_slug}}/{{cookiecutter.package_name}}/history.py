"""What the chat asks of a history: keep a message, give a room's recent ones,
what a returning client missed, and older ones to scroll back to.

With a database the history is ``store.Store``; without one it is
``MemoryHistory``, which keeps each room's last messages in this process.
"""

import bisect
import collections
import time

from .protocol import DEFAULT_ROOM, chat_message

KEPT = 100  # messages each room keeps in memory without a database
SHOWN = 50  # of which a join gets at most, as --history with a database


class Unavailable(Exception):
    """what keeps the chat's data could not be used just now; the text says why"""


class MemoryHistory:
    """each room's last `size` messages, in this process's memory

    Ids are the microseconds since the epoch at which a message was said, made
    to increase by one at least: they keep their order across a restart of the
    server, so a client that comes back after one asks for what is newer than
    what it has and gets no duplicates (what was said before the restart is
    gone).
    """

    def __init__(self, size=KEPT, shown=SHOWN, clock=time.time_ns):
        self.size = size
        self.shown = shown
        self.clock = clock
        self.rooms = {}  # room -> deque of messages, oldest first
        self.last_id = 0

    async def add(self, name, text, ts, room=DEFAULT_ROOM):
        """keep a message said in room; returns it as clients receive it"""
        self.last_id = max(self.last_id + 1, self.clock() // 1000)
        message = chat_message(self.last_id, room, name, text, ts)
        self.kept(room).append(message)
        return message

    def kept(self, room):
        """the deque of room's messages"""
        kept = self.rooms.get(room)
        if kept is None:
            kept = self.rooms[room] = collections.deque(maxlen=self.size)
        return kept

    def keep(self, message, _key=None):
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

    async def recent(self, room=DEFAULT_ROOM):
        """the room's last `shown` messages, oldest first"""
        return list(self.rooms.get(room, ()))[-self.shown :]

    async def after(self, room, after_id):
        """(the room's messages newer than after_id, oldest first, the newest
        `shown` at most; whether some are left out: more than that, or older
        ones than memory holds)"""
        kept = self.rooms.get(room, ())
        messages = [message for message in kept if message['id'] > after_id]
        missing = len(messages) == len(kept) == self.size
        return messages[-self.shown :], missing or len(messages) > self.shown

    async def before(self, room, before_id, limit):
        """the (at most limit) messages of room just older than before_id"""
        older = [m for m in self.rooms.get(room, ()) if m['id'] < before_id]
        return older[-limit:]

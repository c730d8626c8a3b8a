"""The Redis broker: news travels through a Redis Stream between server processes.

The news is what the clients publish, who is in each room, and who is typing
(``entries.py``); which processes live is kept beside the stream
(``presence.py``). Every process appends its news to one Redis Stream (its key
is ``--redis_key``, in the database of ``--redis_url``), which keeps about
the last MAX_LENGTH entries, and every process reads the stream from the
last entry it delivered. Each process delivers what it reads back, its own
frames too, so all of them deliver in the stream's one order; one that lost
Redis for a while resumes where it stopped and misses nothing the stream
still holds.

The frames queued during a turn of the event loop go to Redis in one round
trip (a pipeline of XADDs), and each XREAD batch reaches the hub in one turn.
Each entry carries the sending broker's ``origin`` and ``seq`` (1, 2, ...):
a batch sent again after its reply was lost is delivered once. What the
stream carries is checked as what a browser sends is: an entry that is not
news of this chat is dropped, logged the first time (then at the
10th, 100th, ... such entry), and the broker goes on.

When Redis goes away the broker logs it, tells the local clients (a
``status`` frame), keeps what is published meanwhile (the batch in hand and
up to max_queue more, the oldest dropped first) and retries with backoff;
when Redis is back it says so, sends what waited and delivers what it missed.

Every process reads the whole stream: a room's messages reach the clients
its members have in this process, and the hub's keepers (``Hub.heard``):
without a database the history this process keeps of the room
(``history.MemoryHistory.keep``), so that a client joining here gets what was
said through the other processes too; and the answers of the sends
(``methods.Sends.keep``), so that a send tried again here after a reconnect
is said once. A process that starts keeps the messages the stream holds
(the last MAX_LENGTH), and delivers what comes after them.
"""

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Final, TypeAlias, TypeVar, TypeVarTuple, Unpack, cast

import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.typing import EncodableT, FieldT

from ..broker import Receiver
from ..protocol import BadMessage, SendKey, notification
from .entries import (
    Entry,
    Fields,
    MessageEntry,
    News,
    StreamEntry,
    entry_news,
    read_presence,
)
from .presence import PRESENCE_TIMEOUT, Liveness, PresenceKeys

log = logging.getLogger(__name__)

MAX_BACKOFF: Final = 1.0  # seconds between attempts, at most, while Redis is away
MAX_LENGTH: Final = 10000  # entries the stream keeps, about
BATCH: Final = 500  # frames appended in one round trip, entries read in one XREAD
BLOCK: Final = 1000  # milliseconds an XREAD waits for new entries
GOODBYE: Final = 1.0  # seconds a stopping process gives its last word to Redis
BROKER_DOWN: Final = notification(
    'status',
    {
        'status': 'reconnecting',
        'detail': 'the chat lost its message broker; messages wait until it is back',
    },
)
BROKER_UP: Final = notification(
    'status', {'status': 'ok', 'detail': 'the chat is back to normal'}
)


# what XREAD answers (bytes: the client does not decode what Redis answers):
# [[the stream's key, its entries]], or none when nothing came
ReadReply: TypeAlias = list[tuple[bytes, list[StreamEntry]]]
Result = TypeVar('Result')
Args = TypeVarTuple('Args')


def is_power_of_ten(number: int) -> bool:
    """1, 10, 100, ...: when a count is worth a log line"""
    return str(number).rstrip('0') == '1'


class Outbox:
    """the entries waiting to go to the stream (their fields), numbered in the
    order they came"""

    def __init__(self, max_queue: int) -> None:
        self.queue: asyncio.Queue[Entry] = asyncio.Queue(max_queue)
        self.origin = uuid.uuid4().hex  # this broker, in the entries it writes
        self.sequence = 0  # the seq of the last frame taken

    def put(self, item: Entry) -> None:
        """queue an entry's own fields; the oldest goes when full"""
        if self.queue.full():
            self.queue.get_nowait()
            log.warning('the broker queue is full: the oldest entry was dropped')
        self.queue.put_nowait(item)

    async def next_batch(self) -> list[tuple[int, Entry]]:
        """the queued entries (up to BATCH, waiting for one), each with its seq"""
        items = [await self.queue.get()]
        while len(items) < BATCH and not self.queue.empty():
            items.append(self.queue.get_nowait())
        first = self.sequence + 1
        self.sequence += len(items)
        return list(enumerate(items, first))

    def fields(self, seq: int, item: Entry) -> dict[FieldT, EncodableT]:
        """the fields of the stream entry of one queued item"""
        # an entry's fields are all text: mypy takes a TypedDict's values for
        # objects when it is unpacked (no cast: this runs for every message)
        return {'origin': self.origin, 'seq': seq, **item}  # type: ignore[dict-item]


class Cursor:
    """where a reader is in the stream, and which of its entries it delivers

    Chat messages of this chat, each once; a bad entry is counted and logged
    the first time, then at the 10th, the 100th, ...
    """

    def __init__(self, max_text: int) -> None:
        self.max_text = max_text
        self.position = b'0-0'  # the id of the last entry read (0-0: none yet)
        self.placed = asyncio.Event()  # set once the position is known
        self.seen: dict[str, int] = {}  # origin: the last seq delivered
        self.dropped = 0

    def place(self, position: bytes) -> None:
        """read on after the entry of id position"""
        self.position = position
        self.placed.set()

    def news(self, entries: list[StreamEntry]) -> list[tuple[str, News]]:
        """the (origin, news) of entries read after the position, each once
        (see entries.entry_news); moves on"""
        found: list[tuple[str, News]] = []
        for entry_id, fields in entries:
            self.position = entry_id
            news = self.accepted(fields)
            if news is not None:
                found.append(news)
        return found

    def accepted(self, fields: Fields) -> tuple[str, News] | None:
        """the (origin, news) of an entry, or None for one seen before or a bad one"""
        try:
            origin, seq, news = entry_news(fields, self.max_text)
        except BadMessage as error:
            self.drop(error)
            return None
        if seq <= self.seen.get(origin, 0):
            return None
        self.seen[origin] = seq
        return origin, news

    def drop(self, error: BadMessage) -> None:
        """count a bad entry; log the first one, the 10th, the 100th, ..."""
        self.dropped += 1
        if is_power_of_ten(self.dropped):
            log.warning(
                'bad entries from redis dropped so far: %d; the latest: %s',
                self.dropped,
                error,
            )


# the broker of one process: its queue, its place in the stream, who else lives
class RedisBroker:  # pylint: disable=too-many-instance-attributes
    """many processes: messages and presence travel through a Redis Stream"""

    hub: Receiver  # set by attach()

    def __init__(  # pylint: disable=too-many-arguments
        self,
        url: str,
        key: str,
        max_queue: int = 10000,
        max_text: int = 2000,
        *,
        timeout: float = PRESENCE_TIMEOUT,
    ) -> None:
        """Redis at url, the stream at key; timeout: the seconds after which a
        process that stopped beating is taken for dead"""
        # one quick retry replaces a pooled connection that Redis closed
        self.redis = redis.asyncio.from_url(url, retry=Retry(NoBackoff(), 1))
        self.key = key
        self.outbox = Outbox(max_queue)
        self.cursor = Cursor(max_text)
        self.keys = PresenceKeys(key, self.outbox.origin, timeout)
        self.liveness = Liveness(timeout)
        # room -> the JSON array of the names this process has in it
        self.shared: dict[str, str] = {}
        self.down = False
        self.tasks: list[asyncio.Task[None]] = []

    def attach(self, hub: Receiver) -> None:
        """deliver to this hub"""
        self.hub = hub

    async def start(self, wait: float = 5.0) -> None:
        """start reading, sending and beating; wait a while for Redis, then go on anyway"""
        self.tasks = [
            asyncio.create_task(self.listen()),
            asyncio.create_task(self.send()),
            asyncio.create_task(self.beat()),
        ]
        try:
            await asyncio.wait_for(self.cursor.placed.wait(), wait)
        except TimeoutError:
            log.error('redis is not there yet: the chat starts without it')

    def publish(self, _room: str, text: str, key: SendKey | None = None) -> None:
        """queue an encoded message for every process (its room is in it), with
        the key of its send ((kind, who), client_id); the oldest goes when full"""
        item: MessageEntry = {'frame': text}
        if key is not None:
            (kind, who), client_id = key
            item['sent_by'] = json.dumps([kind, who, client_id])
        self.outbox.put(item)

    def share_presence(self, room: str, names: list[str]) -> None:
        """this process has (only) names in room now: tell the others"""
        encoded = json.dumps(names)
        if names:
            self.shared[room] = encoded
        else:
            self.shared.pop(room, None)
        self.outbox.put({'kind': 'presence', 'room': room, 'names': encoded})

    def share_typing(self, room: str, name: str) -> None:
        """name is typing in room: tell the others (not later: while Redis is
        away it is dropped)"""
        if not self.down:
            self.outbox.put({'kind': 'typing', 'room': room, 'name': name})

    async def send(self) -> None:
        """append the queued entries to the stream in order, a batch at a time

        Only once the listener knows where the stream ends, so that this
        process reads back all it sends.
        """
        await self.cursor.placed.wait()
        while True:
            batch = await self.outbox.next_batch()
            await self.keep_trying(self.append, batch)

    async def append(self, batch: list[tuple[int, Entry]]) -> None:
        """add a batch of (seq, entry) to the stream, in one round trip; the
        names of a presence entry also go to this process's hash"""
        async with self.redis.pipeline(transaction=False) as pipe:
            for seq, item in batch:
                if 'names' in item:  # a presence entry
                    self.keys.keep(pipe, item['room'], self.shared.get(item['room']))
                fields = self.outbox.fields(seq, item)
                pipe.xadd(self.key, fields, maxlen=MAX_LENGTH, approximate=True)
            await pipe.execute()

    async def listen(self) -> None:
        """deliver what the stream carries, from the end it had when this began
        (the messages it held then are kept, not delivered; and who the living
        processes had in their rooms then)"""
        entries = await self.keep_trying(self.recent)
        position = entries[-1][0] if entries else b'0-0'
        self.remember(entries)
        for origin, room, names in await self.keep_trying(self.others):
            self.hear(origin, ('presence', room, names))
        self.cursor.place(position)
        while True:
            for origin, news in self.cursor.news(await self.keep_trying(self.read)):
                if origin != self.outbox.origin:
                    self.hear(origin, news)
                elif news[0] == 'message':
                    self.hub.deliver(news[1], news[2])

    def remember(self, entries: list[StreamEntry]) -> None:
        """keep, not deliver, the messages of entries said before this process
        began (a bad entry was logged by those who read it then)"""
        for _, fields in entries:
            try:
                _, _, news = entry_news(fields, self.cursor.max_text)
            except BadMessage:
                continue
            if news[0] == 'message':
                self.hub.heard(news[3], news[4])

    def hear(self, origin: str, news: News) -> None:
        """act on news from another process"""
        # news[0] each time: mypy tells the kind of news by it, not by a copy
        if news[0] == 'message':
            _, room, frame, message, key = news
            self.hub.heard(message, key)
            self.hub.deliver(room, frame)
        elif news[0] == 'presence':
            self.liveness.seen(origin)
            self.hub.elsewhere(origin, news[1], news[2])
        elif news[0] == 'typing':
            self.hub.tell_typing(news[1], news[2])
        else:  # gone
            self.liveness.forget(origin)
            self.hub.gone(origin)

    async def others(self) -> list[tuple[str, str, list[str]]]:
        """(origin, room, names) of what the living processes have in rooms"""
        found: list[tuple[str, str, list[str]]] = []
        for origin, rooms in await self.keys.others(self.redis):
            for field, value in rooms.items():
                try:
                    _, room, names = read_presence(
                        {b'room': field, b'names': value}, None
                    )
                except BadMessage as error:
                    self.cursor.drop(error)
                    continue
                found.append((origin, room, names))
        return found

    async def beat(self) -> None:
        """every timeout / 4 s: this process lives and keeps its names; the
        people of a process that stopped beating leave"""
        await self.cursor.placed.wait()
        while True:
            alive = await self.keep_trying(self.keys.beat, self.redis, self.shared)
            for origin in alive:
                self.liveness.seen(origin)
            for origin in self.liveness.dead():
                log.warning(
                    'server process %s stopped beating: its people left', origin
                )
                self.hub.gone(origin)
            await asyncio.sleep(self.liveness.timeout / 4)

    async def recent(self) -> list[StreamEntry]:
        """the stream's last entries (all it keeps), oldest first"""
        # bytes: the client does not decode what Redis answers
        entries = cast(
            list[StreamEntry], await self.redis.xrevrange(self.key, count=MAX_LENGTH)
        )
        return entries[::-1]

    async def read(self) -> list[StreamEntry]:
        """the entries after the position (waiting a while for some)"""
        # redis-py types the answer as any of XREAD's (RESP2 or 3, with or
        # without decoding): ignored, not cast, as this runs for every read
        reply: ReadReply = await self.redis.xread(  # type: ignore[assignment]
            {self.key: self.cursor.position}, count=BATCH, block=BLOCK
        )
        return reply[0][1] if reply else []

    async def keep_trying(
        self,
        attempt: Callable[[Unpack[Args]], Awaitable[Result]],
        *args: Unpack[Args],  # noqa: UP044 (axblack cannot parse *Args)
    ) -> Result:
        """what ``attempt(*args)`` returns, trying again with backoff while Redis is away"""
        backoff = 0.1
        while True:
            try:
                result = await attempt(*args)
            except (RedisError, OSError) as error:
                self.lost(error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            else:
                self.found()
                return result

    def found(self) -> None:
        """Redis answered: say so if it had been away"""
        if self.down:
            self.down = False
            log.info('redis is back')
            # the others could not beat either: each gets timeout seconds from now
            self.liveness.refresh()
            self.hub.deliver(None, BROKER_UP)

    def lost(self, error: RedisError | OSError) -> None:
        """Redis went away: log it once and tell the clients"""
        if not self.down:
            self.down = True
            log.error('redis went away: %s', error)
            self.hub.deliver(None, BROKER_DOWN)

    async def close(self) -> None:
        """stop reading and sending; tell the others this process is gone"""
        await self.stop_tasks()
        if self.tasks and not self.down:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                await asyncio.wait_for(self.goodbye(), GOODBYE)
        await self.redis.aclose()

    async def stop_tasks(self) -> None:
        """stop reading, sending and beating (and wait until they have stopped)"""
        # redis-py can swallow a cancellation that comes mid-command: ask again
        while running := [task for task in self.tasks if not task.done()]:
            for task in running:
                task.cancel()
            await asyncio.wait(running, timeout=0.1)

    async def goodbye(self) -> None:
        """the last word: a gone entry on the stream, and this process's keys away"""
        gone = self.outbox.fields(self.outbox.sequence + 1, {'kind': 'gone'})
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(self.key, gone, maxlen=MAX_LENGTH, approximate=True)
            self.keys.leave(pipe)
            await pipe.execute()

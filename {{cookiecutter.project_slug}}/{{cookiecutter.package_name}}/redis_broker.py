"""The Redis broker: frames travel through a Redis Stream between server processes.

Every process appends what its clients publish to one Redis Stream (its key
is ``--redis_key``, in the database of ``--redis_url``), which keeps about
the last MAX_LENGTH entries, and every process reads the stream from the
last entry it delivered. Each process delivers what it reads back, its own
frames too, so all of them deliver in the stream's one order; one that lost
Redis for a while resumes where it stopped and misses nothing the stream
still holds. A process begins after the stream's last entry when it starts.

The frames queued during a turn of the event loop go to Redis in one round
trip (a pipeline of XADDs), and each XREAD batch reaches the hub in one turn.
Each entry carries the sending broker's ``origin`` and ``seq`` (1, 2, ...):
a batch sent again after its reply was lost is delivered once. What the
stream carries is checked as what a browser sends is: an entry that is not a
chat message of this chat is dropped, logged the first time (then at the
10th, 100th, ... such entry), and the broker goes on.

When Redis goes away the broker logs it, tells the local clients (a
``status`` frame), keeps what is published meanwhile (the batch in hand and
up to max_queue more, the oldest dropped first) and retries with backoff;
when Redis is back it says so, sends what waited and delivers what it missed.
"""

import asyncio
import logging
import uuid

import redis.asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .protocol import (
    ROOM_NAME,
    BadMessage,
    RpcError,
    is_integer,
    message_text,
    name_param,
    notification,
    parse_frame,
)

log = logging.getLogger(__name__)

MAX_BACKOFF = 1.0  # seconds between attempts, at most, while Redis is away
MAX_LENGTH = 10000  # entries the stream keeps, about
BATCH = 500  # frames appended in one round trip, entries read in one XREAD
BLOCK = 1000  # milliseconds an XREAD waits for new entries
BROKER_DOWN = notification(
    'status',
    {
        'status': 'reconnecting',
        'detail': 'the chat lost its message broker; messages wait until it is back',
    },
)
BROKER_UP = notification(
    'status', {'status': 'ok', 'detail': 'the chat is back to normal'}
)


def entry_frame(fields, max_text):
    """the (origin, seq, room, frame) of a stream entry's fields, or raise BadMessage"""
    try:
        origin = fields[b'origin'].decode('ascii')
        seq = int(fields[b'seq'])
        frame = fields[b'frame'].decode('utf-8')
    except (KeyError, ValueError) as error:
        raise BadMessage(f'not an entry of this chat ({error!r})') from error
    return origin, seq, message_room(frame, max_text), frame


def message_room(frame, max_text):
    """the room of frame, a message notification as this server sends them, or
    raise BadMessage"""
    try:
        value = parse_frame(frame)
        if not isinstance(value, dict) or value.get('method') != 'message':
            raise BadMessage('not a chat message: no method "message"')
        message = value.get('params')
        if not isinstance(message, dict):
            raise BadMessage('not a chat message: no params')
        name_param(message)
        message_text(message, max_text)
    except RpcError as error:
        raise BadMessage(f'not a chat message: {error.message}') from error
    room = message.get('room')
    if not isinstance(room, str) or not ROOM_NAME.fullmatch(room):
        raise BadMessage('not a chat message: no room')
    if not is_number(message.get('ts')) or not is_integer(message.get('id')):
        raise BadMessage('not a chat message: no time or no id')
    return room


def is_number(value):
    """an int or a float (not a bool)"""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_power_of_ten(number):
    """1, 10, 100, ...: when a count is worth a log line"""
    return str(number).rstrip('0') == '1'


class Outbox:
    """the frames waiting to go to the stream, numbered in the order they came"""

    def __init__(self, max_queue):
        self.queue = asyncio.Queue(max_queue)
        self.origin = uuid.uuid4().hex  # this broker, in the entries it writes
        self.sequence = 0  # the seq of the last frame taken

    def put(self, text):
        """queue a frame; the oldest goes when full"""
        if self.queue.full():
            self.queue.get_nowait()
            log.warning('the broker queue is full: the oldest message was dropped')
        self.queue.put_nowait(text)

    async def next_batch(self):
        """the queued frames (up to BATCH, waiting for one), each with its seq"""
        texts = [await self.queue.get()]
        while len(texts) < BATCH and not self.queue.empty():
            texts.append(self.queue.get_nowait())
        first = self.sequence + 1
        self.sequence += len(texts)
        return list(enumerate(texts, first))

    def fields(self, seq, text):
        """the fields of the stream entry of one frame"""
        return {'origin': self.origin, 'seq': seq, 'frame': text}


class Cursor:
    """where a reader is in the stream, and which of its entries it delivers

    Chat messages of this chat, each once; a bad entry is counted and logged
    the first time, then at the 10th, the 100th, ...
    """

    def __init__(self, max_text):
        self.max_text = max_text
        self.position = None  # the id of the last entry read
        self.placed = asyncio.Event()  # set once the position is known
        self.seen = {}  # origin: the last seq delivered
        self.dropped = 0

    def place(self, position):
        """read on after the entry of id position"""
        self.position = position
        self.placed.set()

    def frames(self, entries):
        """the (room, frame) to deliver of entries read after the position; moves on"""
        frames = []
        for entry_id, fields in entries:
            self.position = entry_id
            frame = self.accepted(fields)
            if frame is not None:
                frames.append(frame)
        return frames

    def accepted(self, fields):
        """the (room, frame) of an entry, or None for one seen before or a bad one"""
        try:
            origin, seq, room, frame = entry_frame(fields, self.max_text)
        except BadMessage as error:
            self.drop(error)
            return None
        if seq <= self.seen.get(origin, 0):
            return None
        self.seen[origin] = seq
        return room, frame

    def drop(self, error):
        """count a bad entry; log the first one, the 10th, the 100th, ..."""
        self.dropped += 1
        if is_power_of_ten(self.dropped):
            log.warning(
                'bad entries from redis dropped so far: %d; the latest: %s',
                self.dropped,
                error,
            )


class RedisBroker:
    """many processes: frames travel through a Redis Stream"""

    hub = None

    def __init__(self, url, key, max_queue=10000, max_text=2000):
        # one quick retry replaces a pooled connection that Redis closed
        self.redis = redis.asyncio.from_url(url, retry=Retry(NoBackoff(), 1))
        self.key = key
        self.outbox = Outbox(max_queue)
        self.cursor = Cursor(max_text)
        self.down = False
        self.tasks = []

    def attach(self, hub):
        """deliver to this hub"""
        self.hub = hub

    async def start(self, wait=5.0):
        """start reading and sending; wait a while for Redis, then go on anyway"""
        self.tasks = [
            asyncio.create_task(self.listen()),
            asyncio.create_task(self.send()),
        ]
        try:
            await asyncio.wait_for(self.cursor.placed.wait(), wait)
        except TimeoutError:
            log.error('redis is not there yet: the chat starts without it')

    def publish(self, _room, text):
        """queue an encoded message for every process (its room is in it); the
        oldest goes when full"""
        self.outbox.put(text)

    async def send(self):
        """append the queued frames to the stream in order, a batch at a time

        Only once the listener knows where the stream ends, so that this
        process reads back all it sends.
        """
        await self.cursor.placed.wait()
        while True:
            batch = await self.outbox.next_batch()
            await self.keep_trying(self.append, batch)

    async def append(self, batch):
        """add a batch of (seq, frame) to the stream, in one round trip"""
        async with self.redis.pipeline(transaction=False) as pipe:
            for seq, text in batch:
                fields = self.outbox.fields(seq, text)
                pipe.xadd(self.key, fields, maxlen=MAX_LENGTH, approximate=True)
            await pipe.execute()

    async def listen(self):
        """deliver what the stream carries, from the end it had when this began"""
        self.cursor.place(await self.keep_trying(self.stream_end))
        while True:
            for room, frame in self.cursor.frames(await self.keep_trying(self.read)):
                self.hub.deliver(room, frame)

    async def stream_end(self):
        """the id of the stream's last entry (0-0 for none)"""
        last = await self.redis.xrevrange(self.key, count=1)
        return last[0][0] if last else b'0-0'

    async def read(self):
        """the entries after the position (waiting a while for some)"""
        reply = await self.redis.xread(
            {self.key: self.cursor.position}, count=BATCH, block=BLOCK
        )
        return reply[0][1] if reply else []

    async def keep_trying(self, attempt, *args):
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

    def found(self):
        """Redis answered: say so if it had been away"""
        if self.down:
            self.down = False
            log.info('redis is back')
            self.hub.deliver(None, BROKER_UP)

    def lost(self, error):
        """Redis went away: log it once and tell the clients"""
        if not self.down:
            self.down = True
            log.error('redis went away: %s', error)
            self.hub.deliver(None, BROKER_DOWN)

    async def close(self):
        """stop reading and sending"""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.redis.aclose()

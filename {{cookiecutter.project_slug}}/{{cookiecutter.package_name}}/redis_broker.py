""" The Redis broker: frames travel through a Redis channel between server processes.

It publishes each frame on a Redis channel that every server process
subscribes to, so clients of different processes (or machines) chat with one
another. When Redis goes away the broker logs it, tells the local clients
(a ``status`` frame), keeps what is published meanwhile (the frame in hand and
up to max_queue more) and reconnects with backoff; when Redis is back it says
so and sends what waited.
"""
import asyncio
import logging

import redis.asyncio
from redis.exceptions import RedisError

from .protocol import encode

log = logging.getLogger(__name__)

MAX_BACKOFF = 5.0
BROKER_DOWN = {
    'type': 'status',
    'status': 'reconnecting',
    'detail': 'the chat lost its message broker; messages wait until it is back',
}
BROKER_UP = {'type': 'status', 'status': 'ok', 'detail': 'the chat is back to normal'}


class RedisBroker:
    """ many processes: frames travel through a Redis channel """

    hub = None

    def __init__(self, url, channel='chat', max_queue=10000):
        self.redis = redis.asyncio.from_url(url)
        self.channel = channel
        self.queue = asyncio.Queue(max_queue)
        self.connected = asyncio.Event()
        self.down = False
        self.tasks = []

    def attach(self, hub):
        """ deliver to this hub """
        self.hub = hub

    async def start(self, wait=5.0):
        """ subscribe and start sending; wait a while for Redis, then go on anyway """
        self.tasks = [
            asyncio.create_task(self.listen()),
            asyncio.create_task(self.send()),
        ]
        try:
            await asyncio.wait_for(self.connected.wait(), wait)
        except asyncio.TimeoutError:
            log.error('redis is not there yet: the chat starts without it')

    def publish(self, text):
        """ queue an encoded message for every process; the oldest goes when full """
        if self.queue.full():
            self.queue.get_nowait()
            log.warning('the broker queue is full: the oldest message was dropped')
        self.queue.put_nowait(text)

    async def send(self):
        """ publish the queued frames in order, waiting while Redis is away """
        while True:
            text = await self.queue.get()
            while True:
                await self.connected.wait()
                try:
                    await self.redis.publish(self.channel, text)
                    break
                except (RedisError, OSError) as error:
                    self.lost(error)

    async def listen(self):
        """ deliver what the channel carries; on failure, back off and resubscribe """
        backoff = 0.1
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self.found()
                backoff = 0.1
                while True:
                    message = await pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=None
                    )
                    if message is not None:
                        self.hub.deliver(message['data'].decode('utf-8'))
            except (RedisError, OSError) as error:
                self.lost(error)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            finally:
                await pubsub.aclose()

    def found(self):
        """ subscribed: say so if Redis had been away """
        self.connected.set()
        if self.down:
            self.down = False
            log.info('redis is back')
            self.hub.deliver(encode(BROKER_UP))

    def lost(self, error):
        """ Redis went away: log it once and tell the clients """
        self.connected.clear()
        if not self.down:
            self.down = True
            log.error('redis went away: %s', error)
            self.hub.deliver(encode(BROKER_DOWN))

    async def close(self):
        """ stop listening and sending """
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.redis.aclose()

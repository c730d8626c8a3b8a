"""Which server processes of the chat live, and who is in their rooms, in Redis.

Every process beats: every timeout / 4 seconds it puts the time into a
sorted set (``<key>:processes``, origin -> time of its last beat) and keeps
the names it has in each room in a hash of its own (``<key>:members:<origin>``,
room -> JSON array of names), which expires when the process stops beating
for timeout seconds. What changes between beats travels as presence entries
on the stream (``entries.py``), each written with its hash field in one
round trip. A process that starts reads the hashes of the living ones; one
that has not beaten for timeout seconds (a crash, a lost network) is taken
for dead, and the others' members forget its people. A process that stops
cleanly says so on the stream, and its people leave at once.

The times are the processes' clocks: the machines of one chat keep them in
step (NTP) to well within the timeout.
"""

import time
from collections.abc import Callable
from typing import Final, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.typing import EncodableT, FieldT

PRESENCE_TIMEOUT: Final = 20.0  # seconds without a beat after which a process is dead


class Liveness:
    """when each other process was last known to live, by this process's clock"""

    def __init__(
        self, timeout: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.timeout = timeout
        self.clock = clock
        self.last: dict[str, float] = {}  # origin -> when it was last known to live

    def seen(self, origin: str) -> None:
        """origin lives now"""
        self.last[origin] = self.clock()

    def forget(self, origin: str) -> None:
        """origin said it is gone"""
        self.last.pop(origin, None)

    def refresh(self) -> None:
        """every process known lives now (none could be seen meanwhile)"""
        now = self.clock()
        for origin in self.last:
            self.last[origin] = now

    def dead(self) -> list[str]:
        """the processes not known to live for timeout seconds; forgotten now"""
        now = self.clock()
        dead = [
            origin for origin, last in self.last.items() if now - last > self.timeout
        ]
        for origin in dead:
            del self.last[origin]
        return dead


class PresenceKeys:
    """the Redis keys of the processes of the chat whose stream is key"""

    def __init__(self, key: str, origin: str, timeout: float) -> None:
        self.key = key
        self.origin = origin
        self.timeout = timeout  # seconds without a beat after which a process is dead
        self.processes = f'{key}:processes'
        self.members = self.members_of(origin)

    def members_of(self, origin: str) -> str:
        """the hash of the names origin has in each room"""
        return f'{self.key}:members:{origin}'

    def keep(self, pipe: Pipeline, room: str, names: str | None) -> None:
        """in pipe: this process has names (a JSON array; None: nobody) in room"""
        if names is None:
            pipe.hdel(self.members, room)
        else:
            pipe.hset(self.members, room, names)

    async def beat(self, redis: Redis, names: dict[str, str]) -> list[str]:
        """this process lives, and has names (room -> JSON array) in rooms: the
        other living processes"""
        now = time.time()
        async with redis.pipeline(transaction=False) as pipe:
            pipe.zadd(self.processes, {self.origin: now})
            pipe.expire(self.members, int(self.timeout) + 1)
            pipe.zrangebyscore(self.processes, now - self.timeout, '+inf')
            # the long dead leave the set
            pipe.zremrangebyscore(self.processes, '-inf', now - 10 * self.timeout)
            _, kept, alive, _ = await pipe.execute()
        if names and not kept:
            # Redis lost them (a restart): write them again
            async with redis.pipeline(transaction=False) as pipe:
                # a dict of str is a mapping redis-py takes, though typed with
                # a union of keys (and a Mapping's keys are invariant)
                pipe.hset(self.members, mapping=cast(dict[FieldT, EncodableT], names))
                pipe.expire(self.members, int(self.timeout) + 1)
                await pipe.execute()
        others = (origin.decode() for origin in alive)
        return [origin for origin in others if origin != self.origin]

    async def others(self, redis: Redis) -> list[tuple[str, dict[bytes, bytes]]]:
        """(origin, {room: names as bytes}) of every other living process"""
        since = time.time() - self.timeout
        # bytes: the client does not decode what Redis answers
        alive = cast(
            list[bytes], await redis.zrangebyscore(self.processes, since, '+inf')
        )
        others = [origin.decode() for origin in alive]
        return [
            (
                origin,
                cast(dict[bytes, bytes], await redis.hgetall(self.members_of(origin))),
            )
            for origin in others
            if origin != self.origin
        ]

    def leave(self, pipe: Pipeline) -> None:
        """in pipe: this process stops, its keys go"""
        pipe.zrem(self.processes, self.origin)
        pipe.delete(self.members)

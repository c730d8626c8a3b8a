"""One generator process: connect its share of the clients, send, count.

The parent (``python -m loadtest``) starts the workers and talks to each over a
pipe: a worker answers ``('connected', ...)`` once its clients are in (with
how many are in each room), waits for a plan of times (``time.monotonic()``
seconds, one clock for every process), sends until the window ends, answers
``('sent', per_room)`` (the messages each room took: sent, less those the server
refused), is told how many each room took in all, waits for their deliveries to
its clients (at most ``drain`` seconds) and answers ``('result', ...)``.

Client n of all (worker after worker) is in room n modulo the number of rooms:
``general``, ``room-1``, ... Each client sends to its own room, so a message is
delivered to the clients of that room only.
"""

import asyncio
import resource
import time
from collections.abc import MutableSequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import Any, TypeAlias

from .wsclient import MESSAGE, Client, Tally, Target

# what a worker hands in (a JSON-ready dict; report.summarize reads it)
Result: TypeAlias = dict[str, Any]

FILES_SPARE = 200  # open files a process needs beyond one per connection
PROGRESS_EVERY = 0.25  # s between updates of the counts the parent shows
CONNECT_AT_ONCE = 32  # handshakes in flight per worker (the listen backlog is 128)
CONNECT_TIMEOUT = 20.0
DRAIN_CHECK = 0.05  # s between looks at the count while draining
ACK_TIMEOUT = 1.0  # rate max: messages unacknowledged this long are given up
MOST_IN_FLIGHT = 10_000  # rate max: a bound on the messages in flight


@dataclass
class Load:
    """what is sent: for a whole run, or (scaled) for one worker"""

    clients: int  # connections
    rate: float  # messages/s sent in all; 0 = max (a closed loop)
    size: int = 100  # characters of text in each message
    per_client: float = 10.0  # most messages/s one client sends (0 = no limit)
    latency: float = 0.25  # rate max: s an ack may take before sending slows
    offset: float = 0.0  # s a fixed-rate schedule starts after the plan's start
    rooms: int = 1  # the clients are spread over general, room-1, ... in turn

    def part(self, clients: int, senders: int) -> 'Load':
        """this load as carried by clients of the senders' connections"""
        return replace(self, clients=clients, rate=self.rate * clients / senders)


@dataclass
class Share:  # pylint: disable=too-many-instance-attributes
    """what one worker does (a plain record, handed to its process)"""

    worker: int  # its number, written into every message it sends
    target: Target  # where to connect
    load: Load  # its part of the load
    probe: bool  # its clients record latencies (worker 0 only)
    sends: bool  # its clients send (all but the probes', unless they are all)
    drain: float  # longest wait, after the window, for the last frames
    # loopback source addresses to spread its clients over
    sources: tuple[str, ...] = ()
    first: int = 0  # the number of its first client among all: sets their rooms


@dataclass
class Sending:
    """the state of one worker's sending"""

    count: int = 0  # messages sent
    in_window: int = 0  # messages sent inside the measured window
    given_up: int = 0  # rate max: messages no ack came back for
    progress: float = 0.0  # when a message was last sent or acknowledged
    # each client's last send time
    last: list[float] = field(default_factory=list)
    # messages sent to each room
    rooms: list[int] = field(default_factory=list)
    # and inside the window
    rooms_window: list[int] = field(default_factory=list)


class Flight:
    """rate max: how many messages may be in flight, set by the ack latency

    Like TCP's congestion window: one more per ack that comes back within the
    target (so it doubles every round trip at first, then grows by one), and
    halved, at most once a round trip, when one comes back later than that.
    """

    def __init__(self, target: float) -> None:
        self.target = target
        self.size = 2.0
        self.slow_start = True
        self.cut_at = 0.0

    def acked(self, latency: float, now: float) -> None:
        """adjust the size to one ack's latency (s)"""
        if latency <= self.target:
            grow = 1.0 if self.slow_start else 1.0 / self.size
            self.size = min(MOST_IN_FLIGHT, self.size + grow)
        elif now - self.cut_at > latency:
            self.size = max(1.0, self.size / 2)
            self.slow_start = False
            self.cut_at = now


def check_nofile(connections: int, hard: int) -> None:
    """RuntimeError, saying what to do, when hard open files are too few"""
    needed = connections + FILES_SPARE
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise RuntimeError(
            f'{connections} connections need about {needed} open files, but the '
            f'hard limit is {hard}: raise it (as root: `ulimit -Hn {needed}` in the '
            'shell that runs this, LimitNOFILE= for a systemd service, nofile in '
            '/etc/security/limits.conf, --ulimit nofile= for docker), or load fewer '
            'clients'
        )


def raise_nofile(connections: int = 0) -> None:
    """raise the soft open-files limit to the hard one (N = 10 000 needs it)

    A server this process starts inherits the raised limit.
    """
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    check_nofile(connections, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(
    conn: Connection, share: Share, progress: MutableSequence[int] | None = None
) -> None:
    """the worker process's entry point"""
    raise_nofile(share.load.clients)
    asyncio.run(Worker(share, progress).main(conn))


async def sleep_until(when: float) -> None:
    """sleep until time.monotonic() reaches when"""
    await asyncio.sleep(max(0.0, when - time.monotonic()))


async def answer(conn: Connection) -> Any:
    """the parent's next message, without blocking the event loop"""
    return await asyncio.get_running_loop().run_in_executor(None, conn.recv)


class Worker:
    """the clients of one process and their sending"""

    def __init__(
        self, share: Share, progress: MutableSequence[int] | None = None
    ) -> None:
        self.share = share
        # [clients connected, messages received]: read by the parent each second
        self.progress: MutableSequence[int] = [0, 0] if progress is None else progress
        rooms = share.load.rooms
        self.tally = Tally(str(share.worker).encode(), rooms)
        self.tally.on_ack = self.acked
        self.clients: list[Client] = []
        self.sending = Sending(rooms=[0] * rooms, rooms_window=[0] * rooms)
        self.flight = Flight(share.load.latency)
        self.wakeup: asyncio.Future[None] | None = None

    async def main(self, conn: Connection) -> None:
        """connect, report, wait for the plan, run it, report the result"""
        failed, error = await self.connect()
        conn.send(('connected', len(self.clients), failed, error, self.in_rooms()))
        plan = await answer(conn)
        conn.send(('result', await self.run_plan(conn, *plan)))
        for client in self.clients:
            client.close()
        await asyncio.sleep(0.2)

    async def connect(self) -> tuple[int, str]:
        """open this worker's connections (each joins its room), a few at a time"""
        gate = asyncio.Semaphore(CONNECT_AT_ONCE)
        results = await asyncio.gather(
            *(self.connect_one(gate, n) for n in range(self.share.load.clients))
        )
        self.clients = [client for client in results if isinstance(client, Client)]
        errors = [repr(error) for error in results if not isinstance(error, Client)]
        self.sending.last = [0.0] * len(self.clients)
        return len(errors), (errors[0] if errors else '')

    def in_rooms(self) -> list[int]:
        """how many of its clients are in each room"""
        counts = [0] * self.share.load.rooms
        for client in self.clients:
            counts[client.room] += 1
        return counts

    def room(self, number: int) -> int:
        """the room of this worker's client number: all clients in turn"""
        return (self.share.first + number) % self.share.load.rooms

    def source(self, number: int) -> tuple[str, int] | None:
        """the (address, port) client number binds to before connecting, or None

        Each source address has its own ports: spread over several, many
        clients cannot run short of them.
        """
        sources = self.share.sources
        return (sources[number % len(sources)], 0) if sources else None

    async def connect_one(
        self, gate: asyncio.Semaphore, number: int
    ) -> Client | BaseException:
        """one connection, joined, or the error that stopped it (then it is closed)"""
        share = self.share
        target = share.target
        name = f'lt{share.worker}-{number}'
        loop = asyncio.get_running_loop()
        async with gate:
            try:
                _, client = await loop.create_connection(
                    lambda: Client(
                        self.tally, target, self.room(number), name, share.probe
                    ),
                    target.host,
                    target.port,
                    local_addr=self.source(number),
                )
            except OSError as error:
                return error
            try:
                await asyncio.wait_for(client.opened, CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as error:
                client.transport.close()
                return error
        self.progress[0] += 1
        return client

    async def count_received(self) -> None:
        """keep the parent's copy of the messages received up to date"""
        while True:
            self.progress[1] = self.tally.counts[MESSAGE]
            await asyncio.sleep(PROGRESS_EVERY)

    async def run_plan(
        self, conn: Connection, start: float, window_start: float, window_end: float
    ) -> Result:
        """send from start to window_end; count inside the window; drain"""
        tally = self.tally
        before = tally.counts[MESSAGE]
        if self.share.probe:
            tally.window = (int(window_start * 1e9), int(window_end * 1e9))
        sender = asyncio.create_task(self.send_until(start, window_start, window_end))
        if not self.share.sends:
            sender.cancel()
        counter = asyncio.create_task(self.count_received())
        window_counts, cpu = await self.window(window_start, window_end)
        await asyncio.gather(sender, return_exceptions=True)
        conn.send(('sent', self.taken()))
        await self.drain(before + self.deliveries(await answer(conn)))
        counter.cancel()
        return self.result(window_counts, cpu, tally.counts[MESSAGE] - before)

    async def window(self, start: float, end: float) -> tuple[list[int], float]:
        """the frames counted from start to end, by kind, and the CPU time spent"""
        await sleep_until(start)
        counts = list(self.tally.counts)
        cpu = time.process_time()
        await sleep_until(end)
        cpu = time.process_time() - cpu
        return (
            [now - then for now, then in zip(self.tally.counts, counts, strict=True)],
            cpu,
        )

    def taken(self) -> list[int]:
        """the messages each room took from this worker: sent, less refused"""
        return [
            sent - refused
            for sent, refused in zip(
                self.sending.rooms, self.tally.refused, strict=True
            )
        ]

    def deliveries(self, per_room: list[int]) -> int:
        """the deliveries to this worker's clients of per_room messages sent to
        each room: each message reaches every client of its room"""
        return sum(
            sent * clients
            for sent, clients in zip(per_room, self.in_rooms(), strict=True)
        )

    def result(self, window_counts: list[int], cpu: float, received: int) -> Result:
        """what the worker hands in"""
        tally = self.tally
        sending = self.sending
        sends = self.share.sends
        in_rooms = self.in_rooms()
        return {
            'worker': self.share.worker,
            'connected': len(self.clients),
            'connected_rooms': in_rooms,
            'sent': sending.count,
            'sent_rooms': sending.rooms,
            'sent_window': sending.in_window,
            'sent_window_rooms': sending.rooms_window,
            'refused_rooms': tally.refused,
            'window_counts': window_counts,
            'received': received,
            'latencies_ns': tally.latencies,
            'cpu_s': cpu,
            'closed': tally.closed,
            'senders': len(self.clients) if sends else 0,
            'given_up': sending.given_up,
            'in_flight': int(self.flight.size) if sends else 0,
            'probe_rooms': sum(map(bool, in_rooms)) if self.share.probe else 0,
        }

    async def send_until(self, start: float, window_start: float, end: float) -> None:
        """send at the share's rate (or as acks allow) from start until end"""
        await sleep_until(start)
        clients = self.clients
        sending = self.sending
        gap = 1 / self.share.load.per_client if self.share.load.per_client else 0.0
        index = 0
        sending.progress = start
        while clients and (now := time.monotonic()) < end:
            wait = self.wait_before_next(now, start)
            if wait <= 0:  # due, but not before this client may send again
                wait = sending.last[index] + gap - now
            if wait > 0:
                await self.pause(min(wait, end - now))
                continue
            sending.last[index] = now
            sending.progress = now
            client = clients[index]
            client.send(self.text())
            sending.count += 1
            sending.rooms[client.room] += 1
            if now >= window_start:
                sending.in_window += 1
                sending.rooms_window[client.room] += 1
            index = (index + 1) % len(clients)
            if sending.count % 32 == 0:
                await asyncio.sleep(0)

    def wait_before_next(self, now: float, start: float) -> float:
        """seconds until the next message is due (0 or less: send it now)"""
        load = self.share.load
        sending = self.sending
        if load.rate:
            return start + load.offset + sending.count / load.rate - now
        pending = self.tally.pending
        if len(pending) < int(self.flight.size):
            return 0
        if now - sending.progress > ACK_TIMEOUT:
            sending.given_up += len(pending)
            pending.clear()
            return 0
        return ACK_TIMEOUT

    def text(self) -> str:
        """the stamped text of one message, padded to size characters"""
        stamp = f'L{self.share.worker}.{time.monotonic_ns()}.'
        return stamp + 'x' * (self.share.load.size - len(stamp))

    async def pause(self, seconds: float) -> None:
        """wait seconds, or until an ack comes back"""
        loop = asyncio.get_running_loop()
        self.wakeup = loop.create_future()
        timer = loop.call_later(max(seconds, 0.0005), self.wake)
        try:
            await self.wakeup
        finally:
            timer.cancel()
            self.wakeup = None

    def acked(self, latency: float) -> None:
        """the server answered a message of ours, latency seconds after sending"""
        now = time.monotonic()
        self.sending.progress = now
        self.flight.acked(latency, now)
        self.wake()

    def wake(self) -> None:
        """end a pause (an ack came back, or its time is up)"""
        if self.wakeup is not None and not self.wakeup.done():
            self.wakeup.set_result(None)

    async def drain(self, target: int) -> None:
        """wait until target messages have arrived, or share.drain seconds"""
        deadline = time.monotonic() + self.share.drain
        while self.tally.counts[MESSAGE] < target and time.monotonic() < deadline:
            await asyncio.sleep(DRAIN_CHECK)

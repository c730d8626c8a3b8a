"""One measured run: N clients in worker processes against one server.

The timeline: connect every client (the server's RSS before and after gives the
memory of an idle connection), settle, then all workers start sending at the
same instant; a warm-up later the measured window opens; when it closes the
senders stop, the last frames drain in, and the workers hand in their counts.
"""

import ipaddress
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from typing import Any, TypeAlias

from . import worker
from .server import cpu_seconds, rss_kb
from .wsclient import Target

# when the clients start sending, the window opens, the window closes
# (time.monotonic() seconds)
Plan: TypeAlias = tuple[float, float, float]
# what the parent reads of the server (a JSON-ready dict): rss_start_kb, rss_idle_kb,
# rss_peak_kb (KB), settle_s, cpu_s (s); None when not measured
Readings: TypeAlias = dict[str, Any]

SETTLE = 1.0  # s at least between the last connection and the idle RSS reading
SETTLE_MOST = 30.0  # s at most to wait for the server to go quiet after connecting
QUIET_CPU = 0.05  # the server is quiet below this share of a core
START_DELAY = 0.3  # s between the plan and the first message
RSS_EVERY = 0.2  # s between RSS readings during the window
ANSWER_SLACK = 30.0  # s a worker may be late before the run is abandoned
JOIN_TIMEOUT = 5.0  # s a worker may take to end after the run, before it is stopped
PROGRESS_EVERY = 1.0  # s between progress lines
PORT_RANGE = '/proc/sys/net/ipv4/ip_local_port_range'
MOST_SOURCES = 250  # source addresses at most: 127.0.0.1 to 127.0.0.250


@dataclass
class Timing:
    """how long each phase of a run lasts, in seconds"""

    duration: float = 10.0  # the measured window
    warmup: float = 1.0  # sending before the window opens
    drain: float = 5.0  # longest wait for the last frames after it closes


@dataclass
class Spread:
    """how the clients are spread over generator processes"""

    workers: int = 2  # processes for the bulk of the clients
    probes: int = 20  # clients in one more process, measuring latency
    # clients per source address at most (0: a quarter of the ports)
    per_source: int = 0


@dataclass
class Observed:
    """what the parent saw of the server and the workers"""

    pid: int | None
    readings: Readings
    # each worker's ('connected', clients, failed, first error, clients per room)
    answers: list[tuple[str, int, int, str, list[int]]]
    results: list[worker.Result]


def local_ports() -> int:
    """how many ephemeral ports one source address has (Linux's range)"""
    with open(PORT_RANGE, encoding='ascii') as ports:
        low, high = map(int, ports.read().split())
    return high - low + 1


def sources(host: str, clients: int, per_source: int = 0) -> tuple[str, ...]:
    """the loopback source addresses to spread clients over: () for just one

    A socket bound before it connects holds its port for good, and closed ones
    linger in TIME_WAIT for a minute: past a quarter of the ports (7 000 of
    Linux's usual 28 000) clients go to 127.0.0.1, 127.0.0.2, ... in turn.
    Only an IPv4 target can be reached from them.
    """
    per_source = per_source or local_ports() // 4
    try:
        ipv4 = ipaddress.ip_address(host).version == 4
    except ValueError:
        ipv4 = False
    count = min(MOST_SOURCES, -(-clients // per_source))
    if not ipv4 or count < 2:
        return ()
    return tuple(f'127.0.0.{number}' for number in range(1, count + 1))


def probe_count(clients: int, rooms: int, most: int) -> int:
    """how many clients are probes: a tenth of them, at most ``most``; with
    rooms, one in each room at least, as long as every room with a probe keeps
    a client that sends (rooms at most N - rooms)

    Client n is in room n modulo rooms and the probes are the first clients, so
    probe k is in room k: with as many probes as rooms, every room's latency is
    measured.
    """
    probes = min(most, max(1, clients // 10))
    if rooms > 1:
        probes = max(probes, min(rooms, clients - rooms))
    return probes


def shares(
    load: worker.Load, spread: Spread, target: Target, drain: float
) -> list[worker.Share]:
    """what each worker does: worker 0 holds the latency probes, the rest the bulk

    The probes get a process of their own, so that their timestamps are taken
    promptly instead of after hundreds of other reads in a busy worker; they
    only listen, unless there are no other clients. At a fixed rate the senders'
    schedules interleave: sender k starts k / rate seconds late, so the messages
    arrive evenly spaced, not in bursts of one per worker that queue behind each
    other's fan-out. Client n of all (worker after worker) is in room n modulo
    the rooms.
    """
    probes = probe_count(load.clients, load.rooms, spread.probes)
    rest = load.clients - probes
    bulk = max(1, min(spread.workers, rest))
    sizes = [probes] + [rest // bulk + (index < rest % bulk) for index in range(bulk)]
    firsts = [sum(sizes[:index]) for index in range(len(sizes))]
    senders = rest or probes
    spread_over = sources(target.host, load.clients, spread.per_source)
    return [
        worker.Share(
            worker=index,
            target=target,
            load=replace(
                load.part(clients, senders),
                offset=max(0, index - 1) / load.rate if load.rate else 0.0,
            ),
            probe=index == 0,
            sends=index > 0 or not rest,
            drain=drain,
            sources=spread_over,
            first=firsts[index],
        )
        for index, clients in enumerate(sizes)
        if clients
    ]


def receive(conn: Connection, timeout: float, what: str) -> Any:
    """the next message from a worker, or RuntimeError after timeout"""
    if not conn.poll(timeout):
        raise RuntimeError(f'a load worker did not answer in {timeout:.0f}s ({what})')
    return conn.recv()


class Progress:
    """the workers' counts, shared with them: a line a second from them"""

    def __init__(self, counts: Sequence[Sequence[int]], clients: int) -> None:
        self.counts = counts  # per worker: [clients connected, messages received]
        self.clients = clients
        self.shown = time.monotonic()
        self.window = (0.0, 0.0)  # when the measured window opens and closes
        self.before = 0  # messages received when it opened

    def connected(self) -> int:
        """clients connected so far, in all"""
        return sum(count[0] for count in self.counts)

    def received(self) -> int:
        """messages received so far, in all"""
        return sum(count[1] for count in self.counts)

    def connecting(self) -> str:
        """the line shown while the clients connect"""
        return f'  connecting: {self.connected()} of {self.clients} clients'

    def plan(self, window: tuple[float, float]) -> None:
        """the measured window (start, end) will open at start"""
        self.window = window

    def open(self) -> None:
        """the measured window opens now"""
        self.before = self.received()

    def sending(self, now: float | None = None) -> str:
        """the line shown while the clients send (now: time.monotonic())"""
        now = time.monotonic() if now is None else now
        start, end = self.window
        if now < start:
            return f'  warming up: {end - now:.0f}s left'
        rate = (self.received() - self.before) / max(now - start, 1e-3)
        return f'  sending: {rate:,.0f} deliveries/s so far, {end - now:.0f}s left'

    def tick(self, line: Callable[[], str]) -> None:
        """print line() if a second has passed since the last line"""
        now = time.monotonic()
        if now - self.shown >= PROGRESS_EVERY:
            self.shown = now
            print(line(), flush=True)


def start_workers(
    load: worker.Load, spread: Spread, target: Target, drain: float
) -> tuple[list[SpawnProcess], list[Connection], Progress]:
    """the worker processes (spawned, not forked), a pipe to each, their counts"""
    context = multiprocessing.get_context('spawn')
    processes = []
    pipes = []
    counts = []
    for share in shares(load, spread, target, drain):
        mine, theirs = context.Pipe()
        count = context.Array('q', 2, lock=False)
        process = context.Process(
            target=worker.run, args=(theirs, share, count), daemon=True
        )
        process.start()
        processes.append(process)
        pipes.append(mine)
        counts.append(count)
    return processes, pipes, Progress(counts, load.clients)


def connected(pipes: list[Connection], timeout: float, progress: Progress) -> list[Any]:
    """every worker's answer once its clients are in; a line a second till then"""
    deadline = time.monotonic() + timeout
    answers = []
    for pipe in pipes:
        while not pipe.poll(PROGRESS_EVERY):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f'a load worker did not answer in {timeout:.0f}s (connecting)'
                )
            progress.tick(progress.connecting)
        answers.append(pipe.recv())
    return answers


def measure(
    load: worker.Load,
    timing: Timing,
    spread: Spread,
    target: Target,
    pid: int | None = None,
) -> Observed:
    """run load against the server at target (pid: its process, for /proc)"""
    readings: Readings = {'rss_start_kb': rss_kb(pid) if pid else None}
    processes, pipes, progress = start_workers(load, spread, target, timing.drain)
    try:
        answers = connected(pipes, ANSWER_SLACK + load.clients / 50, progress)
        time.sleep(SETTLE)
        if pid:
            readings['settle_s'] = SETTLE + settle(pid)
            readings['rss_idle_kb'] = rss_kb(pid)
        results = drive(pipes, timing, pid, readings, progress)
    finally:
        for process in processes:
            process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.terminate()
    return Observed(pid, readings, answers, results)


def drive(
    pipes: list[Connection],
    timing: Timing,
    pid: int | None,
    readings: Readings,
    progress: Progress,
) -> list[worker.Result]:
    """send the plan, watch the server, total the sending, collect results"""
    start = time.monotonic() + START_DELAY
    plan = (start, start + timing.warmup, start + timing.warmup + timing.duration)
    for pipe in pipes:
        pipe.send(plan)
    readings.update(watch(pid, plan, progress))
    late = plan[2] - time.monotonic() + ANSWER_SLACK
    taken = [receive(pipe, late, 'sending')[1] for pipe in pipes]
    # the messages each room took, from every worker: what its clients await
    taken_in_all = [sum(room) for room in zip(*taken, strict=True)]
    for pipe in pipes:
        pipe.send(taken_in_all)
    late = timing.drain + ANSWER_SLACK
    return [receive(pipe, late, 'draining')[1] for pipe in pipes]


def settle(pid: int, step: float = 0.25) -> float:
    """wait until the server is quiet (it may still greet the new clients)"""
    waited = 0.0
    while waited < SETTLE_MOST:
        cpu = cpu_seconds(pid)
        time.sleep(step)
        waited += step
        if cpu_seconds(pid) - cpu < QUIET_CPU * step:
            break
    return waited


def watch(pid: int | None, plan: Plan, progress: Progress) -> Readings:
    """the server's CPU time over the window and its peak RSS during it (when
    pid is known); a progress line a second all along"""
    _, window_start, window_end = plan
    progress.plan((window_start, window_end))
    while (now := time.monotonic()) < window_start:
        progress.tick(progress.sending)
        time.sleep(min(RSS_EVERY, window_start - now))
    progress.open()
    cpu = cpu_seconds(pid) if pid else 0.0
    peak = 0
    while (now := time.monotonic()) < window_end:
        progress.tick(progress.sending)
        peak = max(peak, rss_kb(pid) if pid else 0)
        time.sleep(min(RSS_EVERY, window_end - now))
    if not pid:
        return {}
    return {'cpu_s': cpu_seconds(pid) - cpu, 'rss_peak_kb': max(peak, rss_kb(pid))}

""" One measured run: N clients in worker processes against one server.

The timeline: connect every client (the server's RSS before and after gives the
memory of an idle connection), settle, then all workers start sending at the
same instant; a warm-up later the measured window opens; when it closes the
senders stop, the last frames drain in, and the workers hand in their counts.
"""
import multiprocessing
import time
from dataclasses import dataclass

from . import worker
from .server import cpu_seconds, rss_kb

SETTLE = 1.0  # s at least between the last connection and the idle RSS reading
SETTLE_MOST = 30.0  # s at most to wait for the server to go quiet after connecting
QUIET_CPU = 0.05  # the server is quiet below this share of a core
START_DELAY = 0.3  # s between the plan and the first message
RSS_EVERY = 0.2  # s between RSS readings during the window
ANSWER_SLACK = 30.0  # s a worker may be late before the run is abandoned
JOIN_TIMEOUT = 5.0  # s a worker may take to end after the run, before it is stopped


@dataclass
class Timing:
    """ how long each phase of a run lasts, in seconds """

    duration: float = 10.0  # the measured window
    warmup: float = 1.0  # sending before the window opens
    drain: float = 5.0  # longest wait for the last frames after it closes


@dataclass
class Spread:
    """ how the clients are spread over generator processes """

    workers: int = 2  # processes for the bulk of the clients
    probes: int = 20  # clients in one more process, measuring latency


@dataclass
class Observed:
    """ what the parent saw of the server and the workers """

    pid: int
    readings: dict
    answers: list
    results: list


def shares(load, spread, target, drain):
    """ what each worker does: worker 0 holds the latency probes, the rest the bulk

    The probes get a process of their own, so that their timestamps are taken
    promptly instead of after hundreds of other reads in a busy worker; they
    only listen, unless there are no other clients.
    """
    probes = min(spread.probes, max(1, load.clients // 10))
    rest = load.clients - probes
    bulk = max(1, min(spread.workers, rest))
    sizes = [probes] + [rest // bulk + (index < rest % bulk) for index in range(bulk)]
    senders = rest or probes
    return [
        worker.Share(
            worker=index,
            target=target,
            load=load.part(clients, senders),
            probe=index == 0,
            sends=index > 0 or not rest,
            drain=drain,
        )
        for index, clients in enumerate(sizes)
        if clients
    ]


def receive(conn, timeout, what):
    """ the next message from a worker, or RuntimeError after timeout """
    if not conn.poll(timeout):
        raise RuntimeError(f'a load worker did not answer in {timeout:.0f}s ({what})')
    return conn.recv()


def start_workers(load, spread, target, drain):
    """ the worker processes (spawned, not forked) and a pipe to each """
    context = multiprocessing.get_context('spawn')
    processes = []
    pipes = []
    for share in shares(load, spread, target, drain):
        mine, theirs = context.Pipe()
        process = context.Process(target=worker.run, args=(theirs, share), daemon=True)
        process.start()
        processes.append(process)
        pipes.append(mine)
    return processes, pipes


def measure(load, timing, spread, target, pid=None):
    """ run load against the server at target (pid: its process, for /proc) """
    readings = {'rss_start_kb': rss_kb(pid) if pid else None}
    processes, pipes = start_workers(load, spread, target, timing.drain)
    try:
        connecting = ANSWER_SLACK + load.clients / 50
        answers = [receive(pipe, connecting, 'connecting') for pipe in pipes]
        time.sleep(SETTLE)
        if pid:
            readings['settle_s'] = SETTLE + settle(pid)
            readings['rss_idle_kb'] = rss_kb(pid)
        results = drive(pipes, timing, pid, readings)
    finally:
        for process in processes:
            process.join(JOIN_TIMEOUT)
            if process.is_alive():
                process.terminate()
    return Observed(pid, readings, answers, results)


def drive(pipes, timing, pid, readings):
    """ send the plan, watch the server, total the sending, collect results """
    start = time.monotonic() + START_DELAY
    plan = (start, start + timing.warmup, start + timing.warmup + timing.duration)
    for pipe in pipes:
        pipe.send(plan)
    if pid:
        readings.update(watch(pid, plan[1], plan[2]))
    late = plan[2] - time.monotonic() + ANSWER_SLACK
    sent = [receive(pipe, late, 'sending')[1:] for pipe in pipes]
    expected = sum(count - errors for count, errors in sent)
    for pipe in pipes:
        pipe.send(expected)
    late = timing.drain + ANSWER_SLACK
    return [receive(pipe, late, 'draining')[1] for pipe in pipes]


def settle(pid, step=0.25):
    """ wait until the server is quiet (it may still greet the new clients) """
    waited = 0.0
    while waited < SETTLE_MOST:
        cpu = cpu_seconds(pid)
        time.sleep(step)
        waited += step
        if cpu_seconds(pid) - cpu < QUIET_CPU * step:
            break
    return waited


def watch(pid, window_start, window_end):
    """ the server's CPU time over the window and its peak RSS during it """
    time.sleep(max(0.0, window_start - time.monotonic()))
    cpu = cpu_seconds(pid)
    peak = 0
    while (left := window_end - time.monotonic()) > 0:
        peak = max(peak, rss_kb(pid))
        time.sleep(min(RSS_EVERY, left))
    return {'cpu_s': cpu_seconds(pid) - cpu, 'rss_peak_kb': max(peak, rss_kb(pid))}

"""The load test's generator: workers and the parent's side of their pipes.

The workers run here, in the test's event loop, against the calibration server
(also here); the parent's side runs in a thread, over real pipes, as it does in
``python -m loadtest``. Only the processes are missing: the tests of the whole
command (test_loadtest_run.py) have them.
"""

import asyncio
import multiprocessing
import socket
import threading
import time

import pytest

from loadtest import raw_server, report, runner, worker
from loadtest.runner import Spread, Timing
from loadtest.server import LOOPBACK, free_port
from loadtest.worker import Load, Share, Worker
from loadtest.wsclient import Target

TIMING = Timing(duration=0.3, warmup=0.1, drain=2.0)


async def calibration_server():
    """the calibration server in this event loop: its target and its stop"""
    port = free_port()
    stop = await raw_server.listen(port, LOOPBACK)
    return Target(LOOPBACK, port), stop


def parent(pipes, timing, progress):
    """what ``python -m loadtest`` does with the workers' pipes (blocking)"""
    answers = runner.connected(pipes, 10, progress)
    results = runner.drive(pipes, timing, None, {}, progress)
    return runner.Observed(None, {}, answers, results)


async def run_workers(shares, timing=TIMING):
    """run a worker for each share here, and the parent in a thread"""
    pipes = [multiprocessing.Pipe() for _ in shares]
    workers = [Worker(share) for share in shares]
    clients = sum(share.load.clients for share in shares)
    progress = runner.Progress([each.progress for each in workers], clients)
    loop = asyncio.get_running_loop()
    ours = [mine for mine, _ in pipes]
    watching = loop.run_in_executor(None, parent, ours, timing, progress)
    await asyncio.gather(
        *(each.main(theirs) for each, (_, theirs) in zip(workers, pipes, strict=True))
    )
    observed = await watching
    for mine, theirs in pipes:
        mine.close()
        theirs.close()
    return observed


async def test_workers_connect_send_and_count_every_delivery():
    """a probe worker and a sending one: every message reaches every client"""
    target, stop = await calibration_server()
    load = Load(clients=5, rate=100.0, size=40, per_client=0.0)
    shares = runner.shares(load, Spread(workers=1, probes=1), target, TIMING.drain)
    observed = await run_workers(shares)
    stop()
    assert observed.answers == [
        ('connected', 1, 0, '', [1]),
        ('connected', 4, 0, '', [4]),
    ]
    row = report.summarize('raw', load, TIMING, observed)
    assert row['connected'] == 5
    assert row['sent'] > 0
    assert row['deliveries'] > 0
    assert row['undelivered'] == 0
    assert row['latency_ms']['samples'] > 0
    assert row['latency_ms']['p99'] is not None
    assert (row['rooms'], row['clients_per_room']) == (1, [5, 5])
    assert row['generator']['probe_rooms'] == 1
    probe, sender = observed.results
    assert probe['sent'] == 0
    assert probe['received'] == sender['received'] / 4 == sender['sent']
    # each message sent is answered (those of the window: inside it, mostly)
    assert 0 < row['frames']['result'] <= sender['sent']
    assert row['frames']['error'] == 0


async def test_with_rooms_each_message_reaches_the_clients_of_its_room():
    """7 clients in 3 rooms, in turn: a probe in each room, the other four
    send; every figure counts each room's own clients"""
    target, stop = await calibration_server()
    load = Load(clients=7, rate=60.0, size=40, per_client=0.0, rooms=3)
    shares = runner.shares(load, Spread(workers=1, probes=1), target, TIMING.drain)
    observed = await run_workers(shares)
    stop()
    # clients 0-2 probe (rooms 0, 1, 2), 3-6 send (rooms 0, 1, 2, 0)
    assert [answer[4] for answer in observed.answers] == [[1, 1, 1], [2, 1, 1]]
    probe, sender = observed.results
    room_sizes = [3, 2, 2]
    sent = sender['sent_rooms']
    assert sent[0] == pytest.approx(2 * sent[1], abs=1)
    assert sender['received'] == sum(
        count * clients for count, clients in zip(sent, [2, 1, 1], strict=True)
    )
    assert probe['received'] == sum(sent)
    row = report.summarize('raw', load, TIMING, observed)
    assert (row['rooms'], row['clients_per_room']) == (3, [2, 3])
    assert row['undelivered'] == 0
    offered = sum(
        count * clients
        for count, clients in zip(sender['sent_window_rooms'], room_sizes, strict=True)
    )
    assert row['offered_per_s'] == offered / TIMING.duration
    assert row['generator']['probe_rooms'] == 3
    # those sent in the window, each once (the last one's stamp may be late)
    assert row['sent'] - 1 <= row['latency_ms']['samples'] <= row['sent']


async def test_at_rate_max_the_acks_pace_the_sending():
    """a closed loop: a few messages in flight, more as the acks come back"""
    target, stop = await calibration_server()
    load = Load(clients=3, rate=0.0, size=40, per_client=20.0, latency=0.25)
    shares = runner.shares(load, Spread(workers=1, probes=1), target, TIMING.drain)
    observed = await run_workers(shares)
    stop()
    _, sender = observed.results
    assert sender['sent'] > 2
    assert sender['given_up'] == 0
    assert sender['received'] == 2 * sender['sent']
    assert sender['in_flight'] >= 1
    assert sender['refused_rooms'] == [0]


def idle_worker(target=Target(LOOPBACK, 9), clients=1, rate=0.0, drain=0.1):
    """a worker of one sending client, not connected"""
    load = Load(clients=clients, rate=rate, size=40)
    return Worker(Share(1, target, load, probe=False, sends=True, drain=drain))


def test_at_rate_max_messages_unacknowledged_too_long_are_given_up():
    """a second without an ack: those in flight are given up (an answer that
    comes later is not counted), sending goes on"""
    idle = idle_worker()
    idle.tally.pending.update(dict.fromkeys(range(1, 6), time.monotonic_ns()))
    now = time.monotonic()
    idle.sending.progress = now
    assert idle.wait_before_next(now, start=now) == worker.ACK_TIMEOUT
    assert idle.wait_before_next(now + worker.ACK_TIMEOUT + 0.1, start=now) == 0
    assert idle.sending.given_up == 5
    idle.tally.answered(3, room=0, error=False)
    assert idle.tally.acks == 0


def test_at_a_fixed_rate_a_message_is_due_at_its_time():
    """message n is due n / rate seconds after the start"""
    idle = idle_worker(rate=10.0)
    idle.sending.count = 3
    assert idle.wait_before_next(100.0, start=100.0) == pytest.approx(0.3)
    idle.share.load.offset = 0.05
    assert idle.wait_before_next(100.0, start=100.0) == pytest.approx(0.35)


async def test_waking_a_worker_that_does_not_wait_does_nothing():
    """no pause, or one already ended: wake() leaves it be"""
    idle = idle_worker()
    idle.wake()
    ended = asyncio.get_running_loop().create_future()
    ended.set_result(None)
    idle.wakeup = ended
    idle.wake()
    assert ended.done()


async def test_draining_gives_up_after_its_time():
    """frames that never come are waited for drain seconds, not more"""
    idle = idle_worker(drain=0.1)
    await idle.drain(1)
    assert idle.tally.counts == [0] * len(idle.tally.counts)


async def test_connections_that_fail_are_counted_with_the_first_error(monkeypatch):
    """refused, or never answered: no client, the count and the first error"""
    monkeypatch.setattr(worker, 'CONNECT_TIMEOUT', 0.2)
    refused = idle_worker(Target(LOOPBACK, free_port()), clients=2)
    failed, error = await refused.connect()
    assert (failed, refused.clients) == (2, [])
    assert error.startswith('ConnectionRefusedError(')
    with socket.create_server((LOOPBACK, 0)) as silent:
        port = silent.getsockname()[1]
        unanswered = idle_worker(Target(LOOPBACK, port))
        failed, error = await unanswered.connect()
    assert (failed, unanswered.clients) == (1, [])
    assert error == 'TimeoutError()'


class HungProcess:
    """a worker process that never ends by itself"""

    def __init__(self):
        self.joined = None
        self.terminated = False

    def join(self, timeout):
        """wait for it (it does not end)"""
        self.joined = timeout

    def is_alive(self):
        """until it is terminated"""
        return not self.terminated

    def terminate(self):
        """stop it"""
        self.terminated = True


def test_a_worker_that_does_not_answer_in_time_stops_the_run(monkeypatch):
    """RuntimeError naming the phase; a worker still running is terminated"""
    hung = HungProcess()
    mine, theirs = multiprocessing.Pipe()
    progress = runner.Progress([], 1)
    monkeypatch.setattr(runner, 'start_workers', lambda *_: ([hung], [mine], progress))
    monkeypatch.setattr(runner, 'ANSWER_SLACK', 0.0)
    load = Load(clients=1, rate=1.0)
    with mine, theirs:
        with pytest.raises(RuntimeError, match=r'did not answer in 0s \(connecting\)'):
            runner.measure(load, TIMING, Spread(), Target(LOOPBACK, 9))
    assert hung.joined == runner.JOIN_TIMEOUT
    assert hung.terminated


def test_waiting_for_a_worker_has_a_limit():
    """nothing on the pipe in time: RuntimeError with the phase"""
    mine, theirs = multiprocessing.Pipe()
    with mine, theirs:
        with pytest.raises(RuntimeError, match=r'in 0s \(draining\)'):
            runner.receive(mine, 0.01, 'draining')


async def test_clients_are_spread_over_the_source_addresses():
    """bound before connecting: 127.0.0.1, 127.0.0.2, 127.0.0.3 in turn"""
    target, stop = await calibration_server()
    addresses = ('127.0.0.1', '127.0.0.2', '127.0.0.3')
    load = Load(clients=6, rate=1.0, size=40)
    spread = Worker(Share(1, target, load, False, True, 0.1, sources=addresses))
    failed, _ = await spread.connect()
    assert failed == 0
    assert spread.progress[0] == 6
    used = [client.transport.get_extra_info('sockname')[0] for client in spread.clients]
    assert sorted(used) == sorted(addresses * 2)
    for client in spread.clients:
        client.close()
    stop()


def test_while_the_clients_connect_a_line_a_second_says_how_many(capsys):
    """a worker that answers after a second and a half: one progress line"""
    mine, theirs = multiprocessing.Pipe()
    progress = runner.Progress([[3, 0]], clients=5)
    later = threading.Timer(1.5, theirs.send, [('connected', 5, 0, '')])
    later.start()
    with mine, theirs:
        assert runner.connected([mine], 10, progress) == [('connected', 5, 0, '')]
    later.join()
    assert capsys.readouterr().out == '  connecting: 3 of 5 clients\n'

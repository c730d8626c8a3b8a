"""The servers the load test starts, and what it reads of them in /proc."""

import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from tornado.websocket import websocket_connect

from loadtest import baseline_server, runner, server
from loadtest.server import LOOPBACK, Server, check_loopback, free_port, parse_url
from loadtest.wsclient import MESSAGE, Client, Tally, Target


@pytest.mark.parametrize('host', ['localhost', '127.9.9.9', '::1', '[::1]'])
def test_loopback_hosts_are_accepted(host):
    """localhost, all of 127.0.0.0/8, ::1"""
    assert check_loopback(host) == host


@pytest.mark.parametrize('host', ['10.0.0.1', '0.0.0.0', 'example.com', '::2'])
def test_other_hosts_are_refused(host):
    """only loopback is ever load-tested"""
    with pytest.raises(ValueError, match='is not a loopback address'):
        check_loopback(host)


def test_a_url_gives_the_target():
    """ws://host:port/path; the path is /ws when there is none"""
    assert parse_url('ws://127.0.0.1:9000/chat') == Target('127.0.0.1', 9000, '/chat')
    assert parse_url('ws://[::1]:9000') == Target('::1', 9000, '/ws')
    for wrong in ('ws://127.0.0.1/ws', 'wss://127.0.0.1:9000/ws'):
        with pytest.raises(ValueError, match='expected ws://127.0.0.1:PORT/ws'):
            parse_url(wrong)


def process_state(pid):
    """the state letter of /proc/PID/stat: R running, S sleeping, Z ended..."""
    with open(f'/proc/{pid}/stat', encoding='ascii') as stat:
        return stat.read().rsplit(')', 1)[1].split()[0]


def test_the_memory_of_a_process_that_ended_is_none():
    """a process that ended (not yet reaped) has no resident memory: 0 KB"""
    with subprocess.Popen(['true']) as ended:
        deadline = time.monotonic() + 10
        while process_state(ended.pid) != 'Z':
            assert time.monotonic() < deadline, 'it did not end'
            time.sleep(0.01)
        assert server.rss_kb(ended.pid) == 0
    assert server.rss_kb(os.getpid()) > 0


def test_settling_waits_while_the_server_is_busy(monkeypatch):
    """a quiet server: one step; a busy one: until SETTLE_MOST"""
    monkeypatch.setattr(runner, 'SETTLE_MOST', 0.25)
    # a second of CPU between any two readings: busy
    busy = itertools.count()
    monkeypatch.setattr(runner, 'cpu_seconds', lambda _pid: next(busy))
    assert runner.settle(1, step=0.0625) == 0.25
    monkeypatch.setattr(runner, 'cpu_seconds', lambda _pid: 7.0)
    assert runner.settle(1, step=0.0625) == 0.0625


def test_a_server_that_does_not_start_says_why(monkeypatch):
    """RuntimeError with what it printed"""
    monkeypatch.setitem(server.MODULES, 'broken', 'loadtest.no_such_server')
    with pytest.raises(RuntimeError, match='the broken server did not start') as failed:
        with Server('broken'):
            pass
    assert 'No module named loadtest.no_such_server' in str(failed.value)


def test_a_server_that_ignores_sigterm_is_killed(monkeypatch):
    """not stopped after STOP_TIMEOUT: SIGKILL"""
    monkeypatch.setitem(server.MODULES, 'stubborn', 'tests.stubborn_server')
    monkeypatch.setattr(server, 'STOP_TIMEOUT', 0.2)
    with Server('stubborn') as stubborn:
        assert stubborn.pid
    assert stubborn.process.returncode == -9


async def test_the_calibration_server_runs_as_a_process_and_stops_on_sigterm():
    """``python -m loadtest.raw_server``: a client joins, its message is
    answered and comes back; SIGTERM ends it cleanly"""
    with Server('raw') as raw:
        loop = asyncio.get_running_loop()
        tally = Tally()
        _, client = await loop.create_connection(
            lambda: Client(tally, raw.target, name='ann'), LOOPBACK, raw.port
        )
        await client.opened
        client.send('hello')
        deadline = time.monotonic() + 10
        while not (tally.counts[MESSAGE] and tally.acks):
            assert time.monotonic() < deadline, 'no message came back'
            await asyncio.sleep(0.01)
        client.close()
    assert raw.process.returncode == 0


def request(method, number, **params):
    """a JSON-RPC request, as text"""
    return json.dumps(
        {'jsonrpc': '2.0', 'id': number, 'method': method, 'params': params}
    )


async def test_the_baseline_writes_each_message_to_every_client_of_its_room():
    """the tutorial's loop, over JSON-RPC: the sender's result, then the
    message to every client of the room (not to another room's); errors for
    what it does not know; a client that left is dropped"""
    port = free_port()
    stop = await baseline_server.listen(port, LOOPBACK)
    url = f'ws://{LOOPBACK}:{port}/ws'
    sender, other, elsewhere = [await websocket_connect(url) for _ in range(3)]
    for client, room, name in (
        (sender, 'general', 'ann'),
        (other, 'general', 'bob'),
        (elsewhere, 'games', 'cy'),
        (sender, 'general', 'ann'),  # again: the same answer
    ):
        await client.write_message(request('join', 1, room=room, name=name))
        joined = json.loads(await client.read_message())
        assert joined['result']['messages'] == []
    assert joined['result']['members'] == ['ann', 'bob']
    await sender.write_message(
        request('send', 2, room='general', text='hello', client_id='a1', name='x')
    )
    answer = json.loads(await sender.read_message())
    assert list(answer) == ['jsonrpc', 'id', 'result']
    assert (answer['id'], list(answer['result'])) == (2, ['id', 'room', 'ts'])
    for client in (sender, other):
        notified = json.loads(await client.read_message())
        assert list(notified) == ['jsonrpc', 'method', 'params']
        message = notified['params']
        assert isinstance(message.pop('ts'), float)
        assert message == {
            'id': answer['result']['id'],
            'room': 'general',
            'name': 'ann',
            'text': 'hello',
        }
    await elsewhere.write_message(request('send', 3, room='general', text='no'))
    await elsewhere.write_message(request('typing', 4, room='games'))
    assert [json.loads(await elsewhere.read_message()) for _ in range(2)] == [
        {
            'jsonrpc': '2.0',
            'id': 3,
            'error': {'code': -32003, 'message': 'join the room "general" first'},
        },
        {
            'jsonrpc': '2.0',
            'id': 4,
            'error': {'code': -32601, 'message': 'no method "typing"'},
        },
    ]
    for client in (other, sender, elsewhere):
        client.close()
    deadline = time.monotonic() + 10
    while any(baseline_server.BaselineSocket.rooms.values()):
        assert time.monotonic() < deadline, 'the clients were not dropped'
        await asyncio.sleep(0.01)
    stop()


def test_the_processes_of_a_server_are_counted_together():
    """a process that started others: their CPU and memory count as its own"""
    script = (
        'import subprocess, sys, time; subprocess.Popen(sys.argv[1:]); time.sleep(30)'
    )
    child = [sys.executable, '-c', 'import time; time.sleep(30)']
    with subprocess.Popen([sys.executable, '-c', script, *child]) as parent:
        try:
            deadline = time.monotonic() + 10
            while not server.children(parent.pid):
                assert time.monotonic() < deadline, 'no child started'
                time.sleep(0.01)
            [started] = server.children(parent.pid)
            assert server.family(parent.pid) == [parent.pid, started]
            assert server.serving(parent.pid) == 1
            # a Python process holds megabytes: the child's show in the sum, once
            # it has loaded Python (a child just forked holds a few hundred KB)
            while server.rss_kb(parent.pid) < server.own_rss_kb(parent.pid) + 1000:
                assert time.monotonic() < deadline, 'the child is not counted'
                time.sleep(0.01)
            assert server.cpu_seconds(parent.pid) >= server.cpu_seconds(started)
            os.kill(started, 15)
        finally:
            parent.kill()
    assert server.serving(os.getpid()) == 1


def test_every_process_sharing_a_port_is_seen_listening():
    """SO_REUSEPORT: one listening socket per process, each counted"""
    port = free_port()
    assert server.listeners(port) == 0
    shared = []
    for _ in range(2):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((LOOPBACK, port))
        sock.listen()
        shared.append(sock)
    assert server.listeners(port) == 2
    for sock in shared:
        sock.close()


def test_the_processes_asked_for_are_read_from_the_options():
    """--processes=N, the last one wins; none: 1"""
    assert server.processes_asked([]) == 1
    assert server.processes_asked(['--processes=2', '--debug']) == 2
    assert server.processes_asked(['--processes=2', '--processes=3']) == 3

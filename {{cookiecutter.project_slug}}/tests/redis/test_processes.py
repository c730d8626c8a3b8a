"""Several server processes on one port, chatting through Redis (broker=redis)."""

import os
import re
import signal
import uuid

from {{ cookiecutter.package_name }}.redis.part import environ_redis_url

from ..ports import free_port
from ..test_main import fetch_when_up
from .test_broker import heard, say


def test_redis_url_comes_from_the_environment():
    """REDIS_URL wins over Redis on this machine"""
    assert environ_redis_url({'REDIS_URL': 'redis://elsewhere:1/2'}) == (
        'redis://elsewhere:1/2'
    )
    assert environ_redis_url({}) == 'redis://localhost:6379/0'


async def test_two_processes_serve_the_page_and_stop_together(launch):
    """`python -m {{ cookiecutter.package_name }}.main --processes=2` serves / and stops cleanly"""
    port = free_port()
    server = launch(f'--port={port}', '--processes=2')
    await server.until_said('chat server on', times=2)
    for _ in range(4):
        body = await fetch_when_up(f'http://127.0.0.1:{port}/')
        assert b'<div id="app"></div>' in body
    assert server.stop() == 0
    assert server.said().count('chat server stopped') == 2


async def test_when_one_server_process_ends_the_others_are_stopped(launch):
    """the supervisor does not go on with fewer processes than asked for"""
    server = launch(f'--port={free_port()}', '--processes=2')
    await server.until_said('chat server on', times=2)
    pids = re.search(r'on one port: (\d+) (\d+)', server.said()).groups()
    os.kill(int(pids[0]), signal.SIGKILL)
    assert server.wait() == 1
    ended = f'server process {pids[0]} ended with -9: stopping the others'
    assert ended in server.said()
    assert server.said().count('chat server stopped') == 1


async def test_two_processes_deliver_a_rooms_messages_to_its_members_only(
    launch, ws_connect
):
    """two servers on one Redis: a room's messages reach its members in both
    processes, and nobody who is not in it"""
    urls = []
    key = f'--redis_key=test-{uuid.uuid4().hex}'
    for _ in range(2):
        port = free_port()
        # one at a time: the second one's log (the same file) begins anew
        await launch(f'--port={port}', key).until_said('chat server on')
        urls.append(f'ws://127.0.0.1:{port}/ws')
    games = [
        await ws_connect(url=url, room='games', name=f'gamer{n}')
        for n, url in enumerate(urls)
    ]
    general = [
        await ws_connect(url=url, name=f'talker{n}') for n, url in enumerate(urls)
    ]
    for n, sender in enumerate(games):
        await say(sender, f'game {n}', room='games', name=f'gamer{n}')
        for client in games:
            got = await heard(client)
            assert (got['room'], got['text']) == ('games', f'game {n}')
    for n, sender in enumerate(general):
        await say(sender, f'talk {n}', name=f'talker{n}')
        # the games went through Redis before: they would have come first
        for client in general:
            got = await heard(client)
            assert (got['room'], got['text']) == ('general', f'talk {n}')
    # and the games' members heard nothing of general: their next is a game
    await say(games[1], 'game again', room='games', name='gamer1')
    for client in games:
        got = await heard(client)
        assert (got['room'], got['text']) == ('games', 'game again')

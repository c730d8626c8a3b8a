"""Several server processes on one port, chatting through Redis (broker=redis)."""

import os
import re
import signal

from {{ cookiecutter.package_name }}.redis_part import environ_redis_url

from .ports import free_port
from .test_main import fetch_when_up


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

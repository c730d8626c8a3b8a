"""Options, environment and the server's life from start to stop."""

import asyncio
import json
import os
import signal
import time

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

from {{ cookiecutter.package_name }}.chat_part import CHAT
from {{ cookiecutter.package_name }}.environment import read_env_file
from {{ cookiecutter.package_name }}.main import (
    DEFAULTS,
    browser_url,
    make_options,
    serve,
    serve_until,
    settings_from,
)
from {{ cookiecutter.package_name }}.parts import PARTS

from .fixtures import COOKIE_SECRET, join, say
from .ports import free_port


def test_env_file_fills_only_what_is_unset(tmp_path):
    """.env lines become variables; the real environment wins; comments skipped"""
    env_file = tmp_path / '.env'
    env_file.write_text(
        '# secrets\nCOOKIE_SECRET="from-file"\nPORT=1\nnot a setting\n',
        encoding='utf-8',
    )
    environ = {'PORT': '2'}
    read_env_file(env_file, environ)
    assert environ == {'COOKIE_SECRET': 'from-file', 'PORT': '2'}


def test_a_missing_env_file_is_fine(tmp_path):
    """no .env, no change"""
    environ = {}
    read_env_file(tmp_path / 'absent', environ)
    assert not environ


def test_settings_come_from_options_and_environment():
    """command-line options and the cookie secret end up in the settings"""
    options = make_options()
    options.parse_command_line(
        [
            'prog',
            '--debug=true',
            '--max_text=10',
            '--flood_rate=2',
            '--flood_burst=3',
            '--max_rooms=4',
        ]
    )
    settings = settings_from(options, {'COOKIE_SECRET': 's3cret'})
    assert settings == {
        'debug': True,
        'max_text': 10,
        'flood_rate': 2.0,
        'flood_burst': 3,
        'max_rooms': 4,
        'cookie_secret': 's3cret',
    }


def test_every_part_brings_its_settings_and_options():
    """the chat comes first; each part's settings are defaults, a later one's win"""
    assert PARTS[0] is CHAT
    for part in PARTS:
        assert set(part.settings) <= set(DEFAULTS)
    assert DEFAULTS.items() >= PARTS[-1].settings.items()
    assert {'port', 'address', 'reuse_port'} <= set(make_options().as_dict())


def test_the_server_listens_on_this_machine_only_unless_told():
    """--address is 127.0.0.1 by default: other machines need --address=0.0.0.0"""
    options = make_options()
    options.parse_command_line(['prog'])
    assert options.address == '127.0.0.1'


@pytest.mark.parametrize(
    'host, url',
    [
        ('127.0.0.1', 'http://127.0.0.1:8000/'),
        ('0.0.0.0', 'http://localhost:8000/'),
        ('::', 'http://localhost:8000/'),
        ('::1', 'http://[::1]:8000/'),
        ('192.0.2.7', 'http://192.0.2.7:8000/'),
    ],
)
def test_the_start_line_names_the_address_a_browser_opens(host, url):
    """the address listened on, or localhost for all of them; IPv6 in brackets"""
    assert browser_url(host, 8000) == url


async def test_serve_until_told_to_stop(server_options, ws_headers, monkeypatch):
    """serve() listens, chats, and on SIGTERM closes its clients with 1001"""
    monkeypatch.setenv('COOKIE_SECRET', COOKIE_SECRET)
    ports = []
    argv = ['prog', '--port=0', '--address=127.0.0.1', *server_options.argv]
    server = asyncio.ensure_future(serve(argv, ready=ports.append))
    while not ports:
        await asyncio.sleep(0.01)
    request = HTTPRequest(f'ws://127.0.0.1:{ports[0]}/ws', headers=ws_headers)
    client = await websocket_connect(request)
    await join(client)
    await client.write_message(say('hi'))
    frames = [json.loads(await client.read_message()) for _ in range(3)]
    assert [frame.get('method') for frame in frames] == ['presence', None, 'message']
    assert frames[2]['params']['text'] == 'hi'
    os.kill(os.getpid(), signal.SIGTERM)
    await server
    assert await client.read_message() is None
    assert client.close_code == 1001
    client.close()


async def test_a_huge_request_body_is_refused_before_it_is_read(
    server_options, monkeypatch
):
    """60 MiB announced: answered at once (400) and the connection closed, without
    waiting for the body, and the server goes on serving"""
    monkeypatch.setenv('COOKIE_SECRET', COOKIE_SECRET)
    ports = []
    argv = ['prog', '--port=0', '--address=127.0.0.1', *server_options.argv]
    stop = asyncio.Event()
    server = asyncio.ensure_future(serve_until(stop, argv, ports.append))
    while not ports:
        await asyncio.sleep(0.01)
    reader, writer = await asyncio.open_connection('127.0.0.1', ports[0])
    writer.write(
        b'POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 62914560\r\n'
        b'Content-Type: application/x-www-form-urlencoded\r\n\r\n' + b'x' * 1024
    )
    answer = await asyncio.wait_for(reader.read(), 10)
    assert answer.startswith(b'HTTP/1.1 400'), answer
    writer.close()
    body = await fetch_when_up(f'http://127.0.0.1:{ports[0]}/')
    assert b'<div id="app"></div>' in body
    stop.set()
    await server


async def test_python_dash_m_serves_the_page(launch):
    """`python -m {{ cookiecutter.package_name }}.main --port=N` serves / on 127.0.0.1, says
    where, and stops cleanly on SIGINT"""
    port = free_port()
    server = launch(f'--port={port}')
    await server.until_said(f'chat server on http://127.0.0.1:{port}/')
    for _ in range(4):
        body = await fetch_when_up(f'http://127.0.0.1:{port}/')
        assert b'<div id="app"></div>' in body
    assert server.stop() == 0


async def fetch_when_up(url, seconds=10):
    """the body at url, retrying while the server starts"""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return (await AsyncHTTPClient().fetch(url)).body
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)

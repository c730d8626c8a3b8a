""" Options, environment and the server's life from start to stop. """
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

from {{ cookiecutter.package_name }}.main import make_options, read_env_file, serve, settings_from


def test_env_file_fills_only_what_is_unset(tmp_path):
    """ .env lines become variables; the real environment wins; comments skipped """
    env_file = tmp_path / '.env'
    env_file.write_text(
        '# secrets\nCOOKIE_SECRET="from-file"\nPORT=1\nnot a setting\n',
        encoding='utf-8',
    )
    environ = {'PORT': '2'}
    read_env_file(env_file, environ)
    assert environ == {'COOKIE_SECRET': 'from-file', 'PORT': '2'}


def test_a_missing_env_file_is_fine(tmp_path):
    """ no .env, no change """
    environ = {}
    read_env_file(tmp_path / 'absent', environ)
    assert not environ


def test_settings_come_from_options_and_environment():
    """ command-line options and the cookie secret end up in the settings """
    options = make_options()
    options.parse_command_line(['prog', '--debug=true', '--max_text=10'])
    settings = settings_from(options, {'COOKIE_SECRET': 's3cret'})
    assert settings == {'debug': True, 'max_text': 10, 'cookie_secret': 's3cret'}


async def test_serve_until_told_to_stop(tmp_path):
    """ serve() listens, chats, and on SIGTERM closes its clients with 1001 """
    ports = []
    server = asyncio.ensure_future(
        serve(
            ['prog', '--port=0', '--address=127.0.0.1', f'--env_file={tmp_path}/none'],
            ready=ports.append,
        )
    )
    while not ports:
        await asyncio.sleep(0.01)
    client = await websocket_connect(f'ws://127.0.0.1:{ports[0]}/ws')
    await client.write_message(json.dumps({'name': 'ann', 'text': 'hi'}))
    assert json.loads(await client.read_message())['text'] == 'hi'
    os.kill(os.getpid(), signal.SIGTERM)
    await server
    assert await client.read_message() is None
    assert client.close_code == 1001
    client.close()


def free_port():
    """ a port nobody listens on right now """
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


async def test_python_dash_m_serves_the_page(tmp_path):
    """ `python -m {{ cookiecutter.package_name }}.main --port=N` serves / and stops cleanly on SIGINT """
    port = free_port()
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, '-m', '{{ cookiecutter.package_name }}.main', f'--port={port}'],
        cwd=tmp_path,
        env={**os.environ, 'PYTHONPATH': os.getcwd()},
    )
    try:
        body = await fetch_when_up(f'http://127.0.0.1:{port}/')
        assert b'<div id="app"></div>' in body
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


async def fetch_when_up(url, seconds=10):
    """ the body at url, retrying while the server starts """
    deadline = time.monotonic() + seconds
    while True:
        try:
            return (await AsyncHTTPClient().fetch(url)).body
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)

{%- set database = cookiecutter.database != 'none' -%}
{%- set auth = cookiecutter.auth == 'password' -%}
""" Options, environment and the server's life from start to stop. """
import asyncio
import json
import os
{%- if cookiecutter.broker == 'redis' %}
import re
{%- endif %}
import signal
import time

{% if database or cookiecutter.broker == 'redis' -%}
import pytest
{% endif -%}
{% if auth -%}
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
{% else -%}
from tornado.httpclient import AsyncHTTPClient
{% endif -%}
from tornado.websocket import websocket_connect

from {{ cookiecutter.package_name }}.environment import read_env_file
from {{ cookiecutter.package_name }}.main import (
    make_options,
{%- if auth %}
    require_secret,
{%- endif %}
    serve,
    settings_from,
)

from .ports import free_port
{%- if cookiecutter.database == 'postgresql' %}

UNREACHABLE_URL = 'postgresql+asyncpg://postgres@127.0.0.1:1/none'
{%- elif database %}

UNREACHABLE_URL = 'sqlite+aiosqlite:////nonexistent-folder/chat.db'
{%- endif %}


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
    options.parse_command_line(
        ['prog', '--debug=true', '--max_text=10', '--flood_rate=2', '--flood_burst=3']
    )
    settings = settings_from(options, {'COOKIE_SECRET': 's3cret'})
    assert settings == {
        'debug': True,
        'max_text': 10,
        'flood_rate': 2.0,
        'flood_burst': 3,
        'cookie_secret': 's3cret',
    }
{%- if auth %}


async def test_serve_until_told_to_stop(server_options, member_cookie, monkeypatch):
{%- else %}


async def test_serve_until_told_to_stop(server_options):
{%- endif %}
    """ serve() listens, chats, and on SIGTERM closes its clients with 1001 """
{%- if auth %}
    monkeypatch.setenv('COOKIE_SECRET', 'test-secret')
{%- endif %}
    ports = []
    argv = ['prog', '--port=0', '--address=127.0.0.1', *server_options.argv]
    server = asyncio.ensure_future(serve(argv, ready=ports.append))
    while not ports:
        await asyncio.sleep(0.01)
{%- if auth %}
    request = HTTPRequest(
        f'ws://127.0.0.1:{ports[0]}/ws', headers={'Cookie': member_cookie}
    )
    client = await websocket_connect(request)
{%- else %}
    client = await websocket_connect(f'ws://127.0.0.1:{ports[0]}/ws')
{%- endif %}
{%- if database %}
    assert json.loads(await client.read_message())['type'] == 'history'
{%- endif %}
    await client.write_message(json.dumps({'name': 'ann', 'text': 'hi'}))
    assert json.loads(await client.read_message())['text'] == 'hi'
    os.kill(os.getpid(), signal.SIGTERM)
    await server
    assert await client.read_message() is None
    assert client.close_code == 1001
    client.close()
{%- if database %}


async def test_serve_refuses_a_database_that_is_behind(tmp_path, database_url):
    """ with --upgrade_db=false an unmigrated database stops the start, clearly """
    argv = [
        'prog',
        '--port=0',
        f'--env_file={tmp_path}/none',
        f'--database_url={database_url}',
        '--upgrade_db=false',
    ]
{%- if auth %}
    argv.append('--debug=true')
{%- endif %}
    with pytest.raises(SystemExit, match='run `inv db-upgrade`'):
        await serve(argv)


async def test_serve_refuses_a_database_it_cannot_reach(tmp_path):
    """ a database that is not there stops the start with a message, not a traceback """
    argv = ['prog', '--port=0', f'--env_file={tmp_path}/none']
    argv.append(f'--database_url={UNREACHABLE_URL}')
{%- if auth %}
    argv.append('--debug=true')
{%- endif %}
    with pytest.raises(SystemExit, match='cannot reach the database'):
        await serve(argv)
{%- endif %}
{%- if auth %}


def test_a_secret_is_required_outside_debug():
    """ without COOKIE_SECRET the server refuses to start """
    with pytest.raises(SystemExit, match='COOKIE_SECRET is not set'):
        require_secret({'cookie_secret': None, 'debug': False})


def test_debug_makes_up_a_throwaway_secret():
    """ in debug mode a random secret is used, and a given one is kept """
    settings = {'cookie_secret': None, 'debug': True}
    require_secret(settings)
    assert len(settings['cookie_secret']) >= 32
    given = {'cookie_secret': 'given', 'debug': False}
    require_secret(given)
    assert given['cookie_secret'] == 'given'
{%- endif %}


{% if cookiecutter.broker == 'redis' -%}
@pytest.mark.parametrize('processes', [1, 2])
async def test_python_dash_m_serves_the_page(launch, processes):
    """ `python -m {{ cookiecutter.package_name }}.main --port=N` (and --processes=2) serves / and stops cleanly """
    port = free_port()
    server = launch(f'--port={port}', f'--processes={processes}')
    await server.until_said('chat server on', times=processes)
{%- else -%}
async def test_python_dash_m_serves_the_page(launch):
    """ `python -m {{ cookiecutter.package_name }}.main --port=N` serves / and stops cleanly on SIGINT """
    port = free_port()
    server = launch(f'--port={port}')
    await server.until_said('chat server on')
{%- endif %}
    for _ in range(4):
        body = await fetch_when_up(f'http://127.0.0.1:{port}/')
        assert b'<div id="app"></div>' in body
    assert server.stop() == 0
{%- if cookiecutter.broker == 'redis' %}


async def test_when_one_server_process_ends_the_others_are_stopped(launch):
    """ the supervisor does not go on with fewer processes than asked for """
    server = launch(f'--port={free_port()}', '--processes=2')
    await server.until_said('chat server on', times=2)
    pids = re.search(r'on one port: (\d+) (\d+)', server.said()).groups()
    os.kill(int(pids[0]), signal.SIGKILL)
    assert server.wait() == 1
    ended = f'server process {pids[0]} ended with -9: stopping the others'
    assert ended in server.said()
    assert server.said().count('chat server stopped') == 1
{%- endif %}


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

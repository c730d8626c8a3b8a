{%- set database = cookiecutter.database != 'none' -%}
{%- set auth = cookiecutter.auth == 'password' -%}
{%- set redis = cookiecutter.broker == 'redis' -%}
""" Fixtures: the application under test and websocket clients connected to it.

pytest-tornasync runs async tests; async fixtures do not work on pytest 8.4+,
so the fixtures here return factories that a test awaits, and set-up that must
await runs on the test's own loop through ``io_loop.run_sync``.
"""
# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import asyncio
import base64
import json
import os
import socket
{% if cookiecutter.database == 'sqlite' -%}
import sqlite3
{% endif -%}
{% if database -%}
import subprocess
import sys
{% endif -%}
{% if cookiecutter.database == 'postgresql' or redis -%}
import uuid
{% endif -%}
from types import SimpleNamespace

{% if cookiecutter.database == 'postgresql' -%}
import asyncpg
{% endif -%}
import pytest
from tornado.httpclient import HTTPRequest
{% if auth -%}
from tornado.web import create_signed_value
{% endif -%}
from tornado.websocket import websocket_connect

{% if auth -%}
from {{ cookiecutter.package_name }}.accounts import Accounts
{% endif -%}
{% if redis -%}
from {{ cookiecutter.package_name }}.broker import RedisBroker
{% endif -%}
from {{ cookiecutter.package_name }}.main import make_app
{% if database -%}
from {{ cookiecutter.package_name }}.migrate import upgrade
from {{ cookiecutter.package_name }}.store import Store, make_engine
{% endif %}
{% if cookiecutter.database == 'postgresql' -%}
from .pg_server import PostgresServer
{% endif -%}
{% if redis -%}
from .redis_server import RedisServer
{% endif -%}
from .server_process import ServerProcess

COOKIE_SECRET = 'test-secret'
{%- if auth %}
MEMBER = {'email': 'ann@example.com', 'name': 'ann', 'password': 'correct horse'}
{%- endif %}
{%- if cookiecutter.database == 'postgresql' %}


@pytest.fixture(scope='session')
def postgres():
    """ one throwaway PostgreSQL server for the whole run """
    server = PostgresServer().start()
    yield server
    server.remove()


@pytest.fixture
def database_url(io_loop, postgres):
    """ a new, empty database on the test server for each test """
    name = f'test_{uuid.uuid4().hex}'

    async def create():
        connection = await asyncpg.connect(postgres.url().replace('+asyncpg', ''))
        await connection.execute(f'CREATE DATABASE {name}')
        await connection.close()

    io_loop.run_sync(create)
    return postgres.url(name)


@pytest.fixture
def outage(database_url):
    """ make tables go away (renamed), and come back: `await outage.begin('messages')` """
    dsn = database_url.replace('+asyncpg', '')

    class Outage:
        """ rename tables on the real database """

        hidden = ()

        async def rename(self, suffix_from, suffix_to):
            """ rename the hidden tables """
            connection = await asyncpg.connect(dsn)
            for table in self.hidden:
                await connection.execute(
                    f'ALTER TABLE {table}{suffix_from} RENAME TO {table}{suffix_to}'
                )
            await connection.close()

        async def begin(self, *tables):
            """ the tables go away """
            self.hidden = tables
            await self.rename('', '_away')

        async def end(self):
            """ the tables are back """
            await self.rename('_away', '')

    return Outage()
{%- elif cookiecutter.database == 'sqlite' %}


@pytest.fixture
def database_url(tmp_path):
    """ a new SQLite file for each test """
    return f'sqlite+aiosqlite:///{tmp_path}/chat.db'


@pytest.fixture
def outage(database_url):
    """ make tables go away (renamed), and come back: `await outage.begin('messages')` """
    path = database_url.split(':///', 1)[1]

    class Outage:
        """ rename tables in the real database file """

        hidden = ()

        def rename(self, suffix_from, suffix_to):
            """ rename the hidden tables """
            with sqlite3.connect(path) as connection:
                for table in self.hidden:
                    connection.execute(
                        f'ALTER TABLE {table}{suffix_from} RENAME TO {table}{suffix_to}'
                    )

        async def begin(self, *tables):
            """ the tables go away """
            self.hidden = tables
            self.rename('', '_away')

        async def end(self):
            """ the tables are back """
            self.rename('_away', '')

    return Outage()
{%- endif %}
{%- if database %}


@pytest.fixture
def run_module(database_url):
    """ a helper: `run_module('migrate', 'upgrade')` runs
    `python -m {{ cookiecutter.package_name }}.migrate upgrade` on this test's database """

    def run(module, *args):
        return subprocess.run(
            [sys.executable, '-m', f'{{ cookiecutter.package_name }}.{module}', *args],
            env={**os.environ, 'DATABASE_URL': database_url, 'PYTHONPATH': os.getcwd()},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )

    return run


@pytest.fixture
def store(io_loop, database_url):
    """ the history store on a migrated, empty database """
    engine = make_engine(database_url)
    io_loop.run_sync(lambda: upgrade(engine))
    history = Store(engine, history_size=5)
    yield history
    io_loop.run_sync(history.close)
{%- endif %}
{%- if auth %}


@pytest.fixture
def accounts(io_loop, store):
    """ the accounts, with ann able to log in; a short backoff for the tests """
    users = Accounts(store, backoff=0.2)
    member = io_loop.run_sync(
        lambda: users.add(MEMBER['email'], MEMBER['name'], MEMBER['password'])
    )
    users.member_id = member.id
    return users


@pytest.fixture
def app(store, accounts):
    """ a fresh application for each test """
    return make_app(
        {'cookie_secret': COOKIE_SECRET, 'store': store, 'accounts': accounts}
    )


@pytest.fixture
def member_cookie(accounts):
    """ the Cookie header of ann's login """
    value = create_signed_value(COOKIE_SECRET, 'user', str(accounts.member_id))
    return f'user={value.decode()}'
{%- elif database %}


@pytest.fixture
def app(store):
    """ a fresh application for each test """
    return make_app({'cookie_secret': COOKIE_SECRET, 'store': store})
{%- else %}


@pytest.fixture
def app():
    """ a fresh application for each test """
    return make_app({'cookie_secret': COOKIE_SECRET})
{%- endif %}


{% if redis -%}
@pytest.fixture(scope='session')
def redis_server():
    """ one throwaway Redis server for the whole run """
    server = RedisServer().start()
    yield server
    server.remove()


@pytest.fixture
def brokers(io_loop, redis_server):
    """ a factory of Redis brokers on a channel of this test's own; closed after """
    channel = f'test-{uuid.uuid4().hex}'
    made = []

    def make(**options):
        broker = RedisBroker(redis_server.url, channel=channel, **options)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        io_loop.run_sync(broker.close)


{% endif -%}
@pytest.fixture
def server_options(tmp_path{% if database %}, database_url{% endif %}{% if redis %}, redis_server{% endif %}):
    """ what a server started by a test needs here: .argv options and .env variables """
    argv = [f'--env_file={tmp_path}/none']
    env = {'COOKIE_SECRET': COOKIE_SECRET}
{%- if database %}
    argv.append(f'--database_url={database_url}')
    env['DATABASE_URL'] = database_url
{%- endif %}
{%- if redis %}
    argv.append(f'--redis_url={redis_server.url}')
    env['REDIS_URL'] = redis_server.url
{%- endif %}
    return SimpleNamespace(argv=argv, env=env)


@pytest.fixture
def launch(tmp_path, server_options):
    """ a factory: `server = launch('--port=N')` runs the server as users do,
    in a process of its own; nothing it started outlives the test """
    started = []

    def start(*args):
        env = {**os.environ, 'PYTHONPATH': os.getcwd(), **server_options.env}
        started.append(ServerProcess(args, tmp_path, env))
        return started[-1]

    yield start
    for server in started:
        server.kill()


@pytest.fixture
def ws_url(http_server, http_server_port):
    """ the websocket address of the running test server """
    assert http_server
    return f'ws://127.0.0.1:{http_server_port[1]}/ws'


@pytest.fixture
{%- if auth %}
def ws_connect(ws_url, member_cookie):
{%- else %}
def ws_connect(ws_url):
{%- endif %}
    """ a factory: `client = await ws_connect(origin=...)`; all closed after the test
{%- if database %}

    The history frame every client gets first is read and kept as
    ``client.history``, unless history=False.
{%- endif %}
{%- if auth %}
    Clients are logged in as ann unless cookie=None.
{%- endif %}
    """
    clients = []

{%- if auth %}

    async def connect(origin=None, history=True, cookie=member_cookie, url=ws_url):
        headers = {'Origin': origin} if origin else {}
        if cookie:
            headers['Cookie'] = cookie
{%- elif database %}

    async def connect(origin=None, history=True, url=ws_url):
        headers = {'Origin': origin} if origin else {}
{%- else %}

    async def connect(origin=None, url=ws_url):
        headers = {'Origin': origin} if origin else {}
{%- endif %}
        client = await websocket_connect(HTTPRequest(url, headers=headers))
        clients.append(client)
{%- if database %}
        if history:
            client.history = json.loads(await client.read_message())
{%- endif %}
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
{%- if auth %}
def raw_connect(http_server, http_server_port, member_cookie):
{%- else %}
def raw_connect(http_server, http_server_port):
{%- endif %}
    """ a factory: a websocket client that completes the handshake, then never reads

    `writer = await raw_connect(receive_buffer=4096)`; the test closes writer.
    """
    assert http_server
    port = http_server_port[1]

    async def connect(receive_buffer=None):
        sock = socket.socket()
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ('127.0.0.1', port))
        reader, writer = await asyncio.open_connection(sock=sock)
        key = base64.b64encode(os.urandom(16)).decode()
        request = [
            'GET /ws HTTP/1.1',
            f'Host: 127.0.0.1:{port}',
            'Upgrade: websocket',
            'Connection: Upgrade',
            f'Sec-WebSocket-Key: {key}',
            'Sec-WebSocket-Version: 13',
{%- if auth %}
            f'Cookie: {member_cookie}',
{%- endif %}
        ]
        writer.write(('\r\n'.join(request) + '\r\n\r\n').encode())
        response = await reader.readuntil(b'\r\n\r\n')
        assert response.startswith(b'HTTP/1.1 101'), response
{%- if database %}
        # the history comes first: read it, so the client is past joining
        header = await reader.readexactly(2)
        size = header[1] & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), 'big')
        assert json.loads(await reader.readexactly(size))['type'] == 'history'
{%- endif %}
        return writer

    return connect


@pytest.fixture
def send():
    """ a helper: `await send(client, name=..., text=...)` writes one JSON frame """

    async def write(client, **fields):
        await client.write_message(json.dumps(fields))

    return write


@pytest.fixture
def receive():
    """ a helper: `await receive(client)` reads and decodes one JSON frame """

    async def read(client):
        frame = await client.read_message()
        assert frame is not None, 'the connection closed'
        return json.loads(frame)

    return read

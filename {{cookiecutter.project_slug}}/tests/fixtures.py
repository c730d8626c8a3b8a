"""Fixtures of every bake: the application under test and websocket clients.

pytest-tornasync runs async tests; async fixtures do not work on pytest 8.4+,
so the fixtures here return factories that a test awaits, and set-up that must
await runs on the test's own loop through ``io_loop.run_sync``.
"""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import asyncio
import base64
import itertools
import json
import os
import socket
import uuid
from types import SimpleNamespace

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from {{ cookiecutter.package_name }}.main import make_app

from .nginx_server import NginxServer, make_certificate
from .ports import free_port
from .server_process import ServerProcess

COOKIE_SECRET = 'test-secret'
# the browser behind a proxy, "on another machine": loopback has every 127.x.y.z
CLIENT_IP = '127.0.0.2'


@pytest.fixture
def app_settings():
    """the settings of the application under test; option plugins add theirs"""
    return {'cookie_secret': COOKIE_SECRET}


@pytest.fixture
def app(app_settings):
    """a fresh application for each test"""
    return make_app(app_settings)


@pytest.fixture
def server_options(tmp_path):
    """what a server started by a test needs: .argv options and .env variables;
    option plugins add theirs"""
    return SimpleNamespace(
        argv=[f'--env_file={tmp_path}/none'], env={'COOKIE_SECRET': COOKIE_SECRET}
    )


@pytest.fixture
def launch(tmp_path, server_options):
    """a factory: `server = launch('--port=N')` runs the server as users do,
    in a process of its own; nothing it started outlives the test"""
    started = []

    def start(*args):
        env = {**os.environ, 'PYTHONPATH': os.getcwd(), **server_options.env}
        started.append(ServerProcess([*args, *server_options.argv], tmp_path, env))
        return started[-1]

    yield start
    for server in started:
        server.kill()


@pytest.fixture(scope='session')
def tls_certificate(tmp_path_factory):
    """a self-signed certificate for 127.0.0.1, made once: (certificate, key)"""
    return make_certificate(tmp_path_factory.mktemp('tls'))


@pytest.fixture
def nginx(tls_certificate):
    """a factory: `proxy = nginx(port)`, a throwaway nginx on loopback that
    proxies https (proxy.https_url) and http (proxy.http_url) to the chat
    server on port, as the README says; removed after the test"""
    started = []

    def start(upstream):
        started.append(NginxServer(upstream, *tls_certificate).start())
        return started[-1]

    yield start
    for proxy in started:
        proxy.remove()


@pytest.fixture
def behind_nginx(launch, nginx):
    """a factory: `server, proxy = await behind_nginx('--xheaders')`, a chat
    server started with those options on loopback, and nginx in front of it"""

    async def start(*options):
        port = free_port()
        server = launch(f'--port={port}', '--address=127.0.0.1', *options)
        await server.until_said('chat server on')
        return server, nginx(port)

    return start


@pytest.fixture
def proxy_request(tls_certificate):
    """a helper: `proxy_request(url, **kwargs)`, an HTTPRequest (for fetch or
    websocket_connect) from CLIENT_IP that trusts the test certificate"""

    def make(url, **kwargs):
        return HTTPRequest(
            url,
            ca_certs=str(tls_certificate[0]),
            network_interface=CLIENT_IP,
            **kwargs,
        )

    return make


@pytest.fixture
def ws_url(http_server, http_server_port):
    """the websocket address of the running test server"""
    assert http_server
    return f'ws://127.0.0.1:{http_server_port[1]}/ws'


@pytest.fixture
def ws_headers():
    """the HTTP headers every test client sends; the login plugin adds its cookie"""
    return {}


@pytest.fixture
def ws_connect(ws_url, ws_headers):
    """a factory: `client = await ws_connect(origin=...)`; all closed after the test

    Each client joins the room `general` as `ann` (or room=, name=, as join()
    takes them), and keeps the join's result as ``client.history`` ({room,
    messages, members, truncated}), unless history=False. Clients send
    ws_headers, unless headers are given.
    """
    clients = []

    async def connect(origin=None, history=True, headers=None, url=ws_url, **joining):
        sent = dict(ws_headers if headers is None else headers)
        if origin:
            sent['Origin'] = origin
        client = await websocket_connect(HTTPRequest(url, headers=sent))
        clients.append(client)
        if history:
            client.history = await join(client, **joining)
        return client

    yield connect
    for client in clients:
        client.close()


def request(method, request_id='1', **params):
    """a JSON-RPC 2.0 request, encoded"""
    return json.dumps(
        {'jsonrpc': '2.0', 'id': request_id, 'method': method, 'params': params}
    )


def say(text, name='ann', room='general', client_id=None):
    """a send request of text, encoded"""
    client_id = client_id or uuid.uuid4().hex
    return request('send', 's', room=room, name=name, text=text, client_id=client_id)


async def next_frame(client):
    """the next frame a client receives, decoded (presence included)"""
    frame = await client.read_message()
    assert frame is not None, 'the connection closed'
    return json.loads(frame)


async def read_answer(client, request_id):
    """the answer to request_id (frames before it that are notifications are skipped)"""
    while True:
        frame = await next_frame(client)
        if 'method' not in frame:
            assert frame['id'] == request_id, frame
            return frame


async def join(client, room='general', name='ann', **params):
    """join room as name; the join's result (an error: AssertionError)"""
    await client.write_message(request('join', 'join', room=room, name=name, **params))
    answer = await read_answer(client, 'join')
    assert 'result' in answer, answer
    return answer['result']


@pytest.fixture
def raw_connect(http_server, http_server_port, ws_headers):
    """a factory: a websocket client that completes the handshake, then never reads

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
        lines = [
            'GET /ws HTTP/1.1',
            f'Host: 127.0.0.1:{port}',
            'Upgrade: websocket',
            'Connection: Upgrade',
            f'Sec-WebSocket-Key: {key}',
            'Sec-WebSocket-Version: 13',
            *(f'{name}: {value}' for name, value in ws_headers.items()),
        ]
        writer.write(('\r\n'.join(lines) + '\r\n\r\n').encode())
        response = await reader.readuntil(b'\r\n\r\n')
        assert response.startswith(b'HTTP/1.1 101'), response
        # join, and read the answer, so the client is past joining
        payload = request('join', 'join', room='general', name='ann').encode()
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        writer.write(bytes((0x81, 0x80 | len(payload))) + mask + masked)
        header = await reader.readexactly(2)
        size = header[1] & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), 'big')
        assert json.loads(await reader.readexactly(size))['id'] == 'join'
        return writer

    return connect


@pytest.fixture
def send():
    """a helper: `await send(client, name=..., text=...)` sends one message to
    the room `general` (room=, client_id=: a fresh one by default); returns the
    request's id"""
    sent = itertools.count(1)

    async def write(client, room='general', client_id=None, **params):
        number = next(sent)
        client_id = client_id or f'c{number}-{uuid.uuid4().hex[:8]}'
        await client.write_message(
            request('send', f's{number}', room=room, client_id=client_id, **params)
        )
        return f's{number}'

    return write


async def notified(client):
    """the next frame client receives that is not a presence notification"""
    while True:
        frame = await next_frame(client)
        if not isinstance(frame, dict) or frame.get('method') != 'presence':
            return frame


async def heard(client):
    """the params of the next message notification client receives (answers
    and typing before it are skipped; an error fails)"""
    while True:
        frame = await notified(client)
        assert 'error' not in frame, frame
        if frame.get('method') == 'message':
            return frame['params']


@pytest.fixture
def receive():
    """a helper: `await receive(client)` reads and decodes the next frame that
    is not a presence notification"""
    return notified


@pytest.fixture
def said():
    """a helper: `await said(client)`, the params of the next message
    notification (answers and typing before it are skipped; an error fails)"""
    return heard


@pytest.fixture
def answer_of():
    """a helper: `await answer_of(client, request_id)`, the answer to a request
    (notifications before it are skipped)"""
    return read_answer

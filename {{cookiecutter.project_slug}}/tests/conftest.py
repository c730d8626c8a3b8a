""" Fixtures: the application under test and websocket clients connected to it.

pytest-tornasync runs async tests; async fixtures do not work on pytest 8.4+,
so the fixtures here return factories that a test awaits.
"""
import json

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from {{ cookiecutter.package_name }}.main import make_app


@pytest.fixture
def app():
    """ a fresh application for each test """
    return make_app({'cookie_secret': 'test-secret'})


@pytest.fixture(name='ws_url')
def fixture_ws_url(http_server, http_server_port):
    """ the websocket address of the running test server """
    assert http_server
    return f'ws://127.0.0.1:{http_server_port[1]}/ws'


@pytest.fixture
def ws_connect(ws_url):
    """ a factory: `client = await ws_connect(origin=...)`; all closed after the test """
    clients = []

    async def connect(origin=None, **options):
        headers = {'Origin': origin} if origin else {}
        request = HTTPRequest(ws_url, headers=headers)
        client = await websocket_connect(request, **options)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


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

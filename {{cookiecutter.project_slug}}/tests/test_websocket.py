"""The chat over real websockets: fan-out, origin check and bad input."""

import asyncio
import json

import pytest
from tornado.httpclient import HTTPClientError

from {{ cookiecutter.package_name }}.chat_part import MAX_FRAME_BYTES
from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.protocol import chat_message

from .fixtures import heard, next_frame, notified, request, say
from .waiting import sweep, wait_for

FOREIGN_ORIGIN = 'http://elsewhere.example:3000'


class GatedHistory:
    """the application's history, whose reads wait until the test opens the gate"""

    def __init__(self, history):
        self.history = history
        self.gate = asyncio.Event()

    async def add(self, name, text, ts, room):
        """keep the message at once"""
        return await self.history.add(name, text, ts, room)

    async def recent(self, room):
        """wait for the gate, then read the history"""
        await self.gate.wait()
        return await self.history.recent(room)


class BrokenHistory:
    """a history whose database is away: every call raises Unavailable"""

    async def add(self, name, text, ts, room):
        """nothing can be kept"""
        raise Unavailable('the database is away')

    async def recent(self, room):
        """nothing can be read"""
        raise Unavailable('the database is away')

    async def before(self, room, before_id, limit):
        """nothing can be read"""
        raise Unavailable('the database is away')


async def test_everyone_receives_each_message(ws_connect, send, receive, said):
    """the sender is answered first, then everyone, the sender too, gets the
    same stamped message"""
    clients = [await ws_connect() for _ in range(3)]
    request_id = await send(clients[0], name='ann', text='hello, world')
    answer = await receive(clients[0])
    assert answer['id'] == request_id
    received = [await said(client) for client in clients]
    assert received[0] == {
        'id': answer['result']['id'],
        'room': 'general',
        'name': 'ann',
        'text': 'hello, world',
        'ts': answer['result']['ts'],
    }
    assert isinstance(received[0]['ts'], float)
    assert received == [received[0]] * 3


async def test_markup_is_passed_on_as_text(ws_connect, send, said):
    """the server neither strips nor escapes text: the client shows it as text"""
    client = await ws_connect()
    await send(client, name='ann', text='<script>alert(1)</script>')
    message = await said(client)
    assert message['text'] == '<script>alert(1)</script>'


async def test_foreign_origin_is_refused(ws_connect):
    """a page from another site may not open the socket"""
    with pytest.raises(HTTPClientError) as refused:
        await ws_connect(origin=FOREIGN_ORIGIN)
    assert refused.value.code == 403


async def test_same_origin_is_accepted(ws_connect, http_server_port, send, said):
    """the page the server itself serves may open the socket"""
    client = await ws_connect(origin=f'http://127.0.0.1:{http_server_port[1]}')
    await send(client, name='ann', text='hi')
    assert (await said(client))['text'] == 'hi'


async def test_debug_accepts_any_origin(app, ws_connect, send, said):
    """in debug mode the vite dev server's page may connect"""
    app.settings['debug'] = True
    client = await ws_connect(origin=FOREIGN_ORIGIN)
    await send(client, name='ann', text='hi')
    assert (await said(client))['text'] == 'hi'


def send_request(**params):
    """a send request in general, with params over the defaults"""
    defaults = {'room': 'general', 'name': 'ann', 'text': 'hi', 'client_id': 'x1'}
    return json.dumps(
        {'jsonrpc': '2.0', 'id': 7, 'method': 'send', 'params': {**defaults, **params}}
    )


def join_request(**params):
    """a join request of general, with params over the defaults"""
    params = {'room': 'general', 'name': 'ann', **params}
    return json.dumps({'jsonrpc': '2.0', 'id': 8, 'method': 'join', 'params': params})


@pytest.mark.parametrize(
    'frame, code, reason',
    [
        ('not json at all', -32700, 'not JSON'),
        (b'\x00binary', -32700, 'binary'),
        ('[' * 20000 + ']' * 20000, -32700, 'nested too deeply'),
        ('"a string"', -32600, 'not a JSON-RPC 2.0 request'),
        ('{"jsonrpc": "1.0", "id": 1, "method": "send"}', -32600, 'JSON-RPC 2.0'),
        ('{"jsonrpc": "2.0", "id": 1, "method": 5}', -32600, 'method'),
        (
            '{"jsonrpc": "2.0", "id": 1, "method": "send", "params": 5}',
            -32600,
            'params',
        ),
        ('{"jsonrpc": "2.0", "id": {}, "method": "send"}', -32600, 'id'),
        ('{"jsonrpc": "2.0", "id": 1, "method": "shout"}', -32601, 'no such method'),
        (
            '{"jsonrpc": "2.0", "id": 1, "method": "send", "params": [1]}',
            -32602,
            'named',
        ),
        (send_request(text='   '), -32602, 'empty'),
        (send_request(text='x' * 2001), -32001, 'longer than 2000'),
        (send_request(text='\ud800'), -32602, 'not valid unicode'),
        (send_request(room='Not A Room'), -32602, 'room: 1 to 32'),
        (send_request(room='elsewhere'), -32003, 'join the room "elsewhere" first'),
        (send_request(client_id='a b'), -32602, 'client_id'),
        (join_request(after=1 << 70), -32602, 'after must be a message id'),
        ('[]', -32600, 'a batch holds 1 to 20'),
        ('[' + ','.join(['{}'] * 21) + ']', -32600, 'a batch holds 1 to 20'),
    ],
)
async def test_bad_input_gets_an_error_and_the_room_goes_on(
    ws_connect, frame, code, reason, caplog
):
    """the sender is told why; nobody else hears it; everyone keeps chatting;
    and the log holds no traceback"""
    sender, other = await ws_connect(), await ws_connect()
    await sender.write_message(frame, binary=isinstance(frame, bytes))
    error = (await notified(sender))['error']
    assert error['code'] == code
    assert reason in error['message']
    await sender.write_message(say('still here'))
    for client in (sender, other):
        assert (await heard(client))['text'] == 'still here'
    assert not [record for record in caplog.records if record.exc_info]


async def test_an_oversized_frame_closes_only_its_sender(ws_connect, send, said):
    """a frame over the size limit closes that socket with 1009"""
    sender, other = await ws_connect(), await ws_connect(name='bob')
    await sender.write_message('x' * (MAX_FRAME_BYTES + 1))
    while await sender.read_message() is not None:
        pass  # bob's arrival, then the close
    assert sender.close_code == 1009
    await send(other, name='bob', text='still serving')
    assert (await said(other))['text'] == 'still serving'


async def test_a_closing_client_does_not_break_a_broadcast(app, ws_connect):
    """a client closing while a message goes out is dropped; the rest receive"""
    clients = [await ws_connect() for _ in range(3)]
    assert (await next_frame(clients[0]))['params']['joined'] == ['ann']
    hub = app.settings['hub']
    closing = next(iter(hub.clients))
    closing.close()
    hub.publish('general', chat_message(1, 'general', 'ann', 'after the close', 1.0))
    received = [await client.read_message() for client in clients]
    assert received.count(None) == 1
    for frame in filter(None, received):
        assert json.loads(frame)['params']['text'] == 'after the close'
    assert closing not in hub.clients
    assert len(hub.clients) == 2


async def test_a_vanished_client_is_forgotten(app, ws_connect):
    """a client that disconnects leaves the hub"""
    client = await ws_connect()
    hub = app.settings['hub']
    assert len(hub.clients) == 1
    client.close()
    for _ in range(100):
        if not hub.clients:
            break
        await asyncio.sleep(0.01)
    assert not hub.clients


async def test_a_history_that_fails_is_told_and_the_room_goes_on(
    app, ws_connect, send, said, caplog
):
    """nothing kept, nothing sent: an error for the sender, a log line; a join
    meanwhile gets no messages and says some may be missing"""
    kept = app.settings['history']
    app.settings['history'] = BrokenHistory()
    client = await ws_connect()
    assert client.history == {
        'room': 'general',
        'messages': [],
        'members': ['ann'],
        'count': 1,
        'truncated': True,
    }
    request_id = await send(client, name='ann', text='lost')
    assert await notified(client) == {
        'jsonrpc': '2.0',
        'id': request_id,
        'error': {
            'code': -32002,
            'message': 'the message could not be stored; try again',
        },
    }
    await client.write_message(request('history', 'h', room='general', before=5))
    answer = await notified(client)
    assert answer['error'] == {
        'code': -32002,
        'message': 'the history could not be read; try again',
    }
    assert 'message not stored: the database is away' in caplog.text
    app.settings['history'] = kept
    await send(client, name='ann', text='kept again')
    assert (await said(client))['text'] == 'kept again'


async def test_what_arrives_while_the_history_is_read_comes_after_it(
    app, ws_connect, send, said
):
    """a joining client misses nothing and gets nothing twice"""
    first = await ws_connect()
    gated = app.settings['history'] = GatedHistory(app.settings['history'])
    joining = asyncio.ensure_future(ws_connect(name='bob'))
    await wait_for(lambda: app.settings['hub'].members('general')[1] == 2)
    await send(first, name='ann', text='while you were joining')
    await said(first)
    gated.gate.set()
    late = await joining
    await send(first, name='ann', text='and after')
    # in the history when it was stored there, else in a frame after it: once
    seen = [message['text'] for message in late.history['messages']]
    while not seen or seen[-1] != 'and after':
        seen.append((await said(late))['text'])
    assert seen == ['while you were joining', 'and after']


async def test_a_client_waiting_for_its_history_still_answers_pings(app, ws_connect):
    """pings wait while a request is answered: a slow history read is no timeout"""
    hub = app.settings['hub']
    hub.ping_interval = 0  # swept by hand: a loaded machine is no timeout
    first = await ws_connect()
    gated = app.settings['history'] = GatedHistory(app.settings['history'])
    joining = asyncio.ensure_future(ws_connect(name='bob'))
    await wait_for(lambda: hub.members('general')[1] == 2)
    # read what came (ann's and bob's arrivals): a client that does not read
    # does not answer pings either
    for name in ('ann', 'bob'):
        assert (await next_frame(first))['params']['joined'] == [name]
    for _ in range(3):  # sweeps while the second client waits for its history
        await sweep(hub)
    gated.gate.set()
    late = await joining
    await sweep(hub)  # and once it has joined, it answers like the first
    assert late.history['messages'] == []
    assert len(hub.clients) == 2
    hub.close_all(1001, 'done')
    assert await first.read_message() is None

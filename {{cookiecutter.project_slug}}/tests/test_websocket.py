"""The chat over real websockets: fan-out, origin check and bad input."""

import asyncio
import json

import pytest
from tornado.httpclient import HTTPClientError

from {{ cookiecutter.package_name }}.chat_part import MAX_FRAME_BYTES
from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.protocol import chat_message

from .waiting import sweep, wait_for

FOREIGN_ORIGIN = 'http://elsewhere.example:3000'


class GatedHistory:
    """the application's history, whose reads wait until the test opens the gate"""

    def __init__(self, history):
        self.history = history
        self.gate = asyncio.Event()

    async def add(self, name, text, ts):
        """keep the message at once"""
        return await self.history.add(name, text, ts)

    async def recent(self):
        """wait for the gate, then read the history"""
        await self.gate.wait()
        return await self.history.recent()


class BrokenHistory:
    """a history whose database is away: every call raises Unavailable"""

    async def add(self, name, text, ts):
        """nothing can be kept"""
        raise Unavailable('the database is away')

    async def recent(self):
        """nothing can be read"""
        raise Unavailable('the database is away')


async def test_everyone_receives_each_message(ws_connect, send, receive):
    """the sender and every other client get the same stamped message"""
    clients = [await ws_connect() for _ in range(3)]
    await send(clients[0], name='ann', text='hello, world')
    received = [await receive(client) for client in clients]
    assert received[0]['type'] == 'message'
    assert received[0]['name'] == 'ann'
    assert received[0]['text'] == 'hello, world'
    assert isinstance(received[0]['ts'], float)
    assert received == [received[0]] * 3


async def test_markup_is_passed_on_as_text(ws_connect, send, receive):
    """the server neither strips nor escapes text: the client shows it as text"""
    client = await ws_connect()
    await send(client, name='ann', text='<script>alert(1)</script>')
    message = await receive(client)
    assert message['text'] == '<script>alert(1)</script>'


async def test_foreign_origin_is_refused(ws_connect):
    """a page from another site may not open the socket"""
    with pytest.raises(HTTPClientError) as refused:
        await ws_connect(origin=FOREIGN_ORIGIN)
    assert refused.value.code == 403


async def test_same_origin_is_accepted(ws_connect, http_server_port, send, receive):
    """the page the server itself serves may open the socket"""
    client = await ws_connect(origin=f'http://127.0.0.1:{http_server_port[1]}')
    await send(client, name='ann', text='hi')
    assert (await receive(client))['text'] == 'hi'


async def test_debug_accepts_any_origin(app, ws_connect, send, receive):
    """in debug mode the vite dev server's page may connect"""
    app.settings['debug'] = True
    client = await ws_connect(origin=FOREIGN_ORIGIN)
    await send(client, name='ann', text='hi')
    assert (await receive(client))['text'] == 'hi'


@pytest.mark.parametrize(
    'frame, reason',
    [
        ('not json at all', 'not JSON'),
        ('{"name": "ann"}', 'strings'),
        ('["ann", "hi"]', 'JSON object'),
        ('{"name": "ann", "text": "   "}', 'empty'),
        ('{"name": "ann", "text": "' + 'x' * 2001 + '"}', 'longer than 2000'),
        (b'\x00binary', 'binary'),
        ('{"name": "ann", "text": "\\ud800"}', 'not valid unicode'),
        ('[' * 20000 + ']' * 20000, 'nested too deeply'),
        ('{"name": "innocent\u202egnp.exe", "text": "hi"}', 'control characters'),
    ],
)
async def test_bad_input_gets_an_error_and_the_room_goes_on(
    ws_connect, receive, frame, reason, caplog
):
    """the sender is told why; nobody else hears it; everyone keeps chatting;
    and the log holds no traceback"""
    sender, other = await ws_connect(), await ws_connect()
    await sender.write_message(frame, binary=isinstance(frame, bytes))
    error = await receive(sender)
    assert error['type'] == 'error'
    assert reason in error['error']
    await sender.write_message(json.dumps({'name': 'ann', 'text': 'still here'}))
    for client in (sender, other):
        assert (await receive(client))['text'] == 'still here'
    assert not [record for record in caplog.records if record.exc_info]


async def test_an_oversized_frame_closes_only_its_sender(ws_connect, send, receive):
    """a frame over the size limit closes that socket with 1009"""
    sender, other = await ws_connect(), await ws_connect()
    await sender.write_message('x' * (MAX_FRAME_BYTES + 1))
    assert await sender.read_message() is None
    assert sender.close_code == 1009
    await send(other, name='bob', text='still serving')
    assert (await receive(other))['text'] == 'still serving'


async def test_a_closing_client_does_not_break_a_broadcast(app, ws_connect):
    """a client closing while a message goes out is dropped; the rest receive"""
    clients = [await ws_connect() for _ in range(3)]
    hub = app.settings['hub']
    closing = next(iter(hub.clients))
    closing.close()
    hub.publish(chat_message('ann', 'after the close', 1.0))
    received = [await client.read_message() for client in clients]
    assert received.count(None) == 1
    for frame in filter(None, received):
        assert json.loads(frame)['text'] == 'after the close'
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
    app, ws_connect, send, receive, caplog
):
    """nothing kept, nothing sent: an error frame for the sender, a log line"""
    kept = app.settings['history']
    app.settings['history'] = BrokenHistory()
    client = await ws_connect(history=False)
    assert await receive(client) == {
        'type': 'error',
        'error': 'the history is unavailable just now',
    }
    await send(client, name='ann', text='lost')
    assert await receive(client) == {
        'type': 'error',
        'error': 'the message could not be stored; try again',
    }
    assert 'message not stored: the database is away' in caplog.text
    app.settings['history'] = kept
    await send(client, name='ann', text='kept again')
    assert (await receive(client))['text'] == 'kept again'


async def test_what_arrives_while_the_history_is_read_comes_after_it(
    app, ws_connect, send, receive
):
    """a joining client misses nothing and gets nothing twice"""
    first = await ws_connect()
    gated = app.settings['history'] = GatedHistory(app.settings['history'])
    joining = asyncio.ensure_future(ws_connect())
    while len(app.settings['hub'].clients) < 2:
        await asyncio.sleep(0.01)
    await send(first, name='ann', text='while you were joining')
    await receive(first)
    app.settings['hub'].publish({'type': 'status', 'status': 'still up'})
    gated.gate.set()
    late = await joining
    # in the history when it was stored there, else in a frame after it: once
    seen = list(late.history['messages'])
    frame = await receive(late)
    while frame['type'] == 'message':
        seen.append(frame)
        frame = await receive(late)
    assert [message['text'] for message in seen] == ['while you were joining']
    assert frame == {'type': 'status', 'status': 'still up'}
    await send(first, name='ann', text='and after')
    assert (await receive(late))['text'] == 'and after'


async def test_a_client_waiting_for_its_history_still_answers_pings(app, ws_connect):
    """pings are not held back with the frames: a slow history read is no timeout"""
    hub = app.settings['hub']
    hub.ping_interval = 0  # swept by hand: a loaded machine is no timeout
    first = await ws_connect()
    gated = app.settings['history'] = GatedHistory(app.settings['history'])
    joining = asyncio.ensure_future(ws_connect())
    await wait_for(lambda: len(hub.clients) == 2)
    for _ in range(3):  # sweeps while the second client waits for its history
        await sweep(hub)
    gated.gate.set()
    late = await joining
    await sweep(hub)  # and once it has joined, it answers like the first
    assert late.history == {'type': 'history', 'messages': []}
    assert len(hub.clients) == 2
    hub.close_all(1001, 'done')
    assert await first.read_message() is None

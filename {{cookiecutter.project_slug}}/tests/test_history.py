""" History over the websocket: stored before broadcast, sent first on connect. """
import asyncio
import json
import logging

from {{ cookiecutter.package_name }}.protocol import encode
from {{ cookiecutter.package_name }}.store import Store
from {{ cookiecutter.package_name }}.websocket import unseen


class GatedStore(Store):
    """ the real store, whose history read waits until the test opens the gate """

    def __init__(self, store):
        super().__init__(store.engine, store.history_size)
        self.gate = asyncio.Event()

    async def recent(self):
        """ wait for the gate, then read the history """
        await self.gate.wait()
        return await super().recent()


async def test_a_new_client_gets_an_empty_history_first(ws_connect):
    """ the first frame is the history, even when there is none """
    client = await ws_connect()
    assert client.history == {'type': 'history', 'messages': []}


async def test_messages_are_stored_before_they_are_sent(
    ws_connect, send, receive, store
):
    """ what a client receives is already in the store, with its id """
    client = await ws_connect()
    await send(client, name='ann', text='kept')
    message = await receive(client)
    assert await store.recent() == [message]
    assert isinstance(message['id'], int)


async def test_a_late_comer_gets_the_recent_history(ws_connect, send, receive):
    """ the last messages, oldest first, limited to the history size """
    first = await ws_connect()
    for number in range(7):
        await send(first, name='ann', text=f'message {number}')
        await receive(first)
    late = await ws_connect()
    texts = [message['text'] for message in late.history['messages']]
    assert texts == [f'message {number}' for number in range(2, 7)]


async def test_what_arrives_while_the_history_is_read_comes_after_it(
    app, store, ws_connect, send, receive
):
    """ a joining client misses nothing and gets nothing twice """
    first = await ws_connect()
    gated = app.settings['store'] = GatedStore(store)
    joining = asyncio.ensure_future(ws_connect())
    while len(app.settings['hub'].clients) < 2:
        await asyncio.sleep(0.01)
    await send(first, name='ann', text='while you were joining')
    said = await receive(first)
    app.settings['hub'].publish({'type': 'status', 'status': 'still up'})
    gated.gate.set()
    late = await joining
    assert late.history['messages'] == [said]
    assert await receive(late) == {'type': 'status', 'status': 'still up'}
    await send(first, name='ann', text='and after')
    assert (await receive(late))['text'] == 'and after'


async def test_a_client_waiting_for_its_history_still_answers_pings(
    app, store, ws_connect
):
    """ pings are not held back with the frames: a slow history read is no timeout """
    hub = app.settings['hub']
    hub.ping_interval = 0.05
    first = await ws_connect()
    gated = app.settings['store'] = GatedStore(store)
    joining = asyncio.ensure_future(ws_connect())
    while len(hub.clients) < 2:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)
    gated.gate.set()
    late = await joining
    assert late.history == {'type': 'history', 'messages': []}
    assert len(hub.clients) == 2
    hub.close_all(1001, 'done')
    assert await first.read_message() is None


def test_frames_already_in_the_history_are_not_sent_twice():
    """ of the frames that arrived while the history was read, only newer ones go out """
    frames = [
        encode({'type': 'message', 'id': 3}),
        encode({'type': 'message', 'id': 4}),
        json.dumps({'type': 'status', 'status': 'ok'}),
    ]
    assert unseen(frames, newest=3) == frames[1:]


async def test_a_database_outage_is_reported_and_survived(
    ws_connect, send, receive, outage, caplog
):
    """ the sender gets an error frame and the log a line; the server goes on """
    sender, other = await ws_connect(), await ws_connect()
    await outage.begin('messages')
    with caplog.at_level(logging.ERROR):
        await send(sender, name='ann', text='lost')
        assert await receive(sender) == {
            'type': 'error',
            'error': 'the message could not be stored; try again',
        }
        late = await ws_connect(history=False)
        assert await receive(late) == {
            'type': 'error',
            'error': 'the history is unavailable just now',
        }
    assert 'message not stored' in caplog.text
    assert 'history unavailable' in caplog.text
    await outage.end()
    await send(sender, name='ann', text='back again')
    for client in (sender, other, late):
        assert (await receive(client))['text'] == 'back again'
{%- if cookiecutter.database == 'postgresql' %}


async def test_the_database_server_going_away_is_survived(
    ws_connect, send, receive, postgres, caplog
):
    """ PostgreSQL stops mid-chat: an error frame, a log line, and back when it is """
    client = await ws_connect()
    postgres.stop()
    try:
        with caplog.at_level(logging.ERROR):
            await send(client, name='ann', text='lost')
            assert (await receive(client))['type'] == 'error'
        assert 'message not stored' in caplog.text
    finally:
        postgres.start()
    await send(client, name='ann', text='back again')
    assert (await receive(client))['text'] == 'back again'
{%- endif %}

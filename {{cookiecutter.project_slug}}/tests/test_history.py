"""History over the websocket: stored before broadcast, sent first on connect."""

import asyncio
import json
import logging

from {{ cookiecutter.package_name }}.protocol import encode
from {{ cookiecutter.package_name }}.websocket import unseen


async def test_a_new_client_gets_an_empty_history_first(ws_connect):
    """the first frame is the history, even when there is none"""
    client = await ws_connect()
    assert client.history == {'type': 'history', 'messages': []}


async def test_messages_are_stored_before_they_are_sent(
    ws_connect, send, receive, store
):
    """what a client receives is already in the store, with its id"""
    client = await ws_connect()
    await send(client, name='ann', text='kept')
    message = await receive(client)
    assert await store.recent() == [message]
    assert isinstance(message['id'], int)


async def test_a_late_comer_gets_the_recent_history(ws_connect, send, receive):
    """the last messages, oldest first, limited to the history size"""
    first = await ws_connect()
    for number in range(7):
        await send(first, name='ann', text=f'message {number}')
        await receive(first)
    late = await ws_connect()
    texts = [message['text'] for message in late.history['messages']]
    assert texts == [f'message {number}' for number in range(2, 7)]


def test_frames_already_in_the_history_are_not_sent_twice():
    """of the frames that arrived while the history was read, only newer ones go out"""
    frames = [
        encode({'type': 'message', 'id': 3}),
        encode({'type': 'message', 'id': 4}),
        json.dumps({'type': 'status', 'status': 'ok'}),
    ]
    assert unseen(frames, newest=3) == frames[1:]


async def test_a_database_outage_is_reported_and_survived(
    ws_connect, send, receive, outage, caplog
):
    """the sender gets an error frame and the log a line; the server goes on"""
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


async def test_messages_said_at_once_reach_everyone_in_id_order(
    ws_connect, send, receive
):
    """twenty senders at once, stored in batches: every client receives every
    message, in the order of their ids"""
    clients = [await ws_connect() for _ in range(20)]
    await asyncio.gather(
        *(
            send(client, name='ann', text=f'from {n}')
            for n, client in enumerate(clients)
        )
    )
    for client in clients:
        messages = [await receive(client) for _ in clients]
        ids = [message['id'] for message in messages]
        assert ids == sorted(ids), ids
        assert {message['text'] for message in messages} == {
            f'from {n}' for n in range(20)
        }


async def test_a_failed_batch_is_published_to_nobody(ws_connect, send, receive, outage):
    """senders at once while the database fails: each gets its error frame,
    nobody gets their messages, and what is said next reaches everyone"""
    clients = [await ws_connect() for _ in range(5)]
    await outage.begin('messages')
    await asyncio.gather(*(send(client, name='ann', text='lost') for client in clients))
    for client in clients:
        assert (await receive(client))['type'] == 'error'
    await outage.end()
    await send(clients[0], name='ann', text='back')
    for client in clients:
        assert (await receive(client))['text'] == 'back'

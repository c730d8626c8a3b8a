"""History over the websocket: stored before broadcast, given on join, resumed."""

import asyncio
import logging

from {{ cookiecutter.package_name }}.protocol import chat_message, notification, unseen

from ..fixtures import join, notified, request


async def test_a_new_client_gets_an_empty_history_first(ws_connect):
    """the join's answer holds the history, even when there is none"""
    joined = (await ws_connect(name='bob')).history
    assert (joined['room'], joined['members']) == ('general', ['bob'])
    assert joined['messages'] == [] and joined['truncated'] is False


async def test_messages_are_stored_before_they_are_sent(ws_connect, send, said, store):
    """what a client receives is already in the store, with its id"""
    client = await ws_connect()
    await send(client, name='ann', text='kept')
    message = await said(client)
    assert await store.recent('general') == [message]
    assert isinstance(message['id'], int)


async def test_a_late_comer_gets_the_recent_history(ws_connect, send, said):
    """the last messages, oldest first, limited to the history size"""
    first = await ws_connect()
    for number in range(7):
        await send(first, name='ann', text=f'message {number}')
        await said(first)
    late = await ws_connect()
    texts = [message['text'] for message in late.history['messages']]
    assert texts == [f'message {number}' for number in range(2, 7)]


async def test_a_returning_client_gets_what_it_missed_and_pages_back(
    ws_connect, send, said, receive
):
    """join with after: exactly what came since; history: older ones"""
    first = await ws_connect()
    ids = []
    for number in range(8):
        await send(first, name='ann', text=f'message {number}')
        ids.append((await said(first))['id'])
    back = await ws_connect(history=False, name='bob')
    resumed = await join(back, 'general', 'bob', after=ids[5])
    assert [message['id'] for message in resumed['messages']] == ids[6:]
    assert not resumed['truncated']
    missed_much = await ws_connect(history=False, name='cy')
    resumed = await join(missed_much, 'general', 'cy', after=ids[0])
    assert [message['id'] for message in resumed['messages']] == ids[3:]
    assert resumed['truncated']
    await missed_much.write_message(
        request('history', 'h', room='general', before=ids[3], limit=2)
    )
    answer = await receive(missed_much)
    assert answer['id'] == 'h'
    texts = [message['text'] for message in answer['result']['messages']]
    assert texts == ['message 1', 'message 2']


def test_frames_already_in_the_history_are_not_sent_twice():
    """of the frames that arrived while the history was read, only newer ones go out"""
    frames = [
        notification('message', chat_message(3, 'general', 'ann', 'a', 1.0)),
        notification('message', chat_message(4, 'general', 'ann', 'b', 1.0)),
        notification('typing', {'room': 'general', 'name': 'ann'}),
    ]
    assert unseen(frames, newest=3) == (frames[1:], True)
    assert unseen(frames, newest=4) == (frames[2:], False)


async def test_a_database_outage_is_reported_and_survived(
    ws_connect, send, said, outage, caplog
):
    """the sender gets an error and the log a line; the server goes on"""
    sender, other = await ws_connect(), await ws_connect()
    await outage.begin('messages')
    with caplog.at_level(logging.ERROR):
        request_id = await send(sender, name='ann', text='lost')
        answer = await notified(sender)
        assert (answer['id'], answer['error']['code']) == (request_id, -32002)
        assert answer['error']['message'].startswith('the message could not be stored')
        late = await ws_connect()
        assert late.history['truncated'] and not late.history['messages']
    assert 'message not stored' in caplog.text
    assert 'history unavailable' in caplog.text
    await outage.end()
    await send(sender, name='ann', text='back again')
    for client in (sender, other, late):
        assert (await said(client))['text'] == 'back again'


async def test_messages_said_at_once_reach_everyone_in_id_order(ws_connect, send, said):
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
        messages = [await said(client) for _ in clients]
        ids = [message['id'] for message in messages]
        assert ids == sorted(ids), ids
        assert {message['text'] for message in messages} == {
            f'from {n}' for n in range(20)
        }


async def test_a_failed_batch_is_published_to_nobody(
    ws_connect, send, receive, said, outage
):
    """senders at once while the database fails: each gets its error, nobody
    gets their messages, and what is said next reaches everyone"""
    clients = [await ws_connect() for _ in range(5)]
    await outage.begin('messages')
    await asyncio.gather(*(send(client, name='ann', text='lost') for client in clients))
    for client in clients:
        assert (await receive(client))['error']['code'] == -32002
    await outage.end()
    await send(clients[0], name='ann', text='back')
    for client in clients:
        assert (await said(client))['text'] == 'back'

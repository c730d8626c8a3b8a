"""Rooms and presence over the websocket, the methods' params, and retries."""

import asyncio
import json

import pytest

from {{ cookiecutter.package_name }} import hub as hub_module
from {{ cookiecutter.package_name }} import methods
from {{ cookiecutter.package_name }} import presence as presence_module
from {{ cookiecutter.package_name }}.hub import Hub
from {{ cookiecutter.package_name }}.methods import Sends
from {{ cookiecutter.package_name }}.protocol import RpcError, notification

from .fixtures import heard, join, next_frame, notified, request, say
from .test_presence import Member


async def call(client, method, **params):
    """a request's answer (notifications before it skipped)"""
    await client.write_message(request(method, method, **params))
    while True:
        frame = await notified(client)
        if frame.get('id') == method:
            return frame


async def presence(client):
    """the params of the next presence notification"""
    frame = await next_frame(client)
    while frame.get('method') != 'presence':
        frame = await next_frame(client)
    return frame['params']


async def test_a_member_of_two_rooms_hears_both(ws_connect):
    """ann is in general and games: she hears what is said in each, with its room"""
    ann = await ws_connect()
    bob = await ws_connect(name='bob', room='games')
    await join(ann, 'games', 'ann')
    await bob.write_message(say('check', name='bob', room='games'))
    assert (await heard(ann))['room'] == 'games'
    await ann.write_message(say('hello', room='general'))
    message = await heard(ann)
    assert (message['room'], message['text']) == ('general', 'hello')


async def test_a_room_hears_only_its_own(ws_connect):
    """bob, in games only, hears nothing of general"""
    ann = await ws_connect()
    bob = await ws_connect(name='bob', room='games')
    await ann.write_message(say('only for general'))
    await bob.write_message(say('only for games', name='bob', room='games'))
    message = await heard(bob)
    assert (message['room'], message['text']) == ('games', 'only for games')
    message = await heard(ann)
    assert (message['room'], message['text']) == ('general', 'only for general')


async def test_presence_follows_joins_leaves_and_goodbyes(ws_connect):
    """joined and left are told to the room; a second tab of a name is no news"""
    ann = await ws_connect()
    assert await presence(ann) == {
        'room': 'general',
        'count': 1,
        'members': ['ann'],
        'joined': ['ann'],
    }
    bob = await ws_connect(name='bob')
    assert bob.history['members'] == ['ann', 'bob']
    assert (await presence(ann))['joined'] == ['bob']
    second_tab = await ws_connect(name='bob')
    assert second_tab.history['members'] == ['ann', 'bob']
    second_tab.close()
    assert (await call(bob, 'leave', room='general'))['result'] == {'room': 'general'}
    assert await presence(ann) == {
        'room': 'general',
        'count': 1,
        'members': ['ann'],
        'left': ['bob'],
    }
    again = await call(bob, 'leave', room='general')
    assert again['result'] == {'room': 'general'}


async def test_the_rooms_with_people_in_them(ws_connect):
    """rooms: general always, then every room with people, counted by name"""
    ann = await ws_connect()
    await ws_connect(name='bob', room='games')
    await ws_connect(name='cy', room='games')
    await ws_connect(name='cy', room='games')
    answer = await call(ann, 'rooms')
    assert answer['result'] == {
        'rooms': [{'room': 'games', 'members': 2}, {'room': 'general', 'members': 1}]
    }
    lonely = await ws_connect(history=False)
    answer = await call(lonely, 'rooms')
    assert answer['result']['rooms'][1] == {'room': 'general', 'members': 1}


async def test_typing_is_told_to_the_others(ws_connect):
    """the others see who types; the typist is not told about itself"""
    ann, bob = await ws_connect(), await ws_connect(name='bob')
    await ann.write_message(
        json.dumps(
            {'jsonrpc': '2.0', 'method': 'typing', 'params': {'room': 'general'}}
        )
    )
    frame = await notified(bob)
    assert frame == {
        'jsonrpc': '2.0',
        'method': 'typing',
        'params': {'room': 'general', 'name': 'ann'},
    }
    assert (await call(ann, 'typing', room='general'))['result'] == {}
    assert (await notified(bob))['method'] == 'typing'
    answer = await call(ann, 'typing', room='games')
    assert answer['error']['code'] == -32003


async def test_joining_again_answers_the_same_and_tells_nobody(ws_connect, send):
    """a join of a room one is in: its history and members, no presence"""
    ann = await ws_connect()
    assert (await presence(ann))['joined'] == ['ann']
    await send(ann, name='ann', text='said once')
    await heard(ann)
    again = await join(ann, 'general', 'ann')
    assert [message['text'] for message in again['messages']] == ['said once']
    assert again['members'] == ['ann']
    await ann.write_message(say('next'))
    frame = await next_frame(ann)
    while frame.get('method') != 'message':
        assert frame.get('method') != 'presence', frame
        frame = await next_frame(ann)


async def test_a_message_the_join_answered_is_not_sent_again_by_a_lagging_broker(
    app, ws_connect, send
):
    """a broker that lags delivers a stored message after a joiner's history
    held it: the joiner skips it, and any other not newer, until a newer one
    comes; the others receive every frame"""
    ann = await ws_connect()
    await send(ann, name='ann', text='first')
    first = await heard(ann)
    bob = await ws_connect(name='bob')
    assert bob.history['messages'] == [first]
    await join(bob, 'games', 'bob', after=first['id'])  # caught up to it there too
    assert 'result' in await call(bob, 'leave', room='games')  # not in general
    hub = app.settings['hub']
    late = notification('message', first)
    hub.deliver('general', late)  # the broker's copy, after bob's join
    await asyncio.sleep(0.01)  # written alone: ann gets it, bob nothing
    hub.deliver('general', notification('typing', {'room': 'general', 'name': 'cy'}))
    await send(ann, name='ann', text='second')
    assert (await notified(bob))['method'] == 'typing'
    second = await heard(bob)
    assert second['text'] == 'second'
    hub.deliver('general', late)  # once a newer one came, every frame goes out
    assert await heard(bob) == first
    assert 'result' in await call(bob, 'leave', room='general')
    assert [await heard(ann) for _ in range(3)] == [first, second, first]
    # joined and left in one batch: the join's catching up has no one to follow
    await bob.write_message(
        json.dumps(
            [
                {
                    'jsonrpc': '2.0',
                    'id': 'j',
                    'method': 'join',
                    'params': {'room': 'chess', 'name': 'bob', 'after': first['id']},
                },
                {
                    'jsonrpc': '2.0',
                    'id': 'l',
                    'method': 'leave',
                    'params': {'room': 'chess'},
                },
            ]
        )
    )
    while not isinstance(answers := await next_frame(bob), list):
        pass
    assert [answer['id'] for answer in answers] == ['j', 'l']
    assert 'chess' not in hub.rooms or not hub.rooms['chess'].behind


async def test_one_who_comes_back_gets_what_was_missed_then_scrolls_back(
    ws_connect, send
):
    """join with after: only the newer messages; history: the older ones"""
    ann = await ws_connect()
    ids = []
    for text in ('first', 'second', 'third'):
        await send(ann, name='ann', text=text)
        ids.append((await heard(ann))['id'])
    back = await ws_connect(history=False, name='bob')
    resumed = await join(back, 'general', 'bob', after=ids[0])
    assert [message['text'] for message in resumed['messages']] == ['second', 'third']
    page = (await call(back, 'history', room='general', before=ids[1]))['result']
    assert [message['id'] for message in page['messages']] == ids[:1]


async def test_a_connection_holds_a_bounded_number_of_rooms(ws_connect, monkeypatch):
    """past the bound per connection, a join is refused"""
    monkeypatch.setattr(methods, 'ROOMS_PER_CONNECTION', 3)
    ann = await ws_connect()
    for room in ('one', 'two'):
        await join(ann, room, 'ann')
    answer = await call(ann, 'join', room='three', name='ann')
    assert answer['error'] == {
        'code': -32004,
        'message': 'at most 3 rooms per connection',
    }


async def test_the_server_holds_a_bounded_number_of_rooms(app, ws_connect):
    """past --max_rooms, a new room is refused; one with people is not"""
    app.settings['max_rooms'] = 2
    ann = await ws_connect()
    await join(ann, 'games', 'ann')
    bob = await ws_connect(name='bob')
    answer = await call(bob, 'join', room='more', name='bob')
    assert answer['error'] == {
        'code': -32004,
        'message': 'the server holds at most 2 rooms',
    }
    assert 'result' in await call(bob, 'join', room='games', name='bob')


@pytest.mark.parametrize(
    'params, reason',
    [
        ({'room': 'general'}, 'before must be a message id'),
        ({'room': 'general', 'before': 5, 'limit': 0}, 'limit must be 1 to 100'),
        ({'room': 'general', 'before': 5, 'limit': 101}, 'limit must be 1 to 100'),
        ({'room': 'general', 'before': 5, 'limit': True}, 'limit must be 1 to 100'),
        ({'room': 'general', 'before': 'x'}, 'before must be a message id'),
    ],
)
async def test_history_refuses_bad_params(ws_connect, params, reason):
    """history needs an id to page back from and a sensible limit"""
    ann = await ws_connect()
    answer = await call(ann, 'history', **params)
    assert answer['error']['code'] == -32602
    assert answer['error']['message'].startswith(reason)


async def test_a_send_tried_again_is_said_once(ws_connect, send):
    """the same client_id: the first answer again, and no second message"""
    ann = await ws_connect()
    first = await send(ann, name='ann', text='once', client_id='retry-me')
    answer = await notified(ann)
    assert answer['id'] == first
    assert (await heard(ann))['text'] == 'once'
    again = await send(ann, name='ann', text='once', client_id='retry-me')
    repeated = await notified(ann)
    assert (repeated['id'], repeated['result']) == (again, answer['result'])
    await send(ann, name='ann', text='next')
    assert (await heard(ann))['text'] == 'next'


async def test_a_batch_is_answered_in_order_and_notifications_are_not(ws_connect):
    """answers in the order of the requests; a batch of notifications: none"""
    ann = await ws_connect()
    typing = {'jsonrpc': '2.0', 'method': 'typing', 'params': {'room': 'general'}}
    await ann.write_message(json.dumps([typing, typing]))
    await ann.write_message(
        json.dumps(
            [
                {'jsonrpc': '2.0', 'id': 'b', 'method': 'rooms'},
                typing,
                {'jsonrpc': '2.0', 'method': 'shout'},
                {
                    'jsonrpc': '2.0',
                    'id': 'a',
                    'method': 'leave',
                    'params': {'room': 'x'},
                },
            ]
        )
    )
    answers = await notified(ann)
    assert [answer['id'] for answer in answers] == ['b', 'a']


async def test_joins_and_sends_in_one_batch(ws_connect):
    """two rooms joined and a message sent in one frame: three answers, in
    order, then the message"""
    ann = await ws_connect(history=False)
    params = {'name': 'ann'}
    await ann.write_message(
        json.dumps(
            [
                {
                    'jsonrpc': '2.0',
                    'id': 1,
                    'method': 'join',
                    'params': {**params, 'room': 'one'},
                },
                {
                    'jsonrpc': '2.0',
                    'id': 2,
                    'method': 'join',
                    'params': {**params, 'room': 'two'},
                },
                {
                    'jsonrpc': '2.0',
                    'id': 3,
                    'method': 'send',
                    'params': {
                        **params,
                        'room': 'two',
                        'text': 'hi',
                        'client_id': 'b1',
                    },
                },
            ]
        )
    )
    answers = await notified(ann)
    assert [answer['id'] for answer in answers] == [1, 2, 3]
    assert [answer['result']['room'] for answer in answers] == ['one', 'two', 'two']
    message = await heard(ann)
    assert (message['room'], message['text']) == ('two', 'hi')


async def test_a_failed_send_may_be_tried_again_for_real():
    """Sends: an answer is remembered; a failure is not, the next try runs"""
    sends = Sends(most=2)
    tries = []

    async def fail_then_succeed(text):
        tries.append(text)
        if len(tries) == 1:
            raise RpcError(-32002, 'not stored')
        return {'id': len(tries)}

    with pytest.raises(RpcError):
        await sends.once('k', fail_then_succeed, 'a')
    assert await sends.once('k', fail_then_succeed, 'a') == {'id': 2}
    assert await sends.once('k', fail_then_succeed, 'a') == {'id': 2}
    for key in ('l', 'm'):
        await sends.once(key, fail_then_succeed, key)
    assert list(sends.answers) == ['l', 'm']
    slow = asyncio.ensure_future(sends.once('n', asyncio.sleep, 10))
    await asyncio.sleep(0)
    sends.answers['n'].cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow
    assert 'n' not in sends.answers
    # a failure after its key was forgotten (more sends came) forgets nothing else
    gate = asyncio.Event()

    async def fail_later():
        await gate.wait()
        raise RpcError(-32002, 'not stored')

    failing = asyncio.ensure_future(sends.once('o', fail_later))
    await asyncio.sleep(0)
    await sends.once('p', fail_then_succeed, 'p')
    await sends.once('q', fail_then_succeed, 'q')
    gate.set()
    with pytest.raises(RpcError):
        await failing
    assert list(sends.answers) == ['p', 'q']


async def test_people_arriving_together_are_told_once(monkeypatch):
    """five arrivals and a departure in a moment: one presence notification"""
    monkeypatch.setattr(hub_module, 'PRESENCE_EVERY', 0.05)
    hub = Hub(ping_interval=0)
    members = [Member() for _ in range(6)]
    for number, member in enumerate(members):
        hub.join('general', member, f'p{number}')
    hub.leave('general', members[5])
    hub.leave('general', members[5])  # gone already: nothing
    await asyncio.sleep(0.2)
    (text,) = members[0].texts
    assert json.loads(text)['params'] == {
        'room': 'general',
        'count': 5,
        'members': ['p0', 'p1', 'p2', 'p3', 'p4'],
        'joined': ['p0', 'p1', 'p2', 'p3', 'p4'],
    }
    for member in members[:5]:
        hub.leave('general', member)
    await asyncio.sleep(0.2)
    assert 'general' not in hub.rooms
    late = Member()
    hub.join('games', late, 'late')
    hub.close_all(1001, 'done')  # the server stops: no more notifications
    await asyncio.sleep(0.2)
    assert not late.texts


async def test_a_big_room_is_told_how_many_not_who(monkeypatch, ws_connect):
    """past MEMBERS_LISTED people, the names are left out: a count only"""
    monkeypatch.setattr(presence_module, 'MEMBERS_LISTED', 2)
    ann = await ws_connect()
    assert (await presence(ann))['members'] == ['ann']
    await ws_connect(name='bob')
    assert (await presence(ann))['joined'] == ['bob']
    cy = await ws_connect(name='cy')
    assert (cy.history['members'], cy.history['count']) == ([], 3)
    assert await presence(ann) == {'room': 'general', 'count': 3}

"""The Redis broker, on a real throwaway redis-server: across processes, and through outages."""

import asyncio
import json
import logging
import uuid

import redis.asyncio
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from {{ cookiecutter.package_name }}.hub import Hub
from {{ cookiecutter.package_name }}.main import make_app, make_options
from {{ cookiecutter.package_name }}.protocol import (
    chat_message,
    encode,
    notification,
    result_answer,
)
from {{ cookiecutter.package_name }}.redis.broker import (
    BROKER_DOWN,
    BROKER_UP,
    Outbox,
    RedisBroker,
)

from ..fixtures import join, next_frame, request


async def second_server(app, hub):
    """another instance of the app, as another process would run it; its ws URL"""
    sockets = bind_sockets(0, '127.0.0.1')
    server = HTTPServer(make_app({**app.settings, 'hub': hub}))
    server.add_sockets(sockets)
    return server, f'ws://127.0.0.1:{sockets[0].getsockname()[1]}/ws'


async def say(client, text, room='general', name='ann'):
    """send a chat message (a `send` request of a fresh client_id); its request id"""
    request_id = f'say-{uuid.uuid4().hex}'
    params = {'room': room, 'text': text, 'name': name, 'client_id': request_id}
    await client.write_message(request('send', request_id, **params))
    return request_id


async def notified(client):
    """the next notification that is not presence (answers are skipped: an
    error fails)"""
    while True:
        frame = await next_frame(client)
        assert 'error' not in frame, frame
        if frame.get('method') not in (None, 'presence'):
            return frame


async def heard(client):
    """the params of the next message notification (a status fails)"""
    frame = await notified(client)
    assert frame['method'] == 'message', frame
    return frame['params']


def all_read_back(broker):
    """has broker read back from the stream all it has sent?"""
    outbox = broker.outbox
    return broker.cursor.seen.get(outbox.origin, 0) == outbox.sequence


async def until(condition, seconds=5.0):
    """wait for condition() to hold, a while at most; whether it does"""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


def message(text, room='general', name='ann', ts=1.0, message_id=1):
    """a message notification as a server publishes it"""
    return notification('message', chat_message(message_id, room, name, text, ts))


class Heard:
    """a hub that keeps what its broker delivers"""

    def __init__(self):
        self.delivered = []
        self.kept = []

    def deliver(self, room, text):
        """keep (room, text)"""
        self.delivered.append((room, text))

    def heard(self, said, key):
        """keep the text of a message said before, or by another process, and
        the key of its send"""
        self.kept.append((said['text'], key))

    def messages(self):
        """the params of the message notifications heard"""
        frames = [json.loads(text) for _, text in self.delivered]
        return [f['params'] for f in frames if f.get('method') == 'message']

    def texts(self):
        """the texts of the messages heard, in order"""
        return [m['text'] for m in self.messages()]


def entry(frame_text, seq=1, origin='elsewhere'):
    """the fields of a stream entry as a broker writes them"""
    return {'origin': origin, 'seq': seq, 'frame': frame_text}


async def test_clients_of_two_app_instances_chat_through_redis(
    app, brokers, ws_connect
):
    """a message said on one instance reaches the clients of both"""
    first, second = brokers(), brokers()
    app.settings['hub'] = Hub(first)
    server, url = await second_server(app, Hub(second))
    await first.start()
    await second.start()
    here, there = await ws_connect(), await ws_connect(url=url, name='bob')
    await say(here, 'hello, other process')
    for client in (here, there):
        assert (await heard(client))['text'] == 'hello, other process'
    await say(there, 'hello back', name='bob')
    for client in (here, there):
        assert (await heard(client))['text'] == 'hello back'
    server.stop()


async def test_a_send_is_answered_then_delivered_through_redis(
    app, brokers, ws_connect
):
    """the sender's answer carries the id, room and time of the message that
    every process delivers"""
    first, second = brokers(), brokers()
    app.settings['hub'] = Hub(first)
    server, url = await second_server(app, Hub(second))
    await first.start()
    await second.start()
    here, there = await ws_connect(), await ws_connect(url=url, name='bob')
    request_id = await say(here, 'answered')
    answer = await next_frame(here)
    while answer.get('method') == 'presence':
        answer = await next_frame(here)
    assert answer['id'] == request_id, answer
    result = answer['result']
    for client in (here, there):
        got = await heard(client)
        assert got['text'] == 'answered'
        assert (got['id'], got['room'], got['ts']) == (
            result['id'],
            result['room'],
            result['ts'],
        )
    server.stop()


async def test_redis_going_away_is_told_and_survived(
    app, brokers, redis_server, ws_connect, caplog
):
    """status frames when Redis goes and comes back; what waited is sent after"""
    broker = brokers(max_queue=2)
    app.settings['hub'] = Hub(broker)
    await broker.start()
    client = await ws_connect()
    assert await until(lambda: all_read_back(broker))  # ann's presence
    with caplog.at_level(logging.INFO):
        redis_server.stop()
        assert await notified(client) == json.loads(BROKER_DOWN)
        for number in range(4):
            await say(client, f'while away {number}')
        await asyncio.sleep(0.1)
        redis_server.start()
        assert await notified(client) == json.loads(BROKER_UP)
        texts = [(await heard(client))['text'] for _ in range(3)]
    # the frame in hand, then the queue of two, whose oldest made room for the last
    assert texts == ['while away 0', 'while away 2', 'while away 3']
    assert 'redis went away' in caplog.text
    assert 'the oldest entry was dropped' in caplog.text
    assert 'redis is back' in caplog.text
    await say(client, 'all well')
    assert (await heard(client))['text'] == 'all well'


async def test_status_notifications_reach_clients_in_any_room(
    app, brokers, redis_proxy, ws_connect
):
    """Redis lost and found: every client is told once, whatever its rooms"""
    proxy = await redis_proxy()
    broker = brokers(url=f'redis://{proxy.address}/0')
    app.settings['hub'] = Hub(broker)
    await broker.start()
    general = await ws_connect()
    games = await ws_connect(room='games', name='bob')
    both = await ws_connect(room='games', name='cy')
    await join(both, 'general', 'cy')
    clients = (general, games, both)
    await proxy.cut()
    for client in clients:
        assert await notified(client) == json.loads(BROKER_DOWN)
    await proxy.restore()
    for client in clients:
        assert await notified(client) == json.loads(BROKER_UP)
    # once each: the next notification of the member of two rooms is a message
    await say(games, 'after the status', room='games', name='bob')
    for client in (games, both):
        assert (await heard(client))['text'] == 'after the status'
    await say(general, 'in general')
    for client in (general, both):
        assert (await heard(client))['text'] == 'in general'


async def test_a_publish_that_fails_waits_for_redis(caplog):
    """Redis gone when a frame is sent: the frame waits, clients are told"""
    broker = RedisBroker('redis://127.0.0.1:1/0', 'chat')
    hub = Hub(broker)
    broker.cursor.place(b'0-0')
    sending = asyncio.ensure_future(broker.send())
    with caplog.at_level(logging.ERROR):
        hub.publish('general', chat_message(1, 'general', 'ann', 'waiting', 1.0))
        assert await until(lambda: broker.down)
    assert 'redis went away' in caplog.text
    assert broker.outbox.sequence == 1  # the frame is in hand, being retried
    broker.tasks = [sending]
    await broker.close()


async def test_the_server_starts_while_redis_is_away(caplog):
    """start() waits a moment, says so, and lets the server start anyway"""
    broker = RedisBroker('redis://127.0.0.1:1/0', 'chat')
    broker.attach(Hub())
    with caplog.at_level(logging.ERROR):
        await broker.start(wait=0.2)
    assert 'redis is not there yet' in caplog.text
    assert broker.down
    await broker.close()


async def test_a_broker_begins_after_what_the_stream_held(brokers, redis_server):
    """a process that starts keeps the chat of before, and delivers none of it"""
    broker, hub = brokers(), Heard()
    broker.attach(hub)
    writer = redis.asyncio.from_url(redis_server.url)
    sent_by = '["account", 7, "c-1"]'
    await writer.xadd(broker.key, {**entry(message('before')), 'sent_by': sent_by})
    await broker.start()
    broker.publish('general', message('after', ts=2.0, message_id=2))
    assert await until(hub.messages)
    assert hub.texts() == ['after']
    assert hub.kept == [('before', (('account', 7), 'c-1'))]
    await writer.aclose()


async def test_the_frames_of_one_turn_go_in_one_batch():
    """what is published in one turn of the loop is one round trip to Redis"""
    outbox = Outbox(max_queue=10)
    for number in range(3):
        outbox.put({'frame': f'frame {number}'})
    assert [(seq, item['frame']) for seq, item in await outbox.next_batch()] == [
        (1, 'frame 0'),
        (2, 'frame 1'),
        (3, 'frame 2'),
    ]
    outbox.put({'kind': 'typing'})
    assert await outbox.next_batch() == [(4, {'kind': 'typing'})]


class Client:
    """a client of the hub that keeps its writes"""

    def __init__(self):
        self.writes = []

    def deliver(self, room, data, texts):
        """one write"""
        self.writes.append((room, data, texts))
        return True


async def test_an_xread_batch_reaches_a_client_in_one_write(brokers, redis_server):
    """the entries of one XREAD are one write to each member of their room"""
    broker, client = brokers(), Client()
    hub = Hub(broker, ping_interval=0)
    hub.join('general', client, 'ann')
    await broker.start()
    assert await until(lambda: client.writes)  # the presence of the join
    client.writes.clear()
    texts = [message(f'number {n}', message_id=n) for n in range(3)]
    elsewhere = message('in another room', room='games', message_id=3)
    writer = redis.asyncio.from_url(redis_server.url)
    # a transaction: the blocked XREAD gets all four at once
    async with writer.pipeline(transaction=True) as pipe:
        for seq, text in enumerate([texts[0], elsewhere, *texts[1:]], 1):
            pipe.xadd(broker.key, entry(text, seq))
        await pipe.execute()
    assert await until(lambda: client.writes)
    await asyncio.sleep(0.1)
    assert [(room, written) for room, _, written in client.writes] == [
        ('general', texts)
    ]
    await writer.aclose()


async def test_a_batch_sent_twice_is_delivered_once(brokers):
    """a batch sent again after its reply was lost: each frame once"""
    broker, hub = brokers(), Heard()
    broker.attach(hub)
    await broker.start()
    batch = [(1, {'frame': message('once')})]
    await broker.append(batch)
    await broker.append(batch)
    await broker.append([(2, {'frame': message('twice', ts=2.0, message_id=2)})])
    assert await until(lambda: len(hub.messages()) == 2)
    await asyncio.sleep(0.1)
    assert hub.texts() == ['once', 'twice']


async def test_the_room_of_an_entry_is_the_room_delivered_to(brokers):
    """each message reaches the hub for the room it names"""
    broker, hub = brokers(), Heard()
    broker.attach(hub)
    await broker.start()
    broker.publish('games', message('a game', room='games'))
    broker.publish('general', message('hello', message_id=2))
    assert await until(lambda: len(hub.messages()) == 2)
    assert [room for room, _ in hub.delivered] == ['games', 'general']


def message_with(**fields):
    """a message notification whose params are changed (None: left out)"""
    params = {**chat_message(1, 'general', 'ann', 'hi', 1.0), **fields}
    params = {key: value for key, value in params.items() if value is not None}
    return notification('message', params)


GARBAGE = [
    {'frame': b'\xff\xfe'},
    entry(b'\xff\xfe'),
    entry('not json'),
    entry('[' * 100000 + ']' * 100000),
    entry('[1, 2]'),
    entry(BROKER_UP),
    entry(notification('presence', {'room': 'general', 'members': ['ann']})),
    entry(encode(result_answer(1, chat_message(1, 'general', 'ann', 'hi', 1.0)))),
    entry(encode({'jsonrpc': '2.0', 'method': 'message', 'params': 'hi'})),
    entry(message_with(ts=None, text='no time')),
    entry(message_with(id='one', text='a bad id')),
    entry(message_with(id=True, text='a bool for an id')),
    entry(message_with(room=None, text='no room')),
    entry(message_with(room='Général', text='a room a browser may not send')),
    entry(message_with(name='\u202eann', text='a name a browser may not send')),
    entry(message_with(text='x' * 2001)),
    entry(message_with(text='   ')),
    entry(message_with(text=None)),
    entry(message('\\ud800').replace('\\\\ud800', '\\ud800')),
    {**entry(message('no seq')), 'seq': 'one'},
    {**entry(message('no sender')), 'sent_by': '[1]'},
    {**entry(message('an account by name')), 'sent_by': '["account", "x", "c1"]'},
    {**entry(message('a robot')), 'sent_by': '["robot", 1, "c1"]'},
    {**entry(message('a bad client_id')), 'sent_by': '["guest", "ann", "c 1"]'},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'dance'},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'presence', 'room': 'Général'},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'presence', 'room': 'general'},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'presence', 'room': 'a', 'names': '['},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'presence', 'room': 'a', 'names': '{}'},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'presence', 'room': 'a', 'names': '[1]'},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'typing', 'room': 'general'},
    {'origin': 'elsewhere', 'seq': 1, 'kind': 'typing', 'room': 'a', 'name': ' ann'},
]


async def test_garbage_on_the_stream_is_dropped_and_logged_once(
    brokers, redis_server, caplog
):
    """bytes that are not UTF-8, not JSON, not a chat message: dropped, a log
    line at the 1st, 10th, 100th, ..."""
    broker, hub = brokers(), Heard()
    broker.attach(hub)
    await broker.start()
    writer = redis.asyncio.from_url(redis_server.url)
    with caplog.at_level(logging.WARNING):
        for fields in GARBAGE:
            await writer.xadd(broker.key, fields)
        await writer.xadd(broker.key, entry(message('good')))
        assert await until(hub.messages)
        assert broker.cursor.dropped == len(GARBAGE)
        # a line at the 1st, then the 10th
        assert caplog.text.count('bad entries from redis') == len(str(len(GARBAGE)))
        # a flood: one line at the 10th, 100th, 1000th, not one per entry
        async with writer.pipeline(transaction=False) as pipe:
            for _ in range(1000 - len(GARBAGE)):
                pipe.xadd(broker.key, entry('garbage'))
            await pipe.execute()
        go_on = entry(message('go on', ts=2.0, message_id=2), seq=2)
        await writer.xadd(broker.key, go_on)
        assert await until(lambda: len(hub.messages()) == 2)
    assert hub.texts() == ['good', 'go on']
    assert hub.delivered == [('general', message('good')), ('general', go_on['frame'])]
    assert broker.cursor.dropped == 1000
    assert caplog.text.count('bad entries from redis') == 4
    assert 'dropped so far: 1000' in caplog.text
    await writer.aclose()


async def heard_apart(chats):
    """each (broker, heard) of chats says a message; the texts each one heard"""
    for number, (broker, hub) in enumerate(chats):
        broker.attach(hub)
        await broker.start()
        broker.publish('general', message(f'chat {number}'))
    assert await until(lambda: all(hub.messages() for _, hub in chats))
    await asyncio.sleep(0.2)
    return [hub.texts() for _, hub in chats]


async def test_two_chats_on_one_redis_do_not_hear_each_other(brokers, redis_server):
    """other keys (two projects) and other database numbers are other chats"""
    projects = [brokers(key='one:chat'), brokers(key='two:chat')]
    databases = [
        brokers(key='same:chat'),
        brokers(key='same:chat', url=redis_server.database(1)),
    ]
    for pair in (projects, databases):
        chats = [(broker, Heard()) for broker in pair]
        assert await heard_apart(chats) == [['chat 0'], ['chat 1']]


def test_the_stream_key_is_the_projects_own():
    """--redis_key defaults to the package's name, so two projects share no stream"""
    options = make_options()
    options.parse_command_line(['chat', '--redis_key=other:chat'], final=False)
    assert options.redis_key == 'other:chat'
    assert make_options().redis_key == '{{ cookiecutter.package_name }}:chat'

"""The Redis broker, on a real throwaway redis-server: across processes, and through outages."""

import asyncio
import json
import logging

import redis.asyncio
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from {{ cookiecutter.package_name }}.hub import Hub
from {{ cookiecutter.package_name }}.main import make_app, make_options
from {{ cookiecutter.package_name }}.protocol import chat_message, encode
from {{ cookiecutter.package_name }}.redis_broker import (
    BROKER_DOWN,
    BROKER_UP,
    Outbox,
    RedisBroker,
)


async def second_server(app, hub):
    """another instance of the app, as another process would run it; its ws URL"""
    sockets = bind_sockets(0, '127.0.0.1')
    server = HTTPServer(make_app({**app.settings, 'hub': hub}))
    server.add_sockets(sockets)
    return server, f'ws://127.0.0.1:{sockets[0].getsockname()[1]}/ws'


async def say(client, text):
    """send a chat message"""
    await client.write_message(json.dumps({'name': 'ann', 'text': text}))


async def frame(client):
    """the next frame, decoded"""
    return json.loads(await client.read_message())


async def until(condition, seconds=5.0):
    """wait for condition() to hold, a while at most; whether it does"""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


class Heard:
    """a hub that keeps what its broker delivers"""

    def __init__(self):
        self.texts = []

    def deliver(self, text):
        """keep text"""
        self.texts.append(text)

    def messages(self):
        """the chat messages heard, decoded"""
        return [m for m in map(json.loads, self.texts) if m['type'] == 'message']


def entry(frame_text, seq=1, origin='elsewhere'):
    """the fields of a stream entry as a broker writes them"""
    return {'origin': origin, 'seq': seq, 'frame': frame_text}


async def test_clients_of_two_app_instances_chat_through_redis(
    app, brokers, ws_connect, send
):
    """a message said on one instance reaches the clients of both"""
    first, second = brokers(), brokers()
    app.settings['hub'] = Hub(first)
    server, url = await second_server(app, Hub(second))
    await first.start()
    await second.start()
    here, there = await ws_connect(), await ws_connect(url=url)
    await send(here, name='ann', text='hello, other process')
    assert (await frame(here))['text'] == 'hello, other process'
    assert (await frame(there))['text'] == 'hello, other process'
    await send(there, name='bob', text='hello back')
    assert (await frame(here))['text'] == 'hello back'
    server.stop()


async def test_redis_going_away_is_told_and_survived(
    app, brokers, redis_server, ws_connect, caplog
):
    """status frames when Redis goes and comes back; what waited is sent after"""
    broker = brokers(max_queue=2)
    app.settings['hub'] = Hub(broker)
    await broker.start()
    client = await ws_connect()
    with caplog.at_level(logging.INFO):
        redis_server.stop()
        assert await frame(client) == BROKER_DOWN
        for number in range(4):
            await say(client, f'while away {number}')
        await asyncio.sleep(0.1)
        redis_server.start()
        assert await frame(client) == BROKER_UP
        texts = [(await frame(client))['text'] for _ in range(3)]
    # the frame in hand, then the queue of two, whose oldest made room for the last
    assert texts == ['while away 0', 'while away 2', 'while away 3']
    assert 'redis went away' in caplog.text
    assert 'the oldest message was dropped' in caplog.text
    assert 'redis is back' in caplog.text
    await say(client, 'all well')
    assert (await frame(client))['text'] == 'all well'


async def test_a_publish_that_fails_waits_for_redis(caplog):
    """Redis gone when a frame is sent: the frame waits, clients are told"""
    broker = RedisBroker('redis://127.0.0.1:1/0', 'chat')
    hub = Hub(broker)
    broker.cursor.place(b'0-0')
    sending = asyncio.ensure_future(broker.send())
    with caplog.at_level(logging.ERROR):
        hub.publish({'type': 'message', 'text': 'waiting'})
        assert await until(lambda: broker.down)
    assert 'redis went away' in caplog.text
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
    """a process that starts does not replay the chat of before"""
    broker, heard = brokers(), Heard()
    broker.attach(heard)
    writer = redis.asyncio.from_url(redis_server.url)
    await writer.xadd(broker.key, entry(encode(chat_message('ann', 'before', 1.0))))
    await broker.start()
    broker.publish(encode(chat_message('ann', 'after', 2.0)))
    assert await until(heard.messages)
    assert [m['text'] for m in heard.messages()] == ['after']
    await writer.aclose()


async def test_the_frames_of_one_turn_go_in_one_batch():
    """what is published in one turn of the loop is one round trip to Redis"""
    outbox = Outbox(max_queue=10)
    for number in range(3):
        outbox.put(f'frame {number}')
    assert await outbox.next_batch() == [(1, 'frame 0'), (2, 'frame 1'), (3, 'frame 2')]
    outbox.put('frame 3')
    assert await outbox.next_batch() == [(4, 'frame 3')]


class Client:
    """a client of the hub that keeps its writes"""

    def __init__(self):
        self.writes = []

    def deliver(self, data, texts):
        """one write"""
        self.writes.append((data, texts))
        return True


async def test_an_xread_batch_reaches_a_client_in_one_write(brokers, redis_server):
    """the entries of one XREAD are one write to each client"""
    broker, client = brokers(), Client()
    Hub(broker, ping_interval=0).join(client)
    await broker.start()
    texts = [encode(chat_message('ann', f'number {n}', 1.0)) for n in range(3)]
    writer = redis.asyncio.from_url(redis_server.url)
    # a transaction: the blocked XREAD gets all three at once
    async with writer.pipeline(transaction=True) as pipe:
        for seq, text in enumerate(texts, 1):
            pipe.xadd(broker.key, entry(text, seq))
        await pipe.execute()
    assert await until(lambda: client.writes)
    await asyncio.sleep(0.1)
    assert [written for _, written in client.writes] == [texts]
    await writer.aclose()


async def test_a_batch_sent_twice_is_delivered_once(brokers):
    """a batch sent again after its reply was lost: each frame once"""
    broker, heard = brokers(), Heard()
    broker.attach(heard)
    await broker.start()
    batch = [(1, encode(chat_message('ann', 'once', 1.0)))]
    await broker.append(batch)
    await broker.append(batch)
    await broker.append([(2, encode(chat_message('ann', 'twice', 2.0)))])
    assert await until(lambda: len(heard.messages()) == 2)
    assert [m['text'] for m in heard.messages()] == ['once', 'twice']


GARBAGE = [
    {'frame': b'\xff\xfe'},
    entry(b'\xff\xfe'),
    entry('not json'),
    entry(encode({'type': 'status', 'status': 'ok'})),
    entry(encode({'type': 'message', 'name': 'ann', 'text': 'no time'})),
    entry(encode({**chat_message('ann', 'a bad id', 1.0), 'id': 'one'})),
    entry(encode(chat_message('\u202eann', 'a name a browser may not send', 1.0))),
    entry(encode(chat_message('ann', 'x' * 2001, 1.0))),
    {**entry(encode(chat_message('ann', 'no seq', 1.0))), 'seq': 'one'},
]


async def test_garbage_on_the_stream_is_dropped_and_logged_once(
    brokers, redis_server, caplog
):
    """bytes that are not UTF-8, not JSON, not a chat message: dropped, one log line"""
    broker, heard = brokers(), Heard()
    broker.attach(heard)
    await broker.start()
    writer = redis.asyncio.from_url(redis_server.url)
    with caplog.at_level(logging.WARNING):
        for fields in GARBAGE:
            await writer.xadd(broker.key, fields)
        await writer.xadd(broker.key, entry(encode(chat_message('ann', 'good', 1.0))))
        assert await until(heard.messages)
        assert caplog.text.count('bad entries from redis') == 1
        # a flood: one line at the 10th, 100th, 1000th, not one per entry
        async with writer.pipeline(transaction=False) as pipe:
            for _ in range(1000 - len(GARBAGE)):
                pipe.xadd(broker.key, entry('garbage'))
            await pipe.execute()
        go_on = entry(encode(chat_message('ann', 'go on', 2.0)), seq=2)
        await writer.xadd(broker.key, go_on)
        assert await until(lambda: len(heard.messages()) == 2)
    assert [m['text'] for m in heard.messages()] == ['good', 'go on']
    assert broker.cursor.dropped == 1000
    assert caplog.text.count('bad entries from redis') == 4
    assert 'dropped so far: 1000' in caplog.text
    await writer.aclose()


async def heard_apart(chats):
    """each (broker, heard) of chats says a message; the texts each one heard"""
    for number, (broker, heard) in enumerate(chats):
        broker.attach(heard)
        await broker.start()
        broker.publish(encode(chat_message('ann', f'chat {number}', 1.0)))
    assert await until(lambda: all(heard.messages() for _, heard in chats))
    await asyncio.sleep(0.2)
    return [[m['text'] for m in heard.messages()] for _, heard in chats]


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

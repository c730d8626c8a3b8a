"""Presence, rooms, typing and history across server processes (broker=redis).

Two or three app instances on one real Redis, as processes on several
machines would run them; and real server processes, stopped and killed.
"""

import asyncio
import os
import signal
import time
import uuid

import redis.asyncio

from {{ cookiecutter.package_name }}.hub import Hub

from ..fixtures import join, next_frame
from ..ports import free_port
from ..server_process import ServerProcess
from ..test_rooms import call, presence
from .test_broker import heard, say, second_server, until


async def instances(app, brokers, count=2, **options):
    """count app instances, each on a broker of its own (options: timeout=);
    their (hubs, ws URLs, servers)"""
    hubs = [Hub(brokers(**options)) for _ in range(count)]
    app.settings['hub'] = hubs[0]
    made = [await second_server(app, hub) for hub in hubs[1:]]
    for hub in hubs:
        await hub.start()
    return hubs, [None, *(url for _, url in made)], [server for server, _ in made]


def knows(hub, room, *names):
    """a condition: hub knows that names are in room"""
    return lambda: set(names) <= hub.presence.names(room)


async def test_members_rooms_and_typing_span_the_processes(app, brokers, ws_connect):
    """each process lists the people of the others; joins, leaves and typing
    travel between them"""
    hubs, urls, servers = await instances(app, brokers)
    ann = await ws_connect()
    assert (await presence(ann))['joined'] == ['ann']
    assert await until(knows(hubs[1], 'general', 'ann'))
    bob = await ws_connect(url=urls[1], name='bob')
    assert bob.history['members'] == ['ann', 'bob']
    assert (await presence(ann))['joined'] == ['bob']
    await ws_connect(url=urls[1], name='cy', room='games')
    assert await until(knows(hubs[0], 'games', 'cy'))
    assert (await call(ann, 'rooms'))['result'] == {
        'rooms': [{'room': 'games', 'members': 1}, {'room': 'general', 'members': 2}]
    }
    assert (await call(bob, 'typing', room='general'))['result'] == {}
    typing = await next_frame(ann)
    assert typing == {
        'jsonrpc': '2.0',
        'method': 'typing',
        'params': {'room': 'general', 'name': 'bob'},
    }
    await call(bob, 'leave', room='general')
    update = await presence(ann)
    assert (update['count'], update['members'], update['left']) == (1, ['ann'], ['bob'])
    for server in servers:
        server.stop()


async def test_a_join_anywhere_gets_what_was_said_anywhere(app, brokers, ws_connect):
    """history and resume do not depend on the process a client lands on
    (without a database too: each process keeps what the others said)"""
    _, urls, servers = await instances(app, brokers)
    ann = await ws_connect()
    listener = await ws_connect(url=urls[1], name='lee')
    said = []
    for number in range(3):
        await say(ann, f'message {number}')
        said.append(await heard(listener))
    bob = await ws_connect(url=urls[1], name='bob')
    assert [m['text'] for m in bob.history['messages']] == [
        'message 0',
        'message 1',
        'message 2',
    ]
    back = await ws_connect(url=urls[1], name='ann', history=False)
    answer = await join(back, 'general', 'ann', after=said[0]['id'])
    assert answer['messages'] == said[1:]
    assert not answer['truncated']
    for server in servers:
        server.stop()


async def test_a_send_tried_again_on_another_process_is_said_once(
    app, brokers, ws_connect
):
    """a send whose answer was lost, tried again after a reconnect that landed
    on another process: the same answer, and the message is not said again"""
    _, urls, servers = await instances(app, brokers)
    ann = await ws_connect()
    there = await ws_connect(url=urls[1], name='lee')
    params = {'room': 'general', 'text': 'once', 'name': 'ann', 'client_id': 'c-1'}
    first = (await call(ann, 'send', **params))['result']
    assert (await heard(there))['text'] == 'once'
    back = await ws_connect(url=urls[1], name='ann')
    assert (await call(back, 'send', **params))['result'] == first
    await say(back, 'next')
    assert (await heard(there))['text'] == 'next'
    for server in servers:
        server.stop()


async def test_a_process_that_starts_keeps_what_the_stream_holds(
    app, brokers, ws_connect, redis_server
):
    """a send said before a process started, tried again there: said once"""
    hubs, _, servers = await instances(app, brokers, count=1)
    ann = await ws_connect()
    params = {'room': 'general', 'text': 'before', 'name': 'ann', 'client_id': 'c-2'}
    answer = (await call(ann, 'send', **params))['result']
    writer = redis.asyncio.from_url(redis_server.url)
    await writer.xadd(hubs[0].broker.key, {'origin': 'x', 'seq': 1, 'frame': 'bad'})
    await writer.aclose()
    late = Hub(brokers())
    server, url = await second_server(app, late)
    servers.append(server)
    await late.start()
    back = await ws_connect(url=url, name='ann')
    assert [m['text'] for m in back.history['messages']] == ['before']
    assert (await call(back, 'send', **params))['result'] == answer
    await say(back, 'after')
    assert (await heard(back))['text'] == 'after'  # not "before" again
    for server in servers:
        server.stop()


async def test_presence_outlives_a_redis_restart(
    app, brokers, redis_server, ws_connect
):
    """Redis restarts, and loses what it held: nobody is taken for gone, each
    process writes its names again, and a process that starts afterwards knows
    who is where"""
    hubs, urls, servers = await instances(app, brokers, timeout=1.0)
    ann = await ws_connect()
    bob = await ws_connect(url=urls[1], name='bob')
    assert await until(knows(hubs[0], 'general', 'ann', 'bob'))
    await asyncio.to_thread(redis_server.stop)
    await asyncio.sleep(1.5)
    await asyncio.to_thread(redis_server.start)
    writer = redis.asyncio.from_url(redis_server.url)
    await writer.delete(*await writer.keys(f'{hubs[0].broker.key}:*'))
    await writer.aclose()
    await asyncio.sleep(2.0)  # timeout and more: time to take someone for dead
    assert hubs[0].presence.names('general') == {'ann', 'bob'}
    assert hubs[1].presence.names('general') == {'ann', 'bob'}
    hubs.append(Hub(brokers(timeout=1.0)))
    made = await second_server(app, hubs[-1])
    servers.append(made[0])
    await hubs[-1].start()
    cy = await ws_connect(url=made[1], name='cy')
    assert cy.history['members'] == ['ann', 'bob', 'cy']
    for client in (ann, bob):
        frame = await presence(client)
        while 'cy' not in frame.get('joined', ()):
            assert 'left' not in frame, frame
            frame = await presence(client)
    for server in servers:
        server.stop()


async def test_a_process_that_stops_beating_is_taken_for_dead(
    app, brokers, ws_connect, caplog
):
    """a process that crashed (no goodbye, no beats): after the timeout its
    people leave the rooms of the others"""
    hubs, urls, servers = await instances(app, brokers, timeout=0.5)
    ann = await ws_connect()
    await ws_connect(url=urls[1], name='bob')
    while (await presence(ann))['members'] != ['ann', 'bob']:
        pass
    crashed = hubs[1].broker
    await crashed.stop_tasks()
    crashed.tasks = []  # closed later without a word, as a crash would
    assert (await presence(ann))['left'] == ['bob']
    assert 'stopped beating: its people left' in caplog.text
    for server in servers:
        server.stop()


async def test_typing_while_redis_is_away_is_not_told_later(brokers):
    """typing is news for a few seconds: while Redis is away it is dropped"""
    broker = brokers()
    broker.down = True
    broker.share_typing('general', 'ann')
    assert broker.outbox.queue.empty()


async def test_what_a_process_keeps_in_redis_is_checked(brokers, redis_server):
    """names in a living process's hash that no browser could have: dropped"""
    elsewhere = f'{uuid.uuid4().hex}'
    broker = brokers()
    writer = redis.asyncio.from_url(redis_server.url)
    await writer.zadd(f'{broker.key}:processes', {elsewhere: time.time()})
    members = f'{broker.key}:members:{elsewhere}'
    await writer.hset(members, mapping={'general': '["\u202eann"]', 'games': '["bob"]'})
    hub = Hub(broker)
    await hub.start()
    assert hub.presence.elsewhere == {'games': {elsewhere: frozenset(['bob'])}}
    assert broker.cursor.dropped == 1
    await writer.aclose()


def start_server(tmp_path, server_options, name, *args):
    """a real server process with a log of its own, on a free port; (it, its ws URL)"""
    folder = tmp_path / name
    folder.mkdir()
    port = free_port()
    env = {**os.environ, 'PYTHONPATH': os.getcwd(), **server_options.env}
    args = [f'--port={port}', *args, *server_options.argv]
    return ServerProcess(args, folder, env), f'ws://127.0.0.1:{port}/ws'


async def test_a_process_that_dies_takes_its_people_with_it(
    tmp_path, server_options, ws_connect
):
    """one process is stopped: its people leave at once; one is killed with
    SIGKILL: its people leave once it has missed its beats (--presence_timeout)"""
    options = (f'--redis_key=test-{uuid.uuid4().hex}', '--presence_timeout=2')
    servers = {
        name: start_server(tmp_path, server_options, name, *options)
        for name in ('ann', 'bob', 'cy')
    }
    try:
        clients = {}
        for name, (server, url) in servers.items():
            await server.until_said('chat server on')
            clients[name] = await ws_connect(url=url, name=name)
        ann, watching = clients['ann'], servers['ann'][0]
        while (await presence(ann))['members'] != ['ann', 'bob', 'cy']:
            pass
        await say(ann, 'before the fall')
        assert (await heard(clients['cy']))['text'] == 'before the fall'
        # without a database too, each process keeps what the others said
        late = await ws_connect(url=servers['bob'][1], name='dee')
        assert late.history['messages'][-1]['text'] == 'before the fall'
        assert servers['bob'][0].stop(signal.SIGTERM) == 0
        assert await presence(ann) == {
            'room': 'general',
            'count': 2,
            'members': ['ann', 'cy'],
            'left': ['bob'],
        }
        assert 'stopped beating' not in watching.said()  # bob said goodbye
        servers['cy'][0].kill()
        update = await presence(ann)
        assert (update['members'], update['left']) == (['ann'], ['cy'])
        await watching.until_said('stopped beating: its people left')
    finally:
        for server, _ in servers.values():
            server.kill()

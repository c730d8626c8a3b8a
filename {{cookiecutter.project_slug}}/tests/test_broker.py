""" The Redis broker, on a real throwaway redis-server: across processes, and through outages. """
import asyncio
import json
import logging

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from {{ cookiecutter.package_name }}.hub import Hub
from {{ cookiecutter.package_name }}.main import make_app
from {{ cookiecutter.package_name }}.redis_broker import BROKER_DOWN, BROKER_UP, RedisBroker


async def second_server(app, hub):
    """ another instance of the app, as another process would run it; its ws URL """
    sockets = bind_sockets(0, '127.0.0.1')
    server = HTTPServer(make_app({**app.settings, 'hub': hub}))
    server.add_sockets(sockets)
    return server, f'ws://127.0.0.1:{sockets[0].getsockname()[1]}/ws'


async def say(client, text):
    """ send a chat message """
    await client.write_message(json.dumps({'name': 'ann', 'text': text}))


async def frame(client):
    """ the next frame, decoded """
    return json.loads(await client.read_message())


async def test_clients_of_two_app_instances_chat_through_redis(
    app, brokers, ws_connect, send
):
    """ a message said on one instance reaches the clients of both """
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
    """ status frames when Redis goes and comes back; what waited is sent after """
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
    """ Redis gone between the last check and a publish: the frame waits, clients are told """
    broker = RedisBroker('redis://127.0.0.1:1/0')
    hub = Hub(broker)
    broker.connected.set()
    sending = asyncio.ensure_future(broker.send())
    with caplog.at_level(logging.ERROR):
        hub.publish({'type': 'message', 'text': 'waiting'})
        for _ in range(200):
            if broker.down:
                break
            await asyncio.sleep(0.01)
    assert broker.down and not broker.connected.is_set()
    assert 'redis went away' in caplog.text
    broker.tasks = [sending]
    await broker.close()


async def test_the_server_starts_while_redis_is_away(caplog):
    """ start() waits a moment, says so, and lets the server start anyway """
    broker = RedisBroker('redis://127.0.0.1:1/0')
    broker.attach(Hub())
    with caplog.at_level(logging.ERROR):
        await broker.start(wait=0.2)
    assert 'redis is not there yet' in caplog.text
    assert broker.down
    await broker.close()

"""PostgreSQL itself going away or stalling: mid-chat, and while servers start
and migrate."""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import asyncio
import logging

import asyncpg
import pytest

from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.main import make_options
from {{ cookiecutter.package_name }}.store.database import Database, make_engine
from {{ cookiecutter.package_name }}.store.migrate import ensure_schema
from {{ cookiecutter.package_name }}.store.part import open_database
from {{ cookiecutter.package_name }}.store.postgresql import MIGRATION_LOCK

from ..fixtures import heard, notified
from ..tcp_proxy import TcpProxy

# seconds the stalled database gets; an answer is awaited for up to DEADLINE
TIMEOUT = 1.0
DEADLINE = 15


async def test_the_database_server_going_away_is_survived(
    ws_connect, send, postgres, caplog
):
    """PostgreSQL stops mid-chat: an error frame, a log line, and back when it is"""
    client = await ws_connect()
    postgres.stop()
    try:
        with caplog.at_level(logging.ERROR):
            await send(client, name='ann', text='lost')
            assert (await notified(client))['error']['code'] == -32002
        assert 'message not stored' in caplog.text
    finally:
        postgres.start()
    await send(client, name='ann', text='back again')
    assert (await heard(client))['text'] == 'back again'


async def test_a_restart_during_the_start_up_migration_is_a_clear_error(
    database_url, postgres
):
    """a server waiting for the migration lock while PostgreSQL restarts gets
    Unavailable (the server says it in one line and exits), not a traceback"""
    holder = await asyncpg.connect(database_url.replace('+asyncpg', ''))
    await holder.execute('SELECT pg_advisory_lock($1)', MIGRATION_LOCK)
    engine = make_engine(database_url)
    waiting = asyncio.ensure_future(ensure_schema(engine, upgrade_allowed=True))
    await asyncio.sleep(1)
    assert not waiting.done(), 'the migration did not wait for the lock'
    postgres.stop()
    try:
        with pytest.raises(Unavailable, match='could not migrate the database'):
            await waiting
    finally:
        holder.terminate()
        postgres.start()
        await engine.dispose()


async def test_the_server_waits_for_postgresql_when_asked(
    database_url, postgres, caplog
):
    """--database_wait: PostgreSQL still starting when the server does is tried
    again (a log line each time) until it answers"""
    options = make_options()
    argv = ['prog', f'--database_url={database_url}', '--database_wait=30']
    options.parse_command_line(argv)
    postgres.stop()
    try:
        opening = asyncio.ensure_future(open_database(options, {}))
        await asyncio.sleep(1)
        assert not opening.done()
    finally:
        postgres.start()
    database = await opening
    await database.close()
    assert 'trying again in' in caplog.text


@pytest.fixture
def stalling_link(io_loop, store, postgres):
    """the store's database behind a TCP proxy the test can stall and resume;
    each call of the store gets TIMEOUT seconds"""
    proxy = io_loop.run_sync(TcpProxy(postgres.port).start)
    direct = store.database
    store.database = Database.at(direct.engine.url.set(port=proxy.port), TIMEOUT)
    yield proxy
    io_loop.run_sync(store.database.close)
    store.database = direct
    io_loop.run_sync(proxy.cut)


async def test_a_database_that_stops_answering_costs_an_error_frame_not_a_hang(
    ws_connect, send, stalling_link, caplog
):
    """PostgreSQL behind a link that stops forwarding but keeps its sockets:
    each sender gets an error frame, a newcomer an answer, the connection keeps
    working, and once the link is back new messages are stored and delivered"""
    client = await ws_connect()
    await send(client, name='ann', text='before')
    assert (await heard(client))['text'] == 'before'
    stalling_link.stall()
    errors = 0
    for number in range(2):
        await send(client, name='ann', text=f'lost {number}')
        answer = await asyncio.wait_for(notified(client), DEADLINE)
        errors += answer['error']['code'] == -32002
    assert errors == 2
    assert 'did not answer in time' in caplog.text
    newcomer = await asyncio.wait_for(ws_connect(), DEADLINE)
    assert newcomer.history['truncated'] and not newcomer.history['messages']
    stalling_link.resume()
    await send(client, name='ann', text='back')
    for someone in (client, newcomer):
        answer = await asyncio.wait_for(heard(someone), DEADLINE)
        assert answer['text'] == 'back'
    texts = [message['text'] for message in (await ws_connect()).history['messages']]
    assert texts[0] == 'before' and texts[-1] == 'back'

""" PostgreSQL itself going away: mid-chat, and while servers start and migrate. """
import asyncio
import logging

import asyncpg
import pytest

from {{ cookiecutter.package_name }}.database import make_engine
from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.history_part import open_database
from {{ cookiecutter.package_name }}.main import make_options
from {{ cookiecutter.package_name }}.migrate import ensure_schema
from {{ cookiecutter.package_name }}.postgresql import MIGRATION_LOCK


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


async def test_a_restart_during_the_start_up_migration_is_a_clear_error(
    database_url, postgres
):
    """ a server waiting for the migration lock while PostgreSQL restarts gets
    Unavailable (the server says it in one line and exits), not a traceback """
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
    """ --database_wait: PostgreSQL still starting when the server does is tried
    again (a log line each time) until it answers """
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

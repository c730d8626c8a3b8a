"""Rooms in the store: each room's history, what a returning client missed,
paging back, the migration that brought rooms, and old messages deleted."""

import asyncio
import contextlib
import logging
import time

from alembic.script import ScriptDirectory
from sqlalchemy import text

from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.main import make_options
from {{ cookiecutter.package_name }}.store import migrate
from {{ cookiecutter.package_name }}.store import part as history_part
from {{ cookiecutter.package_name }}.store.part import HISTORY


def texts(messages):
    """the texts of messages, in their order"""
    return [message['text'] for message in messages]


async def say(store, room, *lines, ts=1.0):
    """store each of lines in room, in order; their ids"""
    return [(await store.add('ann', line, ts, room))['id'] for line in lines]


async def test_each_room_keeps_its_own_history(store):
    """what is said in one room is not in another's history"""
    await say(store, 'general', 'hello everyone')
    await say(store, 'games', 'anyone for chess?')
    assert texts(await store.recent()) == ['hello everyone']
    assert texts(await store.recent('games')) == ['anyone for chess?']
    assert not await store.recent('empty')


async def test_a_returning_client_gets_exactly_what_it_missed(store):
    """after(): the messages newer than the last one a client has, in order"""
    seen, *missed = await say(store, 'general', 'seen', 'missed 1', 'missed 2')
    await say(store, 'games', 'not in this room')
    messages, truncated = await store.after('general', seen)
    assert [message['id'] for message in messages] == missed
    assert texts(messages) == ['missed 1', 'missed 2']
    assert not truncated
    assert await store.after('general', missed[-1]) == ([], False)


async def test_missing_more_than_a_history_says_so(store):
    """more missed than history_size (5): the newest five, and truncated"""
    first, *_ = await say(store, 'general', *(f'line {n}' for n in range(8)))
    messages, truncated = await store.after('general', first)
    assert texts(messages) == [f'line {n}' for n in range(3, 8)]
    assert truncated


async def test_paging_back_through_a_room(store):
    """before(): the messages just older than one id, oldest first"""
    ids = await say(store, 'general', *(f'line {n}' for n in range(6)))
    await say(store, 'games', 'elsewhere')
    page = await store.before('general', ids[4], 3)
    assert texts(page) == ['line 1', 'line 2', 'line 3']
    assert texts(await store.before('general', ids[1], 3)) == ['line 0']
    assert not await store.before('general', ids[0], 3)


async def test_old_messages_are_deleted_in_short_transactions(store, monkeypatch):
    """prune(): everything stamped before the limit goes, a batch at a time"""
    monkeypatch.setattr('{{ cookiecutter.package_name }}.store.messages.PRUNE_AT_ONCE', 2)
    await say(store, 'general', 'old 1', 'old 2', 'old 3', ts=100.0)
    await say(store, 'games', 'old 4', ts=100.0)
    await say(store, 'general', 'new', ts=300.0)
    assert await store.prune(older_than=200.0) == 4
    assert texts((await store.after('general', 0))[0]) == ['new']
    assert not await store.recent('games')
    assert await store.prune(older_than=200.0) == 0


async def test_the_history_so_far_moves_into_the_default_room(store):
    """the migration that brought rooms keeps every older message, in general"""
    engine = store.database.engine
    script = ScriptDirectory.from_config(migrate.alembic_config())
    before_rooms = script.get_revision(migrate.head()).down_revision
    await migrate.downgrade(engine, before_rooms)
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO messages (name, text, ts) VALUES ('ann', 'older', 1.0)")
        )
    await migrate.upgrade(engine)
    messages = await store.recent()
    assert texts(messages) == ['older']
    assert texts((await store.after('general', 0))[0]) == ['older']


def server_options(database_url, *argv):
    """the server's options, parsed from argv, on the test's database"""
    options = make_options()
    options.parse_command_line(['prog', f'--database_url={database_url}', *argv])
    return options


async def test_the_server_deletes_old_messages_in_the_background(
    database_url, monkeypatch, caplog
):
    """--history_days: old messages go at the start, then every PRUNE_EVERY
    seconds; a database that fails meanwhile is a warning, and pruning goes on"""
    monkeypatch.setattr(history_part, 'PRUNE_EVERY', 0.02)
    options = server_options(database_url, '--history_days=1')
    caplog.set_level(logging.INFO)
    settings = {}
    async with contextlib.AsyncExitStack() as resources:
        await HISTORY.open(options, settings, resources)
        store = settings['history']
        pruning = store.prune
        failing = asyncio.Event()

        async def prune_or_fail(older_than):
            if not failing.is_set():
                failing.set()
                raise Unavailable('could not delete old messages: gone')
            return await pruning(older_than)

        monkeypatch.setattr(store, 'prune', prune_or_fail)
        await store.add('ann', 'two days old', time.time() - 2 * 86400)
        await store.add('ann', 'just said', time.time())
        while 'deleted 1 messages older than 1 days' not in caplog.text:
            await asyncio.sleep(0.01)
        assert texts(await store.recent()) == ['just said']
    assert 'old messages not deleted: could not delete old messages' in caplog.text


async def test_history_days_zero_keeps_every_message(database_url):
    """--history_days=0: nothing is ever deleted, and no task runs for it"""
    options = server_options(database_url, '--history_days=0')
    settings = {}
    tasks = len(asyncio.all_tasks())
    async with contextlib.AsyncExitStack() as resources:
        await HISTORY.open(options, settings, resources)
        assert len(asyncio.all_tasks()) == tasks

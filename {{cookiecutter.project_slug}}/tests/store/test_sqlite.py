"""What is particular to SQLite: a private database file; waiting for one; a
write lock held too long; a write that runs out of time."""

import asyncio
import contextlib
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event, select

from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.main import make_options
from {{ cookiecutter.package_name }}.store import sqlite
from {{ cookiecutter.package_name }}.store.database import Database
from {{ cookiecutter.package_name }}.store.messages import Store
from {{ cookiecutter.package_name }}.store.part import open_database
from {{ cookiecutter.package_name }}.store.tables import Message

from ..fixtures import heard, notified


def test_the_database_file_is_private(database, database_url):
    """it holds password hashes: 0600, as .env is, and so are its -wal and -shm"""
    path = Path(database_url.split(':///', 1)[1])
    assert database.engine
    for name in (path, Path(f'{path}-wal'), Path(f'{path}-shm')):
        if name.exists():
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_the_server_waits_for_a_database_when_asked(tmp_path, caplog):
    """--database_wait: a database that is not there yet (its folder appears a
    moment later) is tried again, with a line in the log each time, then used"""
    folder = tmp_path / 'later'
    options = make_options()
    argv = ['prog', f'--database_url=sqlite+aiosqlite:///{folder}/chat.db']
    options.parse_command_line([*argv, '--database_wait=20'])
    opening = asyncio.ensure_future(open_database(options, {}))
    await asyncio.sleep(0.5)
    assert not opening.done()
    folder.mkdir()
    database = await opening
    await database.close()
    assert 'trying again in' in caplog.text


async def test_without_waiting_an_absent_database_stops_the_start(tmp_path):
    """by default (and once the wait is over) the start stops, in one line"""
    options = make_options()
    url = f'sqlite+aiosqlite:///{tmp_path}/absent/chat.db'
    options.parse_command_line(['prog', f'--database_url={url}', '--database_wait=0.3'])
    with pytest.raises(SystemExit, match='could not reach the database'):
        await open_database(options, {})


async def test_a_write_lock_held_too_long_costs_an_error_frame(
    ws_connect, send, store, database_url
):
    """another connection holds the write lock (BEGIN IMMEDIATE): the sender
    gets an error frame within the bound, and chats on once the lock is gone"""
    direct, store.database = store.database, Database.at(database_url, 1.0)
    path = database_url.split(':///', 1)[1]
    try:
        client = await ws_connect()
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute('BEGIN IMMEDIATE')
            await send(client, name='ann', text='locked out')
            answer = await asyncio.wait_for(notified(client), 15)
            assert answer['error']['code'] == -32002
            other.execute('ROLLBACK')
        await send(client, name='ann', text='after the lock')
        answer = await asyncio.wait_for(heard(client), 15)
        assert answer['text'] == 'after the lock'
    finally:
        await store.database.close()
        store.database = direct


async def test_a_write_that_finds_the_lock_taken_waits_in_the_thread(
    store, database_url
):
    """another connection holds the write lock: the event loop does not wait
    for it (it lets the lock go, here), the writer's thread does, and the
    message is stored once the lock is free"""
    path = database_url.split(':///', 1)[1]
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute('BEGIN IMMEDIATE')
        asyncio.get_running_loop().call_later(0.3, other.execute, 'ROLLBACK')
        started = time.monotonic()
        kept = await store.add('ann', 'waited', 1.0)
    # SQLite's own busy timeout (5 s) on the event loop would have held it longer
    assert 0.25 <= time.monotonic() - started < 2.0
    assert await store.recent() == [kept]


async def test_a_write_that_runs_out_of_time_is_not_kept(database, database_url):
    """a batch that takes longer than its bound allows (here the write lock is
    held elsewhere, so it goes to the writer's thread, and the disk is slow)
    is rolled back in that thread: the sender is told it was not stored, and
    it is not"""
    # a bound that a loaded machine keeps for a plain write, and a delay over it
    store = Store(Database.at(database_url, 2.0))
    delays = [2.0]  # the first write's, then none

    def slow_disk(*_):
        time.sleep(delays.pop() if delays else 0)  # in the writer's thread

    event.listen(store.database.write_rows.engine, 'checkout', slow_disk)
    path = database_url.split(':///', 1)[1]
    try:
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as other:
            other.execute('BEGIN IMMEDIATE')
            asyncio.get_running_loop().call_later(0.5, other.execute, 'ROLLBACK')
            with pytest.raises(Unavailable):
                await store.add('ann', 'too slow', 1.0)
        await store.add('ann', 'in time', 2.0)
        async with database.reading() as db:
            texts = (await db.scalars(select(Message.text))).all()
        assert texts == ['in time']
    finally:
        await store.database.close()


async def test_the_log_is_checkpointed_in_the_writers_thread(store, monkeypatch):
    """the event loop's connection never copies the log into the database
    file (an fsync): every CHECKPOINT_EVERY of its writes, the thread does"""
    monkeypatch.setattr(sqlite, 'CHECKPOINT_EVERY', 2)
    writer = store.database.write_rows
    threads = []

    def executed(*_):
        threads.append(threading.current_thread().name)

    event.listen(writer.engine, 'before_cursor_execute', executed)
    for number in range(5):
        await store.add('ann', f'message {number}', 1.0)
    await asyncio.wrap_future(writer.thread.submit(lambda: None))
    assert len(threads) == 2
    assert all(name.startswith('sqlite-writer') for name in threads)

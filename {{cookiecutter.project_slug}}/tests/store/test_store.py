"""The history store and the schema migrations, on a real database."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, select, text

from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.store import migrate
from {{ cookiecutter.package_name }}.store.database import (
    DEFAULT_URL,
    Database,
    make_engine,
    unavailable,
    url_from_environment,
)
from {{ cookiecutter.package_name }}.store.messages import Store
from {{ cookiecutter.package_name }}.store.tables import Message


class Counted:
    """the store's writer, listing how many rows each of its writes (one
    transaction each) holds"""

    def __init__(self, writer):
        self.writer = writer
        self.batches = []

    async def __call__(self, statement, rows):
        self.batches.append(len(rows))
        return await self.writer(statement, rows)

    def close(self):
        """close the writer"""
        self.writer.close()


def transactions(store):
    """a list of the rows of each transaction of the store's writer, from now on"""
    counted = store.database.write_rows = Counted(store.database.write_rows)
    return counted.batches


async def stored(store):
    """every stored message, as (id, text), in id order"""
    async with store.database.reading() as db:
        rows = await db.execute(select(Message.id, Message.text).order_by(Message.id))
        return [tuple(row) for row in rows]


async def test_messages_come_back_oldest_first_up_to_the_limit(store):
    """recent() is the last history_size messages, in the order they were said"""
    for number in range(7):
        await store.add('ann', f'message {number}', float(number))
    recent = await store.recent()
    assert [message['text'] for message in recent] == [
        f'message {number}' for number in range(2, 7)
    ]
    assert recent[0] == {
        'id': recent[0]['id'],
        'room': 'general',
        'name': 'ann',
        'text': 'message 2',
        'ts': 2.0,
    }


async def test_what_another_process_said_is_in_the_database_already(store):
    """keep() (the broker brings another process's message): nothing to do"""
    kept = await store.add('ann', 'said elsewhere', 1.0)
    store.keep(kept)
    assert await stored(store) == [(kept['id'], 'said elsewhere')]


async def test_messages_said_at_once_are_stored_together(store):
    """1 200 senders at once: three transactions of at most 500 rows, every
    message stored once, in order, each sender answered with its own id"""
    commits = transactions(store)
    texts = [f'message {number}' for number in range(1200)]
    answers = await asyncio.gather(
        *(store.add('ann', text, float(number)) for number, text in enumerate(texts))
    )
    assert commits == [500, 500, 200]
    assert [answer['text'] for answer in answers] == texts
    ids = [answer['id'] for answer in answers]
    assert ids == sorted(set(ids))
    assert await stored(store) == list(zip(ids, texts, strict=True))
    assert answers[7] == {
        'id': ids[7],
        'room': 'general',
        'name': 'ann',
        'text': 'message 7',
        'ts': 7.0,
    }


async def test_a_lone_message_is_written_at_once(store):
    """nothing waits for company: the first message goes alone, those said
    while it is written go together next"""
    commits = transactions(store)
    first = asyncio.ensure_future(store.add('ann', 'alone', 1.0))
    for _ in range(2):  # the sender's turn, then the writer's
        await asyncio.sleep(0)
    assert store.group.writes == 1 and not first.done()
    later = await asyncio.gather(
        *(store.add('bob', f'later {number}', 2.0) for number in range(3))
    )
    assert (await first)['text'] == 'alone'
    assert [answer['text'] for answer in later] == [f'later {n}' for n in range(3)]
    assert len(commits) == store.group.writes == 2


async def test_a_failed_batch_fails_each_of_its_senders(store, outage):
    """an outage during a batch: every sender in it gets Unavailable, nothing
    of it is stored, and the next batch is stored with later ids"""
    await store.add('ann', 'before', 1.0)
    await outage.begin('messages')
    answers = await asyncio.gather(
        *(store.add('ann', f'lost {number}', 2.0) for number in range(5)),
        return_exceptions=True,
    )
    assert all(isinstance(answer, Unavailable) for answer in answers), answers
    await outage.end()
    again = await asyncio.gather(*(store.add('ann', 'back', 3.0) for _ in range(3)))
    assert [text for _, text in await stored(store)] == ['before'] + ['back'] * 3
    assert again[0]['id'] > 1


async def test_a_sender_that_gives_up_does_not_stop_the_batch(store):
    """a cancelled sender's message is still stored; the others are answered"""
    first = asyncio.ensure_future(store.add('ann', 'first', 1.0))
    gone = asyncio.ensure_future(store.add('bob', 'given up', 1.0))
    await asyncio.sleep(0)
    gone.cancel()
    assert (await first)['text'] == 'first'
    assert [text for _, text in await stored(store)] == ['first', 'given up']


async def test_a_unit_of_work_keeps_all_or_nothing(database):
    """writing(): what a unit of work wrote is kept when it ends, and none of
    it when it fails part way"""
    async with database.writing() as db:
        db.add(Message(name='ann', text='kept', ts=1.0))
    with pytest.raises(RuntimeError):
        async with database.writing() as db:
            db.add(Message(name='ann', text='rolled back', ts=2.0))
            await db.flush()
            raise RuntimeError('fails after the write')
    async with database.reading() as db:
        assert (await db.scalars(select(Message.text))).all() == ['kept']


async def test_history_survives_a_restart(store, database_url):
    """a new store on the same database sees what the old one kept"""
    await store.add('ann', 'still here after a restart', 1.0)
    await store.database.close()
    again = Store(Database.at(database_url))
    try:
        texts = [message['text'] for message in await again.recent()]
        assert texts == ['still here after a restart']
    finally:
        await again.database.close()


async def test_a_burst_of_history_reads_shares_two_queries(store):
    """ten clients asking at once: the first reads, the rest share one more read"""
    queries = []
    event.listen(
        store.database.engine.sync_engine,
        'before_cursor_execute',
        lambda *args: queries.append(args[2]),
    )
    await store.add('ann', 'hello', 1.0)
    answers = await asyncio.gather(*(store.recent() for _ in range(10)))
    assert all(answer == answers[0] for answer in answers)
    assert [message['text'] for message in answers[0]] == ['hello']
    assert len([query for query in queries if 'FROM messages' in query]) == 2


async def test_a_read_that_began_before_a_message_is_not_shared_after_it(store):
    """who asks after a message was stored gets it, whatever read was running"""
    running = asyncio.ensure_future(store.recent())
    await asyncio.sleep(0)
    await store.add('ann', 'said while the history was being read', 1.0)
    later = await store.recent()
    assert [message['text'] for message in later] == [
        'said while the history was being read'
    ]
    await running


async def test_a_failing_database_raises_store_unavailable(store, outage):
    """errors from the database come out as Unavailable"""
    await outage.begin('messages')
    with pytest.raises(Unavailable, match='could not store'):
        await store.add('ann', 'lost', 1.0)
    with pytest.raises(Unavailable, match='could not read'):
        await store.recent()
    await outage.end()
    assert (await store.add('ann', 'back', 2.0))['text'] == 'back'


async def test_no_answer_in_time_is_unavailable():
    """whatever does not finish within the bound comes out as Unavailable"""
    with pytest.raises(Unavailable, match='could not wait: .* did not answer in time'):
        async with unavailable('wait', 0.01):
            await asyncio.sleep(10)


async def test_migrations_go_down_and_up(store):
    """every revision can be undone and redone"""
    assert await migrate.current(store.database.engine) == migrate.head()
    await migrate.downgrade(store.database.engine, 'base')
    assert await migrate.current(store.database.engine) is None
    await migrate.upgrade(store.database.engine)
    assert await migrate.current(store.database.engine) == migrate.head()


async def test_tables_and_migrations_agree(store, tmp_path):
    """autogenerate finds nothing to change: tables.py and migrations/ match"""
    folder = tmp_path / 'migrations'
    (folder / 'versions').mkdir(parents=True)
    for name in ('env.py', 'script.py.mako'):
        (folder / name).write_bytes((migrate.MIGRATIONS / name).read_bytes())
    for script in (migrate.MIGRATIONS / 'versions').glob('0*.py'):
        (folder / 'versions' / script.name).write_bytes(script.read_bytes())
    await migrate.revision(store.database.engine, 'nothing to change', folder)
    (written,) = [
        path for path in (folder / 'versions').glob('*.py') if 'nothing' in path.name
    ]
    source = written.read_text(encoding='utf-8')
    assert 'op.' not in source, source


async def test_ensure_schema_upgrades_or_refuses(store):
    """behind: upgraded when allowed, SchemaBehind when not"""
    await migrate.downgrade(store.database.engine, 'base')
    with pytest.raises(migrate.SchemaBehind, match='inv db-upgrade'):
        await migrate.ensure_schema(store.database.engine, upgrade_allowed=False)
    await migrate.ensure_schema(store.database.engine, upgrade_allowed=True)
    await migrate.ensure_schema(store.database.engine, upgrade_allowed=False)
    assert await migrate.current(store.database.engine) == migrate.head()


def test_servers_starting_together_migrate_one_at_a_time(run_module):
    """three processes upgrading an empty database at once all succeed"""
    with ThreadPoolExecutor(3) as pool:
        # run_module checks each one's exit code, and raises when one failed
        list(pool.map(lambda _: run_module('store.migrate', 'upgrade'), range(3)))


async def test_the_command_line_migrates(database_url, tmp_path, capsys):
    """python -m ... migrate upgrade / current / downgrade / revision"""
    folder = tmp_path / 'migrations'
    await migrate.run(['--database-url', database_url, 'upgrade'])
    assert f'at revision {migrate.head()}' in capsys.readouterr().out
    await migrate.run(['--database-url', database_url, 'downgrade', 'base'])
    assert 'at revision None' in capsys.readouterr().out
    await migrate.run(['--database-url', database_url, 'current'])
    assert 'at revision None' in capsys.readouterr().out
    engine = make_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text('CREATE TABLE scratch (id INTEGER)'))
    finally:
        await engine.dispose()
    (folder / 'versions').mkdir(parents=True)
    for name in ('env.py', 'script.py.mako'):
        (folder / name).write_bytes((migrate.MIGRATIONS / name).read_bytes())
    argv = ['--database-url', database_url, '--migrations', str(folder)]
    await migrate.run([*argv, 'revision', 'first'])
    assert list((folder / 'versions').glob('*_first.py'))


def test_database_url_comes_from_the_environment():
    """DATABASE_URL wins over the default"""
    environ = {'DATABASE_URL': 'sqlite+aiosqlite:///x.db'}
    assert url_from_environment(environ) == 'sqlite+aiosqlite:///x.db'
    assert url_from_environment({}) == DEFAULT_URL


def test_python_dash_m_migrates(run_module):
    """`python -m {{ cookiecutter.package_name }}.store.migrate upgrade`, as `inv db-upgrade` runs it"""
    completed = run_module('store.migrate', 'upgrade')
    assert f'at revision {migrate.head()}' in completed.stdout

"""SQLite: the default database file, its pragmas, the store's writer thread,
and one migration at a time."""

import asyncio
import contextlib
import fcntl
import os
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, event

DEFAULT_URL = 'sqlite+aiosqlite:///chat.db'
# Asked to return a multi-row INSERT's ids in the rows' order, SQLAlchemy sends
# one INSERT per row to SQLite. There is no need: one writer at a time, SQLite
# numbers the rows of one INSERT upwards in their order, so the ids, sorted, are.
RETURNING_SORTED = False


def connect_args(timeout):
    """wait at most timeout seconds for a lock another connection holds
    (SQLite's busy timeout), then fail with "database is locked"; None:
    SQLite's default (5 s)"""
    return {} if timeout is None else {'timeout': timeout}


def configure(engine):
    """a database file only its owner can read (it holds password hashes), and
    SQLite's pragmas on every new connection of engine (asyncio or not)"""
    path = engine.url.database
    sync_engine = getattr(engine, 'sync_engine', engine)
    event.listen(sync_engine, 'do_connect', lambda *_: _private_file(path))
    event.listen(sync_engine, 'connect', _pragmas)


def _private_file(path):
    """make the database file 0600 before SQLite makes it with the umask's (0644)

    Its -wal and -shm files take the database's permissions. A file that is
    already there keeps its own, and one that cannot be made is SQLite's to report.
    """
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _pragmas(dbapi_connection, _record):
    """write-ahead logging (synced at checkpoints, safe from crashes of the app)"""
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.close()


class Writer:
    """``await writer(statement, rows)``: the store's multi-row INSERT, in one
    thread of its own with SQLite's own driver; the ids it returns

    Through aiosqlite, one write is some ten hand-overs between the event loop
    and aiosqlite's thread (cursor, execute, fetch, close, commit), each a wake-up
    and a fight for the GIL: most of a stored message's cost. Here a whole
    transaction is one hand-over. SQLite writes one transaction at a time in
    any case, so one thread loses nothing.

    A write that cannot finish in time (a lock held elsewhere) is rolled back
    in its thread before its caller's bound runs out: what the caller is told
    failed is not stored.
    """

    def __init__(self, engine, timeout=None, recycle=-1):
        # the caller's bound, less what a commit and the hand-over back may take
        self.budget = None if timeout is None else timeout * 0.75
        self.engine = create_engine(
            engine.url.set(drivername='sqlite'),
            pool_size=1,
            pool_recycle=recycle,
            connect_args=connect_args(self.budget),
        )
        configure(self.engine)
        self.thread = ThreadPoolExecutor(1, thread_name_prefix='sqlite-writer')

    async def __call__(self, statement, rows):
        started = time.monotonic()
        return await asyncio.get_running_loop().run_in_executor(
            self.thread, self.write, statement, rows, started
        )

    def write(self, statement, rows, started):
        """in the writer's thread: one transaction, unless the time is up"""
        with self.engine.begin() as connection:
            ids = connection.execute(statement, rows).scalars().all()
            if self.budget is not None and time.monotonic() - started > self.budget:
                raise TimeoutError('the write took too long: rolled back')
        return ids

    def close(self):
        """wait for the write in hand, then close the thread and the connection"""
        self.thread.shutdown()
        self.engine.dispose()


@contextlib.asynccontextmanager
async def migrating(engine):
    """a transaction on engine, held by one migrating process at a time

    Servers starting side by side (--processes, docker compose --scale) wait
    for a lock file beside the database, then find nothing left to do.
    """
    with open(f'{engine.url.database}-migrating', 'a', encoding='ascii') as lock:
        # closing the file lets go of the lock
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        async with engine.begin() as connection:
            yield connection

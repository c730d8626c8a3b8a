""" SQLite: the default database file, its pragmas, and one migration at a time. """
import asyncio
import contextlib
import fcntl
import os

from sqlalchemy import event

DEFAULT_URL = 'sqlite+aiosqlite:///chat.db'
# Asked to return a multi-row INSERT's ids in the rows' order, SQLAlchemy sends
# one INSERT per row to SQLite. There is no need: one writer at a time, SQLite
# numbers the rows of one INSERT upwards in their order, so the ids, sorted, are.
RETURNING_SORTED = False


def connect_args(timeout):
    """ wait at most timeout seconds for a lock another connection holds
    (SQLite's busy timeout), then fail with "database is locked"; None:
    SQLite's default (5 s) """
    return {} if timeout is None else {'timeout': timeout}


def configure(engine):
    """ a database file only its owner can read (it holds password hashes), and
    SQLite's pragmas on every new connection of engine """
    path = engine.url.database
    event.listen(engine.sync_engine, 'do_connect', lambda *_: _private_file(path))
    event.listen(engine.sync_engine, 'connect', _pragmas)


def _private_file(path):
    """ make the database file 0600 before SQLite makes it with the umask's (0644)

    Its -wal and -shm files take the database's permissions. A file that is
    already there keeps its own, and one that cannot be made is SQLite's to report.
    """
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _pragmas(dbapi_connection, _record):
    """ write-ahead logging (synced at checkpoints, safe from crashes of the app) """
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.close()


@contextlib.asynccontextmanager
async def migrating(engine):
    """ a transaction on engine, held by one migrating process at a time

    Servers starting side by side (--processes, docker compose --scale) wait
    for a lock file beside the database, then find nothing left to do.
    """
    with open(f'{engine.url.database}-migrating', 'a', encoding='ascii') as lock:
        # closing the file lets go of the lock
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        async with engine.begin() as connection:
            yield connection

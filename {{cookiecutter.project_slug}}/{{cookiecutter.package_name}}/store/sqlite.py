"""SQLite: the default database file, its pragmas, the store's writes (on the
event loop, in a thread of their own when the lock is taken), and one
migration at a time."""

import asyncio
import contextlib
import fcntl
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final, cast

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from .tables import InsertMessages, MessageKey, MessageRow

DEFAULT_URL: Final = 'sqlite+aiosqlite:///chat.db'
# Asked to return a multi-row INSERT's ids in the rows' order, SQLAlchemy sends
# one INSERT per row to SQLite. There is no need: one writer at a time, SQLite
# numbers the rows of one INSERT upwards in their order, so the ids, sorted, are.
RETURNING_SORTED: Final = False
# writes on the event loop between two checkpoints in the writer's thread: some
# two pages each, about SQLite's own 1 000 pages between two
CHECKPOINT_EVERY: Final = 500


def connect_args(timeout: float | None) -> dict[str, float]:
    """wait at most timeout seconds for a lock another connection holds
    (SQLite's busy timeout), then fail with "database is locked"; None:
    SQLite's default (5 s)"""
    return {} if timeout is None else {'timeout': timeout}


def configure(engine: Engine | AsyncEngine) -> None:
    """a database file only its owner can read (it holds password hashes), and
    SQLite's pragmas on every new connection of engine (asyncio or not)"""
    # the chat's database is a file (the URL names it), never in memory
    path = cast(str, engine.url.database)
    sync_engine = getattr(engine, 'sync_engine', engine)
    event.listen(sync_engine, 'do_connect', lambda *_: _private_file(path))
    event.listen(sync_engine, 'connect', _pragmas)


def _private_file(path: str) -> None:
    """make the database file 0600 before SQLite makes it with the umask's (0644)

    Its -wal and -shm files take the database's permissions. A file that is
    already there keeps its own, and one that cannot be made is SQLite's to report.
    """
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _no_checkpoints(
    dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry
) -> None:
    """the event loop's connection leaves checkpoints (and their fsync) to the
    writer's thread"""
    dbapi_connection.execute('PRAGMA wal_autocheckpoint=0')


def _pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """write-ahead logging (synced at checkpoints, safe from crashes of the app)"""
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.close()


def insert_rows(
    connection: DBAPIConnection,
    sql: str,
    keys: Sequence[MessageKey],
    rows: Sequence[MessageRow],
    deadline: float | None = None,
) -> list[int]:
    """on a driver's connection, one transaction: the INSERT sql of each row
    (its keys, in order), committed unless the deadline (time.monotonic())
    has passed; the ids it returns"""
    cursor = connection.cursor()
    ids = [
        cursor.execute(sql, [row[key] for key in keys]).fetchone()[0] for row in rows
    ]
    if deadline is not None and time.monotonic() > deadline:
        raise TimeoutError('the write took too long: rolled back')
    connection.commit()
    return ids


def failure(sql: str, error: sqlite3.Error) -> StatementError:
    """the SQLAlchemy error of a driver's error (as the database reports it)"""
    return DBAPIError.instance(sql, None, error, sqlite3.Error)


def is_busy(error: sqlite3.Error) -> bool:
    """is error SQLite's "database is locked" (another connection writes)?"""
    return (getattr(error, 'sqlite_errorcode', None) or 0) & 0xFF == sqlite3.SQLITE_BUSY


class Writer:
    """``await writer(statement, rows)``: the store's INSERT of rows, on
    SQLite's own driver; the ids it returns

    The statement's SQL is compiled once and run on the driver's cursor, a row
    at a time, in one transaction: SQLAlchemy's Connection cost some 50 us more
    per transaction. The write is tried at once, on the event loop, by a
    connection that never waits for a lock: a short transaction of a page or
    two written to the log, some 20 us, where handing it to a thread and back
    cost two wake-ups and a fight for the GIL, several times that. When
    another connection holds the write lock (another process, the pruning),
    the write goes to a thread of its own, which waits for it: the event loop
    never does. That connection leaves checkpoints (copying the log into the
    database file, with an fsync) to the thread, every CHECKPOINT_EVERY of its
    writes.

    A write in the thread that cannot finish in time (a lock held elsewhere)
    is rolled back there before its caller's bound runs out: what the caller
    is told failed is not stored.
    """

    def __init__(
        self, engine: AsyncEngine, timeout: float | None = None, recycle: int = -1
    ) -> None:
        url = engine.url.set(drivername='sqlite')
        # the caller's bound, less what a commit and the hand-over back may take
        self.budget = None if timeout is None else timeout * 0.75
        self.engine = create_engine(
            url,
            pool_size=1,
            pool_recycle=recycle,
            connect_args=connect_args(self.budget),
        )
        configure(self.engine)
        self.at_once = create_engine(url, pool_size=1, connect_args={'timeout': 0})
        configure(self.at_once)
        event.listen(self.at_once, 'connect', _no_checkpoints)
        # the event loop's, once it has written
        self.connection: PoolProxiedConnection | None = None
        self.thread = ThreadPoolExecutor(1, thread_name_prefix='sqlite-writer')
        # statement -> (its SQL, the keys of its parameters)
        self.compiled: dict[InsertMessages, tuple[str, Sequence[MessageKey]]] = {}
        self.written = 0  # by the event loop, since the last checkpoint

    async def __call__(
        self, statement: InsertMessages, rows: Sequence[MessageRow]
    ) -> list[int]:
        started = time.monotonic()
        sql, keys = self.sql(statement, rows[0])
        ids = self.write_now(sql, keys, rows)
        if ids is not None:
            return ids
        return await asyncio.get_running_loop().run_in_executor(
            self.thread, self.write, sql, keys, rows, started
        )

    def sql(
        self, statement: InsertMessages, row: MessageRow
    ) -> tuple[str, Sequence[MessageKey]]:
        """(statement's SQL for rows like row, the row's keys in its order)"""
        found = self.compiled.get(statement)
        if found is None:
            compiled = statement.compile(dialect=self.engine.dialect, column_keys=row)
            # SQLite's parameters are positional: the row's keys, in their order
            keys = cast(list[MessageKey], compiled.positiontup)
            found = self.compiled[statement] = (str(compiled), keys)
        return found

    def write_now(
        self, sql: str, keys: Sequence[MessageKey], rows: Sequence[MessageRow]
    ) -> list[int] | None:
        """on the event loop: one transaction, or None when the lock is taken"""
        if self.connection is None:
            self.connection = self.at_once.raw_connection()
        try:
            ids = insert_rows(self.connection, sql, keys, rows)
        except sqlite3.Error as error:
            self.connection.rollback()
            if is_busy(error):
                return None
            raise failure(sql, error) from error
        self.written += 1
        if self.written >= CHECKPOINT_EVERY:
            self.written = 0
            self.thread.submit(self.checkpoint)
        return ids

    def checkpoint(self) -> None:
        """in the writer's thread: copy what the log holds into the database
        file, as far as no reader needs it (never waiting for one)"""
        with self.engine.connect() as connection:
            connection.exec_driver_sql('PRAGMA wal_checkpoint(PASSIVE)')

    def write(
        self,
        sql: str,
        keys: Sequence[MessageKey],
        rows: Sequence[MessageRow],
        started: float,
    ) -> list[int]:
        """in the writer's thread: one transaction, unless the time is up"""
        deadline = None if self.budget is None else started + self.budget
        connection = self.engine.raw_connection()
        try:
            return insert_rows(connection, sql, keys, rows, deadline)
        except sqlite3.Error as error:
            raise failure(sql, error) from error
        finally:
            connection.close()  # back to the pool, rolled back unless committed

    def close(self) -> None:
        """wait for the write in hand, then close the thread and the connections"""
        self.thread.shutdown()
        if self.connection is not None:
            self.connection.close()
        self.at_once.dispose()
        self.engine.dispose()


@contextlib.asynccontextmanager
async def migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """a transaction on engine, held by one migrating process at a time

    Servers starting side by side (--processes, docker compose --scale) wait
    for a lock file beside the database, then find nothing left to do.
    """
    with open(f'{engine.url.database}-migrating', 'a', encoding='ascii') as lock:
        # closing the file lets go of the lock
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        async with engine.begin() as connection:
            yield connection

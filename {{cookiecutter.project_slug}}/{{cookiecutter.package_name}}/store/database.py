"""The database plumbing: the engine, short units of work, and failures made plain.

The engine is SQLAlchemy 2's asyncio engine, set up for the chosen database
(``{{ cookiecutter.database }}.py``). Whatever fails or goes away in the
database comes out of ``unavailable()`` as ``history.Unavailable``, which the
callers turn into an error frame, a 503 or a clear message, and a log line.

Every call is bounded: connecting, waiting for a pooled connection, and each
unit of work of the store and the accounts get ``timeout`` seconds. A database
that stops answering then costs its caller an error within seconds, not a hang;
the connection that hung is dropped (the pool opens a new one), so the server
recovers by itself when the database answers again.
"""

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Final, Self

from sqlalchemy import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ..history import Unavailable
from .{{ cookiecutter.database }} import (
    DEFAULT_URL,
    RETURNING_SORTED,
    Writer,
    configure,
    connect_args,
)

DEFAULT_TIMEOUT: Final = 5.0
RECYCLE: Final = 600  # seconds a pooled connection is used for, then replaced


def url_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """DATABASE_URL from the environment, or the default"""
    return (os.environ if environ is None else environ).get('DATABASE_URL', DEFAULT_URL)


def make_engine(url: str | URL, timeout: float | None = None) -> AsyncEngine:
    """an asyncio engine; with a timeout, connecting, each command and waiting
    for a pooled connection get that many seconds (without, as for a migration
    run by hand, no bound)

    No ping before each use of a pooled connection: that is a round trip per
    unit of work. A connection the database dropped (a restart) fails the first
    call that uses it; SQLAlchemy sees a disconnect, invalidates every pooled
    connection, and the next call opens a fresh one. Connections older than
    RECYCLE seconds are replaced when taken, before a proxy or firewall drops
    them for being idle.
    """
    bounds: dict[str, float] = {} if timeout is None else {'pool_timeout': timeout}
    engine = create_async_engine(
        url, pool_recycle=RECYCLE, connect_args=connect_args(timeout), **bounds
    )
    configure(engine)
    return engine


@contextlib.asynccontextmanager
async def unavailable(doing: str, timeout: float | None = None) -> AsyncIterator[None]:
    """``async with unavailable('do this', timeout):`` a database failure, or
    no answer within timeout seconds (None: no bound), while doing something
    comes out as Unavailable

    Cancelled at the bound, SQLAlchemy invalidates the connection it was
    using: no half-done connection goes back to the pool.
    """
    try:
        async with asyncio.timeout(timeout):
            yield
    except TimeoutError as error:  # before OSError: it is one
        raise Unavailable(
            f'could not {doing}: the database did not answer in time'
        ) from error
    except (SQLAlchemyError, OSError) as error:
        raise Unavailable(f'could not {doing}: {error}') from error


class Database:
    """one database: its engine and the units of work done on it"""

    # whether to ask SQLAlchemy for a multi-row INSERT's ids in the rows' order
    # (see ``{{ cookiecutter.database }}.py``)
    returning_sorted = RETURNING_SORTED

    def __init__(self, engine: AsyncEngine, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.engine = engine
        self.timeout = timeout
        self.work = async_sessionmaker(engine, expire_on_commit=False)
        self.write_rows = Writer(engine, timeout, RECYCLE)

    @classmethod
    def at(cls, url: str | URL, timeout: float = DEFAULT_TIMEOUT) -> Self:
        """the database at url; each call bounded by timeout seconds"""
        return cls(make_engine(url, timeout), timeout)

    def bounded(self, doing: str) -> AbstractAsyncContextManager[None]:
        """``async with database.bounded('do this'):`` a failure, or no
        answer within the timeout, comes out as Unavailable"""
        return unavailable(doing, self.timeout)

    def reading(self) -> AsyncSession:
        """``async with database.reading() as db:`` a unit of work that only reads"""
        return self.work()

    def writing(self) -> AbstractAsyncContextManager[AsyncSession]:
        """``async with database.writing() as db:`` one transaction, committed at the end"""
        return self.work.begin()

    async def close(self) -> None:
        """close every pooled connection"""
        self.write_rows.close()
        await self.engine.dispose()

"""PostgreSQL: the default server address, and one migration at a time."""

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Final

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .tables import InsertMessages, MessageRow

DEFAULT_URL: Final = 'postgresql+asyncpg://chat:chat@localhost:5432/chat'
# a multi-row INSERT returns its ids in the rows' order: SQLAlchemy still sends
# one statement (INSERT ... SELECT ordered by a counter), and sorted they stay so
RETURNING_SORTED: Final = True
# the key of the advisory lock held while migrating
MIGRATION_LOCK: Final = 2_541_170_001


def connect_args(timeout: float | None) -> dict[str, float]:
    """asyncpg gives up connecting, and waiting for a command's answer (then
    asks the server to cancel it), after timeout seconds; None: no bound

    The bound on commands matters: SQLAlchemy shields a session's closing
    COMMIT or ROLLBACK from cancellation, so only the driver can end it.
    """
    return {} if timeout is None else {'timeout': timeout, 'command_timeout': timeout}


def configure(_engine: AsyncEngine) -> None:
    """nothing to set: asyncpg's defaults serve the chat"""


class Writer:
    """``await writer(statement, rows)``: the store's multi-row INSERT, one
    transaction on the asyncio engine; the ids it returns (asyncpg is
    asynchronous itself: no thread needed)"""

    def __init__(
        self,
        engine: AsyncEngine,
        _timeout: float | None = None,
        _recycle: int | None = None,
    ) -> None:
        self.async_engine = engine
        self.engine = engine.sync_engine  # where its events are heard

    async def __call__(
        self, statement: InsertMessages, rows: Sequence[MessageRow]
    ) -> Sequence[int]:
        async with self.async_engine.begin() as connection:
            return (await connection.execute(statement, rows)).scalars().all()

    def close(self) -> None:
        """nothing of its own: the engine is closed with the database"""


@contextlib.asynccontextmanager
async def migrating(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """a transaction on engine, held by one migrating process at a time

    Servers starting side by side (--processes, docker compose --scale) wait
    for an advisory lock, then find nothing left to do.
    """
    async with engine.begin() as connection:
        await connection.execute(
            text('SELECT pg_advisory_xact_lock(:key)'), {'key': MIGRATION_LOCK}
        )
        yield connection

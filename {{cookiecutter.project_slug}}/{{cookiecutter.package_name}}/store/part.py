"""A database keeps the history: options, the schema check at start, the store."""

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Final

from tornado.options import OptionParser

from ..history import Unavailable
from ..part import Part, Settings
from .database import DEFAULT_TIMEOUT, Database, url_from_environment
from .messages import Store
from .migrate import SchemaBehind, ensure_schema

log = logging.getLogger(__name__)

MAX_RETRY_DELAY: Final = 5.0
PRUNE_EVERY: Final = 3600.0  # seconds between two deletions of old messages
DAY: Final = 86400.0


async def open_database(options: OptionParser, environ: Mapping[str, str]) -> Database:
    """the database, its schema checked (or upgraded); SystemExit when unusable

    A database that cannot be reached is tried again, with a growing delay,
    for up to --database_wait seconds (none by default: the server exits).
    """
    url = options.database_url or url_from_environment(environ)
    database = Database.at(url, options.database_timeout)
    deadline = time.monotonic() + options.database_wait
    delay = 0.25
    while True:
        try:
            await ensure_schema(
                database.engine, options.upgrade_db, options.database_timeout
            )
            return database
        except Unavailable as error:
            if time.monotonic() + delay > deadline:
                await database.close()
                raise SystemExit(f'error: {error}') from error
            log.warning('%s: trying again in %.2f s', error, delay)
        except SchemaBehind as error:
            await database.close()
            raise SystemExit(f'error: {error}') from error
        await asyncio.sleep(delay)
        delay = min(delay * 2, MAX_RETRY_DELAY)


async def check_database(options: OptionParser, environ: Mapping[str, str]) -> None:
    """check (or upgrade) the schema, as the server does, and let go of it"""
    await (await open_database(options, environ)).close()


async def prune_forever(store: Store, days: float, every: float) -> None:
    """delete the messages older than days, now and then every `every` seconds"""
    while True:
        try:
            deleted = await store.prune(time.time() - days * DAY)
        except Unavailable as error:
            log.warning('old messages not deleted: %s', error)
        else:
            if deleted:
                log.info('deleted %d messages older than %g days', deleted, days)
        await asyncio.sleep(every)


async def stop(task: asyncio.Task[None]) -> None:
    """cancel task and wait until it has ended"""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


class HistoryPart(Part):
    """every message is stored before it is sent; a client gets the recent ones"""

    def define_options(self, parser: OptionParser) -> None:
        """which database, how much history, whether to migrate on start"""
        parser.define(
            'database_url', default=None, help='SQLAlchemy URL (default: $DATABASE_URL)'
        )
        parser.define('history', default=50, type=int, help='messages sent on connect')
        parser.define(
            'history_days',
            default=90.0,
            type=float,
            help='days a message is kept; older ones are deleted every hour '
            '(0: kept for good)',
        )
        parser.define(
            'database_wait',
            default=0.0,
            type=float,
            help='seconds to keep trying a database that cannot be reached at start',
        )
        parser.define(
            'database_timeout',
            default=DEFAULT_TIMEOUT,
            type=float,
            help='seconds the database gets to answer a call (connect, store, read) '
            'before the call fails with an error frame',
        )
        parser.define(
            'upgrade_db',
            default=True,
            type=bool,
            help='migrate the database on start (false: refuse to start when behind)',
        )

    def before_processes(self, options: OptionParser) -> None:
        """migrate once, before the servers: started side by side, they then
        find the schema up to date (and a database that is behind stops them all)"""
        asyncio.run(check_database(options, os.environ))

    async def open(
        self, options: OptionParser, settings: Settings, resources: AsyncExitStack
    ) -> None:
        """the database and the history kept in it"""
        database = await open_database(options, os.environ)
        resources.push_async_callback(database.close)
        store = Store(database, options.history)
        settings['database'] = database
        settings['history'] = store
        if options.history_days > 0:
            pruning = asyncio.create_task(
                prune_forever(store, options.history_days, PRUNE_EVERY)
            )
            resources.push_async_callback(stop, pruning)


HISTORY: Final = HistoryPart()

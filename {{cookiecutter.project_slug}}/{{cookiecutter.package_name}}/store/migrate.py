"""Schema migrations with Alembic, driven from code.

The server checks the schema when it starts, ``inv db-upgrade``,
``inv db-downgrade`` and ``inv db-revision`` call ``python -m`` this module,
and the tests use the same functions. Alembic runs on the engine's own
connection, so this works for SQLite and PostgreSQL alike.
"""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from ..environment import read_env_file
from .database import make_engine, unavailable, url_from_environment
from .{{ cookiecutter.database }} import migrating

MIGRATIONS: Final = Path(__file__).parent / 'migrations'


class SchemaBehind(Exception):
    """the database's schema is older than the code's"""


def alembic_config(
    connection: Connection | None = None, script_location: str | Path = MIGRATIONS
) -> Config:
    """an Alembic configuration that migrates through connection"""
    config = Config()
    config.set_main_option('script_location', str(script_location))
    config.attributes['connection'] = connection
    return config


def head() -> str | None:
    """the newest revision the code knows"""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current(engine: AsyncEngine) -> str | None:
    """the revision the database is at (None when empty)"""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)


async def upgrade(engine: AsyncEngine, target: str = 'head') -> None:
    """migrate the database up to the target revision, one process at a time"""
    async with migrating(engine) as connection:
        await connection.run_sync(
            lambda sync: command.upgrade(alembic_config(sync), target)
        )


async def downgrade(engine: AsyncEngine, target: str) -> None:
    """migrate the database down to the target revision"""
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.downgrade(alembic_config(sync), target)
        )


async def revision(
    engine: AsyncEngine, message: str, script_location: str | Path = MIGRATIONS
) -> Script | None | list[Script | None]:
    """write a new migration from the difference between tables.py and the database"""
    async with engine.connect() as connection:
        scripts = await connection.run_sync(
            lambda sync: command.revision(
                alembic_config(sync, script_location),
                message=message,
                autogenerate=True,
            )
        )
    return scripts


async def ensure_schema(
    engine: AsyncEngine, upgrade_allowed: bool, timeout: float | None = None
) -> None:
    """upgrade to head, or raise SchemaBehind when that is not allowed

    Reading the revision gets timeout seconds (None: no bound); the
    migration itself is not bounded: it may take long on a large table.
    """
    async with unavailable('reach the database', timeout):
        at, wanted = await current(engine), head()
    if at == wanted:
        return
    if not upgrade_allowed:
        raise SchemaBehind(
            f'the database is at revision {at}, the code needs {wanted}: '
            'run `inv db-upgrade` (or start with --upgrade_db=true)'
        )
    # the database may fail here too, e.g. restarting while servers wait for
    # the migration lock: a clear error, not a traceback
    async with unavailable('migrate the database'):
        await upgrade(engine)


async def run(argv: list[str]) -> None:
    """the command line: upgrade, downgrade REVISION, revision MESSAGE, current"""
    read_env_file('.env')
    parser = argparse.ArgumentParser(prog='migrate', description='migrate the database')
    parser.add_argument('--database-url', default=url_from_environment())
    parser.add_argument(
        '--migrations', default=MIGRATIONS, help='the migrations folder'
    )
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('upgrade', help='migrate to the newest revision')
    down = commands.add_parser('downgrade', help='migrate down to a revision')
    down.add_argument('revision', help='e.g. -1 or base')
    new = commands.add_parser('revision', help='write a migration from tables.py')
    new.add_argument('message')
    commands.add_parser('current', help='show the revision the database is at')
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    try:
        if args.command == 'upgrade':
            await upgrade(engine)
        elif args.command == 'downgrade':
            await downgrade(engine, args.revision)
        elif args.command == 'revision':
            await revision(engine, args.message, args.migrations)
        print(f'database at revision {await current(engine)} (code: {head()})')
    finally:
        await engine.dispose()


if __name__ == '__main__':
    asyncio.run(run(sys.argv[1:]))

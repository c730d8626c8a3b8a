"""A server with a database: the schema is checked (or upgraded) before it serves."""

import asyncio

import pytest

from {{ cookiecutter.package_name }}.main import make_options, serve
from {{ cookiecutter.package_name }}.store.database import Database
from {{ cookiecutter.package_name }}.store.migrate import current, head
from {{ cookiecutter.package_name }}.store.part import HISTORY


async def test_serve_refuses_a_database_that_is_behind(tmp_path, database_url):
    """with --upgrade_db=false an unmigrated database stops the start, clearly"""
    argv = [
        'prog',
        '--port=0',
        f'--env_file={tmp_path}/none',
        f'--database_url={database_url}',
        '--upgrade_db=false',
    ]
    with pytest.raises(SystemExit, match='run `inv db-upgrade`'):
        await serve(argv)


async def test_serve_refuses_a_database_it_cannot_reach(tmp_path, unreachable_url):
    """a database that is not there stops the start with a message, not a traceback"""
    argv = ['prog', '--port=0', f'--env_file={tmp_path}/none']
    argv.append(f'--database_url={unreachable_url}')
    with pytest.raises(SystemExit, match='could not reach the database'):
        await serve(argv)


def test_before_processes_the_database_is_migrated_once(database_url):
    """what --processes N does before it starts the servers: upgrade, let go"""
    options = make_options()
    options.parse_command_line(['prog', f'--database_url={database_url}'])
    HISTORY.before_processes(options)
    database = Database.at(database_url)

    async def revision():
        try:
            return await current(database.engine)
        finally:
            await database.close()

    assert asyncio.run(revision()) == head()

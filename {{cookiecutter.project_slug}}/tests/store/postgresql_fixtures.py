"""Fixtures of database=postgresql: one throwaway server, a new database per test."""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import uuid

import asyncpg
import pytest

from .pg_server import PostgresServer

UNREACHABLE_URL = 'postgresql+asyncpg://postgres@127.0.0.1:1/none'


@pytest.fixture(scope='session')
def postgres():
    """one throwaway PostgreSQL server for the whole run"""
    server = PostgresServer().start()
    yield server
    server.remove()


@pytest.fixture
def database_url(io_loop, postgres):
    """a new, empty database on the test server for each test"""
    name = f'test_{uuid.uuid4().hex}'

    async def create():
        connection = await asyncpg.connect(postgres.url().replace('+asyncpg', ''))
        await connection.execute(f'CREATE DATABASE {name}')
        await connection.close()

    io_loop.run_sync(create)
    return postgres.url(name)


@pytest.fixture
def unreachable_url():
    """the URL of a database server that is not there"""
    return UNREACHABLE_URL


@pytest.fixture
def outage(database_url):
    """make tables go away (renamed), and come back: `await outage.begin('messages')`"""
    dsn = database_url.replace('+asyncpg', '')

    class Outage:
        """rename tables on the real database"""

        hidden = ()

        async def rename(self, suffix_from, suffix_to):
            """rename the hidden tables"""
            connection = await asyncpg.connect(dsn)
            for table in self.hidden:
                await connection.execute(
                    f'ALTER TABLE {table}{suffix_from} RENAME TO {table}{suffix_to}'
                )
            await connection.close()

        async def begin(self, *tables):
            """the tables go away"""
            self.hidden = tables
            await self.rename('', '_away')

        async def end(self):
            """the tables are back"""
            await self.rename('_away', '')

    return Outage()


@pytest.fixture
def e2e_environment(e2e_environment, postgres):
    """each browser test server gets a new database on the test PostgreSQL"""

    def environment():
        name = f'e2e_{uuid.uuid4().hex}'
        return {**e2e_environment(), 'DATABASE_URL': postgres.create_database(name)}

    return environment

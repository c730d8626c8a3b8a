"""Fixtures of database=sqlite: a new database file for each test, and outages."""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import contextlib
import sqlite3

import pytest

UNREACHABLE_URL = 'sqlite+aiosqlite:////nonexistent-folder/chat.db'


@pytest.fixture
def database_url(tmp_path):
    """a new SQLite file for each test"""
    return f'sqlite+aiosqlite:///{tmp_path}/chat.db'


@pytest.fixture
def unreachable_url():
    """the URL of a database that cannot be opened"""
    return UNREACHABLE_URL


@pytest.fixture
def outage(database_url):
    """make tables go away (renamed), and come back: `await outage.begin('messages')`"""
    path = database_url.split(':///', 1)[1]

    class Outage:
        """rename tables in the real database file"""

        hidden = ()

        def rename(self, suffix_from, suffix_to):
            """rename the hidden tables"""
            with contextlib.closing(sqlite3.connect(path)) as connection:
                with connection:
                    for table in self.hidden:
                        connection.execute(
                            f'ALTER TABLE {table}{suffix_from} '
                            f'RENAME TO {table}{suffix_to}'
                        )

        async def begin(self, *tables):
            """the tables go away"""
            self.hidden = tables
            self.rename('', '_away')

        async def end(self):
            """the tables are back"""
            self.rename('_away', '')

    return Outage()

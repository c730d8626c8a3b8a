"""Fixtures of every database: the store on a migrated database, and `python -m`."""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import os
import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}.store.database import Database
from {{ cookiecutter.package_name }}.store.messages import Store
from {{ cookiecutter.package_name }}.store.migrate import upgrade


@pytest.fixture
def database(io_loop, database_url):
    """the test's database, migrated and empty"""
    migrated = Database.at(database_url)
    io_loop.run_sync(lambda: upgrade(migrated.engine))
    yield migrated
    io_loop.run_sync(migrated.close)


@pytest.fixture
def store(database):
    """the history store on the test's database"""
    return Store(database, history_size=5)


@pytest.fixture
def app_settings(app_settings, database, store):
    """the application keeps its history in the store"""
    return {**app_settings, 'database': database, 'history': store}


@pytest.fixture
def server_options(server_options, database_url):
    """a server started by a test uses the test's database"""
    server_options.argv.append(f'--database_url={database_url}')
    server_options.env['DATABASE_URL'] = database_url
    return server_options


@pytest.fixture
def run_module(database_url):
    """a helper: `run_module('store.migrate', 'upgrade')` runs
    `python -m {{ cookiecutter.package_name }}.store.migrate upgrade` on this test's database"""

    def run(module, *args):
        return subprocess.run(
            [sys.executable, '-m', f'{{ cookiecutter.package_name }}.{module}', *args],
            env={**os.environ, 'DATABASE_URL': database_url, 'PYTHONPATH': os.getcwd()},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )

    return run

""" What is particular to SQLite: a database file only its owner may read. """
import os
import stat
from pathlib import Path


def test_the_database_file_is_private(database, database_url):
    """ it holds password hashes: 0600, as .env is, and so are its -wal and -shm """
    path = Path(database_url.split(':///', 1)[1])
    assert database.engine
    for name in (path, Path(f'{path}-wal'), Path(f'{path}-shm')):
        if name.exists():
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

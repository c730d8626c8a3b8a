"""A throwaway PostgreSQL server on loopback for the tests.

It runs from a temporary data folder with initdb and pg_ctl (Debian keeps them
in /usr/lib/postgresql/<version>/bin; set PG_BINDIR to use others). PostgreSQL
refuses to run as root, so as root it runs as the ``postgres`` user.
"""

import glob
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..ports import free_port


def find_bindir():
    """the folder holding initdb and pg_ctl"""
    candidates = [os.environ.get('PG_BINDIR', '')]
    candidates += sorted(glob.glob('/usr/lib/postgresql/*/bin'), reverse=True)
    candidates.append(str(Path(shutil.which('initdb') or '.').parent))
    for folder in candidates:
        if folder and (Path(folder) / 'pg_ctl').is_file():
            return Path(folder)
    raise RuntimeError(
        'PostgreSQL is not installed: `apt-get install postgresql` (or set PG_BINDIR)'
    )


class PostgresServer:
    """initdb, start, stop and remove a private PostgreSQL server"""

    def __init__(self):
        self.bindir = find_bindir()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix='chat-pg-'))
        self.data = self.folder / 'data'
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, 'postgres', 'postgres')

    def run(self, *args):
        """run a PostgreSQL program, as the postgres user when we are root"""
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ['su', 'postgres', '-s', '/bin/sh', '-c', shlex.join(command)]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self):
        """create the cluster on first use and start the server"""
        if not self.data.exists():
            self.run('initdb', '-D', str(self.data), '-U', 'postgres', '-A', 'trust')
        options = (
            f'-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 '
            '-c fsync=off -c synchronous_commit=off -c full_page_writes=off'
        )
        log = str(self.folder / 'server.log')
        self.run(
            'pg_ctl', '-D', str(self.data), '-o', options, '-l', log, '-w', 'start'
        )
        return self

    def create_database(self, name):
        """a new empty database; returns its URL"""
        where = ['-h', str(self.folder), '-p', str(self.port), '-U', 'postgres']
        self.run('createdb', *where, name)
        return self.url(name)

    def stop(self):
        """stop the server (fast: open connections are cut)"""
        self.run('pg_ctl', '-D', str(self.data), '-m', 'fast', '-w', 'stop')

    def remove(self):
        """stop and delete everything"""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database='postgres'):
        """the SQLAlchemy URL of a database on this server"""
        return f'postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}'

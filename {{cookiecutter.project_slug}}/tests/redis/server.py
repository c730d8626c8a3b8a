"""A throwaway Redis server on loopback for the tests (Debian's redis-server)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ..ports import free_port


class RedisServer:
    """start, stop (and start again on the same port) and remove a Redis server"""

    def __init__(self):
        if not shutil.which('redis-server'):
            raise RuntimeError('Redis is not installed: `apt-get install redis-server`')
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix='chat-redis-'))
        self.pidfile = self.folder / 'redis.pid'

    @property
    def url(self):
        """the server's address for redis-py"""
        return self.database(0)

    def database(self, number):
        """the address of one of the server's databases"""
        return f'redis://127.0.0.1:{self.port}/{number}'

    def answers(self):
        """does the server answer PING?"""
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=1) as sock:
                sock.sendall(b'PING\r\n')
                return sock.recv(16).startswith(b'+PONG')
        except OSError:
            return False

    def start(self):
        """start it in the background and wait until it answers; started again,
        it reads back its append-only file"""
        subprocess.run(
            [
                'redis-server',
                '--port',
                str(self.port),
                '--bind',
                '127.0.0.1',
                '--save',
                '',
                # as docker-compose.yml runs it: a restart keeps the stream
                '--appendonly',
                'yes',
                '--daemonize',
                'yes',
                '--dir',
                str(self.folder),
                '--pidfile',
                str(self.pidfile),
                '--logfile',
                str(self.folder / 'redis.log'),
            ],
            check=True,
        )
        self.wait(self.answers)
        return self

    def stop(self):
        """stop it and wait until the port is closed"""
        pid = int(self.pidfile.read_text(encoding='ascii'))
        os.kill(pid, signal.SIGTERM)
        self.wait(lambda: not self.answers())

    def remove(self):
        """stop it and delete its folder"""
        if self.answers():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def wait(condition, seconds=10):
        """poll condition until it holds"""
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError('redis-server did not start or stop in time')
            time.sleep(0.02)

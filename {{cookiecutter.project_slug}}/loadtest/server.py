"""The server under test: a subprocess on a free loopback port, read through /proc.

The app is started exactly as in production (``python -m PACKAGE.main``), the
baseline and the calibration server the same way, so every row of a run is
measured alike; each of them stops cleanly on SIGTERM. Only loopback addresses
are ever targeted.
"""

import argparse
import asyncio
import ipaddress
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import IO, TypeAlias
from urllib.parse import urlsplit

from .worker import raise_nofile
from .wsclient import Target

APP_MODULE = '{{ cookiecutter.package_name }}.main'
MODULES = {
    'app': APP_MODULE,
    'baseline': 'loadtest.baseline_server',
    'raw': 'loadtest.raw_server',
}
LOOPBACK = '127.0.0.1'
CLOCK_TICKS = os.sysconf('SC_CLK_TCK')
START_TIMEOUT = 20.0  # s a server may take to listen
STOP_TIMEOUT = 10.0  # s a server may take to stop on SIGTERM, before it is killed
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
PROCESSES = re.compile(r'--processes=(\d+)')
LISTEN = '0A'  # the state of a listening socket in /proc/net/tcp

# start a server on (port, address); what it returns stops it
Listen: TypeAlias = Callable[[int, str], Awaitable[Callable[[], object]]]


def check_loopback(host: str) -> str:
    """host, if it is loopback (127.0.0.0/8, ::1, localhost); else ValueError"""
    if host == 'localhost':
        return host
    try:
        if ipaddress.ip_address(host.strip('[]')).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f'{host} is not a loopback address: only localhost is load-tested')


def parse_url(url: str) -> Target:
    """the Target of a ws:// URL on loopback (ValueError for any other)"""
    parts = urlsplit(url)
    if parts.scheme != 'ws' or not parts.port:
        raise ValueError(f'{url}: expected ws://127.0.0.1:PORT/ws')
    # no host (ws://:PORT/ws) is no loopback address either
    host = check_loopback(parts.hostname or '')
    return Target(host, parts.port, parts.path or '/ws')


def free_port() -> int:
    """a TCP port nobody listens on right now"""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def stat_fields(pid: int) -> list[str]:
    """the fields of /proc/PID/stat after the command's name (state first)"""
    with open(f'/proc/{pid}/stat', encoding='ascii') as stat:
        return stat.read().rsplit(')', 1)[1].split()


def children(pid: int) -> list[int]:
    """the processes pid's main thread started (a server with --processes=N:
    its N servers), from /proc/PID/task/PID/children"""
    with open(f'/proc/{pid}/task/{pid}/children', encoding='ascii') as found:
        return [int(child) for child in found.read().split()]


def family(pid: int) -> list[int]:
    """pid and every process it started, and they started"""
    members = [pid]
    for member in members:
        members.extend(children(member))
    return members


def cpu_seconds(pid: int) -> float:
    """user + system CPU time of pid and its children so far (/proc/PID/stat)"""
    total = 0
    for member in family(pid):
        fields = stat_fields(member)
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def rss_kb(pid: int) -> int:
    """resident memory of pid and its children in KB (VmRSS of /proc/PID/status)"""
    return sum(own_rss_kb(member) for member in family(pid))


def own_rss_kb(pid: int) -> int:
    """resident memory of pid alone in KB"""
    with open(f'/proc/{pid}/status', encoding='ascii') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def serving(pid: int) -> int:
    """how many processes serve: the children of a supervisor, or pid alone"""
    return len(children(pid)) or 1


def listeners(port: int) -> int:
    """how many sockets listen on the loopback port (one per process sharing it)"""
    local = f'0100007F:{port:04X}'
    with open('/proc/net/tcp', encoding='ascii') as table:
        rows = [line.split() for line in table.readlines()[1:]]
    return sum(row[1] == local and row[3] == LISTEN for row in rows)


def processes_asked(options: list[str]) -> int:
    """the --processes=N among the server's options (1 when none)"""
    found = PROCESSES.findall(' '.join(options))
    return int(found[-1]) if found else 1


class Server:
    """``with Server('app') as server:`` runs it at server.target; server.pid"""

    process: subprocess.Popen[bytes]  # started by __enter__()

    def __init__(self, kind: str, options: str = '') -> None:
        self.kind = kind
        self.options = shlex.split(options)  # the app's: e.g. --processes=2
        self.port = free_port()
        self.target = Target(LOOPBACK, self.port)
        self.log: IO[str] = tempfile.TemporaryFile(mode='w+')

    @property
    def pid(self) -> int:
        """the server process's id"""
        return self.process.pid

    def __enter__(self) -> 'Server':
        command = [sys.executable, '-m', MODULES[self.kind], f'--port={self.port}']
        command += [f'--address={LOOPBACK}', '--logging=warning', *self.options]
        raise_nofile()  # the server inherits the raised limit
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            command, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.up():
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.output()
                self.__exit__(None, None, None)
                raise RuntimeError(f'the {self.kind} server did not start:\n{output}')
            time.sleep(0.1)
        return self

    def up(self) -> bool:
        """does every process asked for listen? (the kernel then answers)"""
        return listeners(self.port) >= processes_asked(self.options)

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def output(self) -> str:
        """the tail of what the server printed"""
        self.log.seek(0)
        return self.log.read()[-3000:]


def serve_command(
    listen: Listen, description: str, argv: list[str] | None = None
) -> None:
    """the command line of the baseline and calibration servers: like the app's"""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--address', default=LOOPBACK)
    parser.add_argument('--logging', help='ignored: accepted as the app accepts it')
    args = parser.parse_args(argv)
    asyncio.run(serve_until_stopped(listen, args.port, args.address))


async def serve_until_stopped(listen: Listen, port: int, address: str) -> None:
    """serve until SIGINT or SIGTERM, then stop listening and return

    The process then ends normally, as the app does: its exit handlers run
    (coverage, for one, writes what it measured).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # first: a signal that comes while the server starts up is kept
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    stop_listening = await listen(port, address)
    await stop.wait()
    stop_listening()

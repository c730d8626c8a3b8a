""" The server under test: a subprocess on a free loopback port, read through /proc.

The app is started exactly as in production (``python -m PACKAGE.main``), the
baseline and the calibration server the same way, so every row of a run is
measured alike; each of them stops cleanly on SIGTERM. Only loopback addresses
are ever targeted.
"""
import argparse
import asyncio
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

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


def check_loopback(host):
    """ host, if it is loopback (127.0.0.0/8, ::1, localhost); else ValueError """
    if host == 'localhost':
        return host
    try:
        if ipaddress.ip_address(host.strip('[]')).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f'{host} is not a loopback address: only localhost is load-tested')


def parse_url(url):
    """ the Target of a ws:// URL on loopback (ValueError for any other) """
    parts = urlsplit(url)
    if parts.scheme != 'ws' or not parts.port:
        raise ValueError(f'{url}: expected ws://127.0.0.1:PORT/ws')
    return Target(check_loopback(parts.hostname), parts.port, parts.path or '/ws')


def free_port():
    """ a TCP port nobody listens on right now """
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def cpu_seconds(pid):
    """ user + system CPU time of pid so far, from /proc/PID/stat """
    with open(f'/proc/{pid}/stat', encoding='ascii') as stat:
        fields = stat.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kb(pid):
    """ resident memory of pid in KB (VmRSS of /proc/PID/status) """
    with open(f'/proc/{pid}/status', encoding='ascii') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


def listening(port):
    """ does something accept connections on the loopback port? """
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


class Server:
    """ ``with Server('app') as server:`` runs it at server.target; server.pid """

    def __init__(self, kind):
        self.kind = kind
        self.port = free_port()
        self.target = Target(LOOPBACK, self.port)
        self.process = None
        self.log = tempfile.TemporaryFile(mode='w+')

    @property
    def pid(self):
        """ the server process's id """
        return self.process.pid

    def __enter__(self):
        command = [sys.executable, '-m', MODULES[self.kind], f'--port={self.port}']
        command += [f'--address={LOOPBACK}', '--logging=warning']
        # the file-descriptor limit (raised by the caller) is inherited
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            command, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.output()
                self.__exit__(None, None, None)
                raise RuntimeError(f'the {self.kind} server did not start:\n{output}')
            time.sleep(0.1)
        return self

    def __exit__(self, *_exc):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def output(self):
        """ the tail of what the server printed """
        self.log.seek(0)
        return self.log.read()[-3000:]


def serve_command(listen, description, argv=None):
    """ the command line of the baseline and calibration servers: like the app's """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--address', default=LOOPBACK)
    parser.add_argument('--logging', help='ignored: accepted as the app accepts it')
    args = parser.parse_args(argv)
    asyncio.run(serve_until_stopped(listen, args.port, args.address))


async def serve_until_stopped(listen, port, address):
    """ serve until SIGINT or SIGTERM, then stop listening and return

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

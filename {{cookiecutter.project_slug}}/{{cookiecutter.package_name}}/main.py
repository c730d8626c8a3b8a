"""The chat server: options, environment, the Tornado application, main().

Run it with ``python -m {{ cookiecutter.package_name }}.main --port=N`` (``--help``
lists every option). Secrets come from the environment or a ``.env`` file.
The server is composed of the parts in ``parts.py``: the chat, and what each
option chosen at baking adds.
"""

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from tornado.log import define_logging_options
from tornado.netutil import bind_sockets
from tornado.options import OptionParser
from tornado.web import Application

from .environment import read_env_file
from .headers import StaticFiles
from .history import MemoryHistory
from .hub import Hub
from .methods import Sends
from .part import Settings
from .parts import PARTS
from .proxy import ProxiedHTTPServer, trusted_proxies

log = logging.getLogger(__name__)

STATIC_DIR: Final = Path(__file__).parent / 'static'
STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
# the largest request the chat needs is a login form: a bigger body is refused
# (400) before it is read, so that nobody can fill the server's memory with one
MAX_BODY_BYTES: Final = 64 * 1024
MAX_HEADER_BYTES: Final = 16 * 1024
BODY_SECONDS: Final = 30
# a later part's setting wins
DEFAULTS: Final[Settings] = {
    key: value for part in PARTS for key, value in part.settings.items()
}


def browser_url(host: str, port: int) -> str:
    """the address to open in a browser for a server listening on host and port:
    every address (0.0.0.0, ::) is reached as localhost; IPv6 goes in brackets"""
    if ipaddress.ip_address(host).is_unspecified:
        host = 'localhost'
    elif ':' in host:
        host = f'[{host}]'
    return f'http://{host}:{port}/'


def make_options() -> OptionParser:
    """the server's command-line options: those of every part"""
    parser = OptionParser()
    for part in PARTS:
        part.define_options(parser)
    define_logging_options(parser)
    return parser


def make_app(settings: Settings | None = None) -> Application:
    """the Tornado application; settings override DEFAULTS

    The one place a Hub is made: on settings['broker'] (the memory broker
    when there is none), unless settings bring a hub of their own.
    """
    settings = {**DEFAULTS, **(settings or {})}
    hub = settings['hub'] = settings.get('hub') or Hub(
        settings.get('broker'), settings['ping_interval']
    )
    # without a database each room keeps its last messages in memory
    settings['history'] = settings.get('history') or MemoryHistory()
    settings['sends'] = Sends()
    hub.keepers = (settings['history'], settings['sends'])
    routes = {}
    for part in PARTS:
        routes.update(part.routes)
    static = {'path': str(STATIC_DIR), 'default_filename': 'index.html'}
    return Application([*routes.items(), (r'/(.*)', StaticFiles, static)], **settings)


def settings_from(options: OptionParser, environ: Mapping[str, str]) -> Settings:
    """application settings from parsed options and the environment"""
    return {
        'debug': options.debug,
        'max_text': options.max_text,
        'flood_rate': options.flood_rate,
        'flood_burst': options.flood_burst,
        'max_rooms': options.max_rooms,
        'cookie_secret': environ.get('COOKIE_SECRET'),
    }


async def serve(argv: list[str], ready: Callable[[int], object] | None = None) -> None:
    """serve until SIGINT or SIGTERM; ready(port) is called once listening"""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # from the very start: a signal that comes while the server starts up is
    # kept, and stops it as soon as it is up
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    try:
        await serve_until(stop, argv, ready)
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


async def serve_until(
    stop: asyncio.Event, argv: list[str], ready: Callable[[int], object] | None
) -> None:
    """open every part, serve until the stop event is set, then close it all"""
    options = make_options()
    options.parse_command_line(argv)
    read_env_file(options.env_file)
    settings = settings_from(options, os.environ)
    async with contextlib.AsyncExitStack() as resources:
        for part in PARTS:
            await part.open(options, settings, resources)
        app = make_app(settings)
        hub = app.settings['hub']
        await hub.start()
        resources.push_async_callback(hub.close)
        sockets = bind_sockets(
            options.port, options.address or None, reuse_port=options.reuse_port
        )
        server = ProxiedHTTPServer(
            app,
            proxies=trusted_proxies(options),
            max_body_size=MAX_BODY_BYTES,
            max_header_size=MAX_HEADER_BYTES,
            body_timeout=BODY_SECONDS,
        )
        server.add_sockets(sockets)
        host, port = sockets[0].getsockname()[:2]
        log.info('chat server on %s - open it in a browser', browser_url(host, port))
        if ready:
            ready(port)
        try:
            await stop.wait()
        finally:
            server.stop()
            hub.close_all(1001, 'the server is shutting down')
            await server.close_all_connections()
    log.info('chat server stopped')


def main() -> None:
    """the command-line entry point: each part prepares, then the server runs"""
    options = make_options()
    options.parse_command_line(sys.argv)
    read_env_file(options.env_file)
    for part in PARTS:
        part.prepare(options, sys.argv, PARTS)
    asyncio.run(serve(sys.argv))


if __name__ == '__main__':
    main()

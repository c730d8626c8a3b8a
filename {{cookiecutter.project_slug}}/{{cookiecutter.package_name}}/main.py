""" The chat server: options, environment, the Tornado application, main().

Run it with ``python -m {{ cookiecutter.package_name }}.main --port=N`` (``--help``
lists every option). Secrets come from the environment or a ``.env`` file.
"""
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

from tornado.httpserver import HTTPServer
from tornado.log import define_logging_options
from tornado.netutil import bind_sockets
from tornado.options import OptionParser
from tornado.web import Application, StaticFileHandler

from .hub import Hub
from .session import SessionHandler
from .websocket import ChatSocket

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / 'static'
MAX_FRAME_BYTES = 64 * 1024
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

DEFAULTS = {
    'debug': False,
    'max_text': 2000,
    'websocket_max_message_size': MAX_FRAME_BYTES,
    'websocket_ping_interval': 25,
    'websocket_ping_timeout': 20,
}


def make_options():
    """ the server's command-line options """
    parser = OptionParser()
    parser.define('port', default={{ cookiecutter.port | int }}, type=int, help='port to listen on')
    parser.define('address', default='', help='address to listen on (all by default)')
    parser.define(
        'debug',
        default=False,
        type=bool,
        help='reload on change and accept websockets from any origin',
    )
    parser.define(
        'max_text', default=DEFAULTS['max_text'], type=int, help='longest message text'
    )
    parser.define('env_file', default='.env', help='file of NAME=value secrets to read')
    define_logging_options(parser)
    return parser


def read_env_file(path, environ=None):
    """ add the NAME=value lines of path to environ, where not already set """
    environ = os.environ if environ is None else environ
    path = Path(path)
    if not path.is_file():
        return
    for line in path.read_text(encoding='utf-8').splitlines():
        name, sep, value = line.partition('=')
        if sep and not line.lstrip().startswith('#'):
            environ.setdefault(name.strip(), value.strip().strip('\'"'))


def make_app(settings=None):
    """ the Tornado application; settings override DEFAULTS """
    settings = {**DEFAULTS, 'hub': Hub(), **(settings or {})}
    return Application(
        [
            (r'/ws', ChatSocket),
            (r'/api/session', SessionHandler),
            (
                r'/(.*)',
                StaticFileHandler,
                {'path': str(STATIC_DIR), 'default_filename': 'index.html'},
            ),
        ],
        **settings,
    )


def settings_from(options, environ):
    """ application settings from parsed options and the environment """
    return {
        'debug': options.debug,
        'max_text': options.max_text,
        'cookie_secret': environ.get('COOKIE_SECRET'),
    }


async def serve(argv, ready=None):
    """ serve until SIGINT or SIGTERM; ready(port) is called once listening """
    options = make_options()
    options.parse_command_line(argv)
    read_env_file(options.env_file)
    sockets = bind_sockets(options.port, options.address or None)
    app = make_app(settings_from(options, os.environ))
    server = HTTPServer(app)
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    log.info('chat server on http://localhost:%d/', port)
    if ready:
        ready(port)
    try:
        await stop.wait()
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
        server.stop()
        app.settings['hub'].close_all(1001, 'the server is shutting down')
        await server.close_all_connections()
    log.info('chat server stopped')


def main():
    """ the command-line entry point """
    asyncio.run(serve(sys.argv))


if __name__ == '__main__':
    main()

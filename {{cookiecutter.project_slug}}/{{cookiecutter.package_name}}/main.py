{%- set database = cookiecutter.database != 'none' -%}
{%- set auth = cookiecutter.auth == 'password' -%}
{%- set redis = cookiecutter.broker == 'redis' -%}
""" The chat server: options, environment, the Tornado application, main().

Run it with ``python -m {{ cookiecutter.package_name }}.main --port=N`` (``--help``
lists every option). Secrets come from the environment or a ``.env`` file.
"""
import asyncio
{%- if redis %}
import contextlib
{%- endif %}
import logging
import os
{%- if auth %}
import secrets
{%- endif %}
import signal
{%- if redis %}
import subprocess
{%- endif %}
import sys
from pathlib import Path

from tornado.httpserver import HTTPServer
from tornado.log import define_logging_options
from tornado.netutil import bind_sockets
from tornado.options import OptionParser
from tornado.web import Application, StaticFileHandler

{% if auth -%}
from .accounts import Accounts
from .auth import LoginHandler, LogoutHandler
{% endif -%}
{% if redis -%}
from .broker import RedisBroker
{% endif -%}
from .environment import read_env_file
from .hub import Hub
{%- if database %}
from .migrate import SchemaBehind, database_url, ensure_schema
{%- endif %}
from .session import SessionHandler
{%- if database %}
from .store import Store, StoreUnavailable, make_engine
{%- endif %}
from .websocket import ChatSocket

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / 'static'
{%- if auth %}
TEMPLATES_DIR = Path(__file__).parent / 'templates'
{%- endif %}
MAX_FRAME_BYTES = 64 * 1024
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

DEFAULTS = {
    'debug': False,
    'max_text': 2000,
    'websocket_max_message_size': MAX_FRAME_BYTES,
    'ping_interval': 25.0,
    'flood_rate': 10.0,
    'flood_burst': 20,
    'max_pending_bytes': 1024 * 1024,
{%- if auth %}
    'template_path': str(TEMPLATES_DIR),
    'xsrf_cookies': True,
    'login_url': '/login',
{%- endif %}
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
    parser.define(
        'flood_rate',
        default=DEFAULTS['flood_rate'],
        type=float,
        help='messages a second one connection may send on average',
    )
    parser.define(
        'flood_burst',
        default=DEFAULTS['flood_burst'],
        type=int,
        help='messages one connection may send at once',
    )
    parser.define('env_file', default='.env', help='file of NAME=value secrets to read')
{%- if redis %}
    parser.define(
        'redis_url', default=None, help='Redis for the broker (default: $REDIS_URL)'
    )
    parser.define(
        'processes', default=1, type=int, help='server processes sharing the port'
    )
    parser.define(
        'reuse_port', default=False, type=bool, help='share the port (SO_REUSEPORT)'
    )
{%- endif %}
{%- if database %}
    parser.define(
        'database_url', default=None, help='SQLAlchemy URL (default: $DATABASE_URL)'
    )
    parser.define('history', default=50, type=int, help='messages sent on connect')
    parser.define(
        'upgrade_db',
        default=True,
        type=bool,
        help='migrate the database on start (false: refuse to start when behind)',
    )
{%- endif %}
{%- if auth %}
    parser.define(
        'login_backoff',
        default=1.0,
        type=float,
        help='seconds an account is locked after repeated failed logins (doubling)',
    )
{%- endif %}
    define_logging_options(parser)
    return parser


def make_app(settings=None):
    """ the Tornado application; settings override DEFAULTS """
    settings = {**DEFAULTS, **(settings or {})}
    hub = settings.get('hub') or Hub(ping_interval=settings['ping_interval'])
    settings['hub'] = hub
    return Application(
        [
            (r'/ws', ChatSocket),
            (r'/api/session', SessionHandler),
{%- if auth %}
            (r'/login', LoginHandler),
            (r'/logout', LogoutHandler),
{%- endif %}
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
        'flood_rate': options.flood_rate,
        'flood_burst': options.flood_burst,
        'cookie_secret': environ.get('COOKIE_SECRET'),
    }
{%- if auth %}


def require_secret(settings):
    """ a cookie secret, made up in debug mode; refuse to start without one """
    if settings['cookie_secret']:
        return
    if not settings['debug']:
        raise SystemExit(
            'error: COOKIE_SECRET is not set: put it in .env or the environment '
            '(or run with --debug=true to use a throwaway one)'
        )
    log.warning('COOKIE_SECRET is not set: using a throwaway one (debug mode)')
    settings['cookie_secret'] = secrets.token_urlsafe(32)
{%- endif %}
{%- if database %}


async def open_store(options, environ):
    """ the store, its schema checked (or upgraded); SystemExit when unusable """
    url = options.database_url or database_url(environ)
    store = Store(make_engine(url), options.history)
    try:
        await ensure_schema(store.engine, options.upgrade_db)
    except (SchemaBehind, StoreUnavailable) as error:
        await store.close()
        raise SystemExit(f'error: {error}') from error
    return store
{%- if redis %}


async def check_database(options):
    """ check (or upgrade) the schema, as serve() does, and let go of the database """
    await (await open_store(options, os.environ)).close()
{%- endif %}
{%- endif %}


async def serve(argv, ready=None):
    """ serve until SIGINT or SIGTERM; ready(port) is called once listening """
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


async def serve_until(stop, argv, ready):
    """ start the server, serve until the stop event is set, then close it all """
    options = make_options()
    options.parse_command_line(argv)
    read_env_file(options.env_file)
    settings = settings_from(options, os.environ)
{%- if auth %}
    require_secret(settings)
{%- endif %}
{%- if database %}
    settings['store'] = store = await open_store(options, os.environ)
{%- endif %}
{%- if auth %}
    settings['accounts'] = Accounts(store, options.login_backoff)
{%- endif %}
{%- if redis %}
    url = options.redis_url or environ_redis_url(os.environ)
    broker = RedisBroker(url)
    settings['hub'] = Hub(broker, DEFAULTS['ping_interval'])
    await broker.start()
    sockets = bind_sockets(
        options.port, options.address or None, reuse_port=options.reuse_port
    )
{%- else %}
    sockets = bind_sockets(options.port, options.address or None)
{%- endif %}
    app = make_app(settings)
    server = HTTPServer(app)
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    log.info('chat server on http://localhost:%d/', port)
    if ready:
        ready(port)
    try:
        await stop.wait()
    finally:
        server.stop()
        app.settings['hub'].close_all(1001, 'the server is shutting down')
        await server.close_all_connections()
{%- if redis %}
        await broker.close()
{%- endif %}
{%- if database %}
        await store.close()
{%- endif %}
    log.info('chat server stopped')
{%- if redis %}


def environ_redis_url(environ):
    """ REDIS_URL from the environment, or Redis on this machine """
    return environ.get('REDIS_URL', 'redis://localhost:6379/0')


def supervise(argv, processes):
    """ run processes copies of this server on one port, and stop them on a signal.

    When one ends by itself, the others are stopped too and the exit code is 1:
    a process manager (Docker, systemd) then restarts the whole, rather than
    leaving fewer processes serving than were asked for.
    """
    command = [sys.executable, '-m', __spec__.name, *argv[1:]]
    command += ['--processes=1', '--reuse_port=true']
    children = {}
    for _ in range(processes):
        # pylint: disable-next=consider-using-with
        child = subprocess.Popen(command)
        children[child.pid] = child
    stopping = []

    def forward(signum, _frame):
        stopping.append(signum)
        for pid in children:
            # os.kill, not Popen.send_signal: that would reap an ended child here,
            # and os.wait() below would never see it
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, forward)
    log.info(
        '%d server processes on one port: %s', processes, ' '.join(map(str, children))
    )
    codes = []
    ended_by_itself = False
    while children:
        pid, status = os.wait()
        child = children.pop(pid)
        # reaped here, so Popen must be told, or it warns that the child still runs
        child.returncode = os.waitstatus_to_exitcode(status)
        codes.append(child.returncode)
        if not stopping:
            ended_by_itself = True
            log.error(
                'server process %d ended with %d: stopping the others',
                pid,
                child.returncode,
            )
            forward(signal.SIGTERM, None)
    return int(ended_by_itself or any(codes))


def main():
    """ the command-line entry point """
    options = make_options()
    options.parse_command_line(sys.argv)
    if options.processes > 1:
{%- if database %}
        # once, here: children migrating side by side would race
        read_env_file(options.env_file)
        asyncio.run(check_database(options))
{%- endif %}
        sys.exit(supervise(sys.argv, options.processes))
    asyncio.run(serve(sys.argv))
{%- else %}


def main():
    """ the command-line entry point """
    asyncio.run(serve(sys.argv))
{%- endif %}


if __name__ == '__main__':
    main()

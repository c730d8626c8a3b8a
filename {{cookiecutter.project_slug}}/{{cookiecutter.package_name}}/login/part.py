"""Login with a password: the pages, the secret that signs the cookie, the accounts."""

import logging
import secrets
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Final

from tornado.options import OptionParser

from ..part import Part, Settings
from .accounts import Accounts
from .handlers import AccountSessionHandler, AccountSocket, LoginHandler, LogoutHandler
from .passwords import Hasher, default_workers
from .sessions import SessionWatch

log = logging.getLogger(__name__)

TEMPLATES_DIR: Final = Path(__file__).parent / 'templates'


def require_secret(settings: Settings) -> None:
    """a cookie secret, made up in debug mode; refuse to start without one"""
    if settings['cookie_secret']:
        return
    if not settings['debug']:
        raise SystemExit(
            'error: COOKIE_SECRET is not set: put it in .env or the environment '
            '(or run with --debug=true to use a throwaway one)'
        )
    log.warning('COOKIE_SECRET is not set: using a throwaway one (debug mode)')
    settings['cookie_secret'] = secrets.token_urlsafe(32)


class LoginPart(Part):
    """only logged-in accounts chat, under their own names; failed logins back off"""

    settings = {
        'template_path': str(TEMPLATES_DIR),
        'xsrf_cookies': True,
        'login_url': '/login',
        'login_required': True,
    }
    routes = {
        r'/ws': AccountSocket,
        r'/api/session': AccountSessionHandler,
        r'/login': LoginHandler,
        r'/logout': LogoutHandler,
    }

    def define_options(self, parser: OptionParser) -> None:
        """the login throttle, the password checks at once, the session checks"""
        parser.define(
            'login_backoff',
            default=1.0,
            type=float,
            help='seconds an e-mail and address wait after repeated failed logins '
            '(doubling)',
        )
        parser.define(
            'password_workers',
            default=default_workers(),
            type=int,
            help='password hashes computed at once (128 MiB each)',
        )
        parser.define(
            'session_check',
            default=0.5,
            type=float,
            help='seconds between checks that close the sockets of ended sessions',
        )

    async def open(
        self, options: OptionParser, settings: Settings, resources: AsyncExitStack
    ) -> None:
        """the cookie secret, the accounts in the history's database, and the
        watch that closes the sockets of ended sessions"""
        require_secret(settings)
        hasher = Hasher(workers=options.password_workers)
        resources.callback(hasher.close)
        accounts = Accounts(settings['database'], options.login_backoff, hasher)
        settings['accounts'] = accounts
        watch = SessionWatch(accounts.sessions, options.session_check)
        watch.start()
        resources.push_async_callback(watch.stop)
        settings['session_watch'] = watch


LOGIN: Final = LoginPart()

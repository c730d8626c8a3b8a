""" Login with a password: the pages, the secret that signs the cookie, the accounts. """
import logging
import secrets
from pathlib import Path

from .accounts import Accounts
from .auth import AccountSessionHandler, AccountSocket, LoginHandler, LogoutHandler
from .part import Part

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).parent / 'templates'


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


class LoginPart(Part):
    """ only logged-in accounts chat, under their own names; failed logins back off """

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

    def define_options(self, parser):
        """ how long repeated failed logins lock an account """
        parser.define(
            'login_backoff',
            default=1.0,
            type=float,
            help='seconds an account is locked after repeated failed logins (doubling)',
        )

    async def open(self, options, settings, resources):
        """ the cookie secret, and the accounts in the history's database """
        require_secret(settings)
        settings['accounts'] = Accounts(settings['database'], options.login_backoff)


LOGIN = LoginPart()

""" Login with a password: the login and logout pages, and who a request is.

A successful login sets a signed cookie (HttpOnly, SameSite=Lax, Secure over
https) holding the account id; current_account() reads it back. The websocket
refuses an upgrade without it (401), and every message goes out under the
logged-in account's name.
"""
from tornado.web import HTTPError

from .accounts import TooSoon
from .headers import SecureHeaders
from .history import Unavailable
from .session import SessionHandler
from .websocket import ChatSocket

COOKIE = 'user'
COOKIE_DAYS = 14


async def current_account(handler):
    """ the account whose signed cookie the request carries, or None;
    HTTPError 503 while the accounts cannot be read """
    account_id = handler.get_signed_cookie(COOKIE, max_age_days=COOKIE_DAYS)
    if not account_id:
        return None
    try:
        return await handler.settings['accounts'].by_id(int(account_id))
    except Unavailable as error:
        raise HTTPError(503, 'the database is unavailable') from error


class AccountSocket(ChatSocket):
    """ the chat's websocket, for logged-in accounts only """

    # Tornado awaits a coroutine prepare before it upgrades the connection
    # pylint: disable-next=invalid-overridden-method
    async def prepare(self):
        """ refuse the upgrade without a valid login (401), or while the
        accounts cannot be read (503) """
        self.account = await current_account(self)
        if self.account is None:
            raise HTTPError(401, 'log in first')


class AccountSessionHandler(SessionHandler):
    """ the session, with the account the browser is logged in as """

    # Tornado awaits a coroutine prepare before it calls get
    # pylint: disable-next=invalid-overridden-method
    async def prepare(self):
        """ who the browser is (503 while the accounts cannot be read) """
        self.account = await current_account(self)


class LoginHandler(SecureHeaders):
    """ GET shows the form; POST checks the password and sets the cookie """

    def get(self):
        """ the login form """
        self.render('login.html', error=None, email='')

    async def post(self):
        """ log in, or show the form again with the reason """
        email = self.get_body_argument('email', '')
        password = self.get_body_argument('password', '')
        try:
            account = await self.settings['accounts'].login(email, password)
        except TooSoon as wait:
            self.set_status(429)
            error = f'Too many failed logins: {wait}.'
            self.render('login.html', error=error, email=email)
            return
        except Unavailable:
            self.set_status(503)
            error = 'The database is unavailable just now: try again.'
            self.render('login.html', error=error, email=email)
            return
        if account is None:
            self.set_status(401)
            self.render('login.html', error='Wrong e-mail or password.', email=email)
            return
        self.set_signed_cookie(
            COOKIE,
            str(account.id),
            expires_days=COOKIE_DAYS,
            httponly=True,
            samesite='Lax',
            secure=self.request.protocol == 'https',
        )
        self.redirect('/')


class LogoutHandler(SecureHeaders):
    """ forget the login and go back to the form """

    def get(self):
        """ clear the cookie """
        self.clear_cookie(COOKIE)
        self.redirect('/login')

"""Login with a password: the login and logout pages, and who a request is.

A successful login starts a session (sessions.py) and sets a signed
cookie (HttpOnly, SameSite=Lax, Secure over https) holding its id;
current_account() reads it back. The websocket refuses an upgrade without
it (401), every message goes out under the logged-in account's name, and the
socket is closed when its session ends. Logging out is a POST that carries
the XSRF token, so that no other site can log people out with a link.
"""

from typing import Final, cast

from tornado.web import HTTPError, RequestHandler

from ..headers import SecureHeaders
from ..history import Unavailable
from ..session import SessionHandler
from ..store.tables import Account
from ..websocket import ChatSocket
from .accounts import Accounts
from .passwords import Busy
from .sessions import LIFETIME_DAYS, SessionWatch
from .throttle import TooSoon

COOKIE: Final = 'user'


def session_cookie(handler: RequestHandler) -> str | None:
    """the session id the request's signed cookie holds, or None"""
    value = handler.get_signed_cookie(COOKIE, max_age_days=LIFETIME_DAYS)
    return value.decode('ascii', 'replace') if value else None


async def current_account(
    handler: 'AccountSocket | AccountSessionHandler',
) -> Account | None:
    """the account of the request's live session, or None (its id goes
    into handler.session_id); HTTPError 503 while the accounts cannot be read"""
    handler.session_id = session_cookie(handler)
    if handler.session_id is None:
        return None
    accounts: Accounts = handler.settings['accounts']
    try:
        return await accounts.sessions.account(handler.session_id)
    except Unavailable as error:
        raise HTTPError(503, 'the database is unavailable') from error


class AccountSocket(ChatSocket):
    """the chat's websocket, for logged-in accounts only, closed at logout"""

    session_id: str | None = None

    # Tornado awaits a coroutine prepare before it upgrades the connection
    # pylint: disable-next=invalid-overridden-method
    async def prepare(self) -> None:
        """refuse the upgrade without a valid login (401), or while the
        accounts cannot be read (503)"""
        self.account = await current_account(self)
        if self.account is None:
            raise HTTPError(401, 'log in first')

    def open(self, *args: str, **kwargs: str) -> None:
        """watched for the end of its session, then as any chat socket"""
        watch: SessionWatch = self.settings['session_watch']
        watch.add(self)
        super().open(*args, **kwargs)

    def on_close(self) -> None:
        """no longer watched"""
        watch: SessionWatch = self.settings['session_watch']
        watch.discard(self)
        super().on_close()


class AccountSessionHandler(SessionHandler):
    """the session, with the account the browser is logged in as"""

    session_id: str | None = None

    # Tornado awaits a coroutine prepare before it calls get
    # pylint: disable-next=invalid-overridden-method
    async def prepare(self) -> None:
        """who the browser is (503 while the accounts cannot be read)"""
        self.account = await current_account(self)

    def session(self) -> dict[str, object]:
        """the session, with the XSRF token the logout form sends"""
        return {**super().session(), 'xsrf': self.xsrf_token.decode('ascii')}


class LoginHandler(SecureHeaders):
    """GET shows the form; POST checks the password and sets the cookie"""

    def get(self) -> None:
        """the login form"""
        self.render('login.html', error=None, email='')

    def refuse(self, status: int, error: str, email: str) -> None:
        """the form again, with the reason"""
        self.set_status(status)
        self.render('login.html', error=error, email=email)

    async def post(self) -> None:
        """log in, or show the form again with the reason"""
        email = self.get_body_argument('email', '')
        password = self.get_body_argument('password', '')
        accounts: Accounts = self.settings['accounts']
        # the HTTP server gives every request an address (0.0.0.0: a unix socket)
        address = cast(str, self.request.remote_ip)
        try:
            login = await accounts.login(email, password, address)
        except TooSoon as wait:
            self.refuse(429, f'Too many failed logins: {wait}.', email)
            return
        except (Busy, Unavailable):
            self.refuse(503, 'Logging in is not possible just now: try again.', email)
            return
        if login is None:
            self.refuse(401, 'Wrong e-mail or password.', email)
            return
        _account, session_id = login
        self.set_signed_cookie(
            COOKIE,
            session_id,
            expires_days=LIFETIME_DAYS,
            httponly=True,
            samesite='Lax',
            secure=self.request.protocol == 'https',
        )
        self.redirect('/')


class LogoutHandler(SecureHeaders):
    """GET shows a button; its POST ends the session and goes back to the form"""

    def get(self) -> None:
        """the logout button (a GET never logs out: any site can link to it)"""
        self.render('logout.html', error=None)

    async def post(self) -> None:
        """end the session (its sockets close) and forget the cookie"""
        session_id = session_cookie(self)
        if session_id is not None:
            accounts: Accounts = self.settings['accounts']
            try:
                await accounts.sessions.end(session_id)
            except Unavailable:
                self.set_status(503)
                error = 'Logging out is not possible just now: try again.'
                self.render('logout.html', error=error)
                return
            watch: SessionWatch = self.settings['session_watch']
            watch.ended(session_id)
        self.clear_cookie(COOKIE)
        self.redirect('/login')

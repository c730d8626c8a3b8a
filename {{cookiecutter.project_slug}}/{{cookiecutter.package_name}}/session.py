"""GET /api/session: whether login is needed and who the browser is."""

from typing import Protocol

from .headers import SecureHeaders


class Account(Protocol):
    """a logged-in account, as the chat sees it (store.tables.Account)"""

    @property
    def id(self) -> int:
        """the account's number"""

    @property
    def name(self) -> str:
        """the name its messages go out under"""


class SessionHandler(SecureHeaders):
    """answers {"auth": <login required?>, "user": <the account's name or null>}"""

    # the logged-in account (see login/handlers.py), None for a guest
    account: Account | None = None

    def session(self) -> dict[str, object]:
        """the session, as a dict"""
        name = self.account.name if self.account else None
        return {'auth': self.settings['login_required'], 'user': name}

    def get(self) -> None:
        """the session as JSON, never cached"""
        self.set_header('Cache-Control', 'no-store')
        self.write(self.session())

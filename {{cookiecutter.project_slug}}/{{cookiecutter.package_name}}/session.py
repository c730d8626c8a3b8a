"""GET /api/session: whether login is needed and who the browser is."""

from .headers import SecureHeaders


class SessionHandler(SecureHeaders):
    """answers {"auth": <login required?>, "user": <the account's name or null>}"""

    # the logged-in account (see login/handlers.py), None for a guest
    account = None

    def session(self):
        """the session, as a dict"""
        name = self.account.name if self.account else None
        return {'auth': self.settings['login_required'], 'user': name}

    def get(self):
        """the session as JSON, never cached"""
        self.set_header('Cache-Control', 'no-store')
        self.write(self.session())

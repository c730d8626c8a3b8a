""" GET /api/session: whether login is needed and who the browser is. """
from .headers import SecureHeaders


class SessionHandler(SecureHeaders):
    """ answers {"auth": <login required?>, "user": <the account's name or null>} """

    # the logged-in account (see auth.py), None for a guest
    account = None

    def get(self):
        """ the session as JSON, never cached """
        self.set_header('Cache-Control', 'no-store')
        name = self.account.name if self.account else None
        self.write({'auth': self.settings['login_required'], 'user': name})

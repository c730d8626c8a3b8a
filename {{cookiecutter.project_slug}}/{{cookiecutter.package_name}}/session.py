""" GET /api/session: who the browser is, so the client knows whether to log in. """
from tornado.web import RequestHandler


class SessionHandler(RequestHandler):
    """ answers {"auth": <login required?>, "user": <name or null>} """

    def get(self):
        """ the session as JSON, never cached """
        self.set_header('Cache-Control', 'no-store')
        self.write({'auth': False, 'user': None})

{%- set auth = cookiecutter.auth == 'password' -%}
""" GET /api/session: whether login is needed and who the browser is. """
from tornado.web import RequestHandler
{%- if auth %}

from .auth import current_member
{%- endif %}


class SessionHandler(RequestHandler):
    """ answers {"auth": <login required?>, "user": <name or null>} """
{%- if auth %}

    async def get(self):
        """ the session as JSON, never cached """
        member = await current_member(self)
        self.set_header('Cache-Control', 'no-store')
        self.write({'auth': True, 'user': member.name if member else None})
{%- else %}

    def get(self):
        """ the session as JSON, never cached """
        self.set_header('Cache-Control', 'no-store')
        self.write({'auth': False, 'user': None})
{%- endif %}

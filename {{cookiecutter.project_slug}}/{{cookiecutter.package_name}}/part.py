"""A part of the server: what the chat itself, or one option chosen at baking, adds.

The server is composed from the parts listed in ``parts.py``: each one defines
its command-line options, adds application settings and routes, and opens
what it needs (a database, a broker) when the server starts. A part overrides
only what it adds; everything else does nothing here.
"""


class Part:
    """what one part adds to the server; the defaults add nothing"""

    # application settings (tornado.web.Application keywords) and their defaults
    settings = {}
    # URL pattern -> handler class; a pattern another part routed is replaced
    routes = {}

    def define_options(self, parser):
        """add this part's command-line options to parser"""

    def prepare(self, options, argv, parts):
        """once, before serving, in the process main() runs with argv;
        parts are all the server's"""

    def before_processes(self, options):
        """once, in a process that is about to start several servers"""

    async def open(self, options, settings, resources):
        """open what this part needs, put it into settings, and push its
        closing onto resources (a contextlib.AsyncExitStack)"""

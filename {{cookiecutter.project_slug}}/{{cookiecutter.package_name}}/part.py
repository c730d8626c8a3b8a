"""A part of the server: what the chat itself, or one option chosen at baking, adds.

The server is composed from the parts listed in ``parts.py``: each one defines
its command-line options, adds application settings and routes, and opens
what it needs (a database, a broker) when the server starts. A part overrides
only what it adds; everything else does nothing here.
"""

import contextlib
from collections.abc import Sequence
from typing import Any, ClassVar, TypeAlias

from tornado.options import OptionParser
from tornado.web import RequestHandler

# the keyword arguments of tornado.web.Application: Tornado's own (debug,
# cookie_secret, ...) and the chat's (hub, history, ...), of any type
Settings: TypeAlias = dict[str, Any]


class Part:
    """what one part adds to the server; the defaults add nothing"""

    # application settings (tornado.web.Application keywords) and their defaults
    settings: ClassVar[Settings] = {}
    # URL pattern -> handler class; a pattern another part routed is replaced
    routes: ClassVar[dict[str, type[RequestHandler]]] = {}

    def define_options(self, parser: OptionParser) -> None:
        """add this part's command-line options to parser"""

    def prepare(
        self, options: OptionParser, argv: list[str], parts: Sequence['Part']
    ) -> None:
        """once, before serving, in the process main() runs with argv;
        parts are all the server's"""

    def before_processes(self, options: OptionParser) -> None:
        """once, in a process that is about to start several servers"""

    async def open(
        self,
        options: OptionParser,
        settings: Settings,
        resources: contextlib.AsyncExitStack,
    ) -> None:
        """open what this part needs, put it into settings, and push its
        closing onto resources (a contextlib.AsyncExitStack)"""

"""Scale-out through Redis: the broker, and several processes on one port."""

import os
import sys
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from typing import Final

from tornado.options import OptionParser

from ..part import Part, Settings
from .broker import RedisBroker
from .presence import PRESENCE_TIMEOUT
from .processes import server_command, supervise

# the module each server process runs: python -m PACKAGE.main
MAIN_MODULE: Final = __name__.rsplit('.', 2)[0] + '.main'
# another project on the same Redis uses a key of its own
DEFAULT_KEY: Final = '{{ cookiecutter.package_name }}:chat'


def environ_redis_url(environ: Mapping[str, str]) -> str:
    """REDIS_URL from the environment, or Redis on this machine"""
    return environ.get('REDIS_URL', 'redis://localhost:6379/0')


class RedisPart(Part):
    """messages travel through Redis, so several processes chat together"""

    def define_options(self, parser: OptionParser) -> None:
        """which Redis and key, and how many processes"""
        parser.define(
            'redis_url', default=None, help='Redis for the broker (default: $REDIS_URL)'
        )
        parser.define(
            'redis_key',
            default=DEFAULT_KEY,
            help='the Redis Stream the processes of this chat share',
        )
        parser.define(
            'processes', default=1, type=int, help='server processes sharing the port'
        )
        parser.define(
            'presence_timeout',
            default=PRESENCE_TIMEOUT,
            type=float,
            help='seconds after which the people of a server process that stopped '
            'answering (in any machine) leave their rooms',
        )

    def prepare(
        self, options: OptionParser, argv: list[str], parts: Sequence[Part]
    ) -> None:
        """with --processes N > 1, run N servers here and exit when they end"""
        if options.processes > 1:
            for part in parts:
                part.before_processes(options)
            command = server_command(MAIN_MODULE, argv)
            sys.exit(supervise(command, options.processes))

    async def open(
        self, options: OptionParser, settings: Settings, resources: AsyncExitStack
    ) -> None:
        """the Redis broker, which the hub starts and closes"""
        url = options.redis_url or environ_redis_url(os.environ)
        settings['broker'] = RedisBroker(
            url,
            options.redis_key,
            max_text=settings['max_text'],
            timeout=options.presence_timeout,
        )


REDIS: Final = RedisPart()

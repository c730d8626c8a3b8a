"""The chat itself, in every bake: its options, its settings and its routes."""

from typing import Final

from tornado.options import OptionParser

from .part import Part
from .proxy import LOOPBACK
from .session import SessionHandler
from .websocket import ChatSocket

MAX_FRAME_BYTES: Final = 64 * 1024


class ChatPart(Part):
    """the websocket, the session, and the limits that keep a room usable"""

    settings = {
        'debug': False,
        'max_text': 2000,
        'websocket_max_message_size': MAX_FRAME_BYTES,
        'ping_interval': 25.0,
        'flood_rate': 10.0,
        'flood_burst': 20,
        'max_pending_bytes': 1024 * 1024,
        'login_required': False,
        'max_rooms': 1000,
    }
    routes = {
        r'/ws': ChatSocket,
        r'/api/session': SessionHandler,
    }

    def define_options(self, parser: OptionParser) -> None:
        """where to listen, and the limits of a room"""
        parser.define('port', default={{ cookiecutter.port | int }}, type=int, help='port to listen on')
        parser.define(
            'address',
            default='127.0.0.1',
            help='address to listen on: this machine only by default; '
            '0.0.0.0 (or "") for every address',
        )
        parser.define(
            'reuse_port',
            default=False,
            type=bool,
            help='let other processes listen on the same port (SO_REUSEPORT)',
        )
        parser.define(
            'xheaders',
            default=False,
            type=bool,
            help='behind a reverse proxy: take the client address and scheme from '
            'X-Real-Ip/X-Forwarded-For and X-Scheme/X-Forwarded-Proto, '
            'sent by --trusted_proxies only',
        )
        parser.define(
            'trusted_proxies',
            default=LOOPBACK,
            multiple=True,
            help='addresses or networks (10.0.0.0/8) of the proxies whose '
            'forwarded headers --xheaders believes',
        )
        parser.define(
            'debug',
            default=False,
            type=bool,
            help='reload on change and accept websockets from any origin',
        )
        parser.define(
            'max_text',
            default=self.settings['max_text'],
            type=int,
            help='longest message text',
        )
        parser.define(
            'flood_rate',
            default=self.settings['flood_rate'],
            type=float,
            help='messages a second one connection may send on average',
        )
        parser.define(
            'flood_burst',
            default=self.settings['flood_burst'],
            type=int,
            help='messages one connection may send at once',
        )
        parser.define(
            'max_rooms',
            default=self.settings['max_rooms'],
            type=int,
            help='rooms with people in them this server holds at most',
        )
        parser.define(
            'env_file', default='.env', help='file of NAME=value secrets to read'
        )


CHAT: Final = ChatPart()

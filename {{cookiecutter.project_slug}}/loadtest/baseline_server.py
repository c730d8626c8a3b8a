"""The baseline for ``--baseline``: a bare per-client write_message loop.

This is the fan-out most tutorials write: every message is parsed, stamped,
encoded once and handed to ``write_message`` of each client in turn, which
frames it and creates an asyncio Task per call. ``inv loadtest --baseline`` runs
it the same way as the app, in the same run, and prints the ratio.
"""

import json
import time

from tornado.web import Application
from tornado.websocket import WebSocketHandler

from .server import serve_command


class BaselineSocket(WebSocketHandler):
    """the baseline's chat socket: join, broadcast, leave

    It checks no origin: the load generator sends none, and Tornado checks the
    origin only of a request that has one.
    """

    clients = set()

    def open(self, *_args, **_kwargs):
        """join the room"""
        self.clients.add(self)

    def on_message(self, message):
        """stamp the message and write it to every client, one by one"""
        data = json.loads(message)
        reply = {'type': 'message', 'name': data['name'], 'text': data['text']}
        reply['ts'] = time.time()
        frame = json.dumps(reply, separators=(',', ':'))
        for client in self.clients:
            client.write_message(frame)

    def on_close(self):
        """leave the room"""
        self.clients.discard(self)


async def listen(port, address):
    """start the baseline server on address:port; a function that stops it"""
    server = Application([(r'/ws', BaselineSocket)]).listen(port, address)
    return server.stop


def main(argv=None):
    """``python -m loadtest.baseline_server --port=N --address=127.0.0.1``"""
    serve_command(listen, __doc__.splitlines()[0], argv)


if __name__ == '__main__':
    main()

"""The baseline for ``--baseline``: a bare per-client write_message loop.

This is the fan-out most tutorials write, speaking the chat's JSON-RPC 2.0 in
its least form (``join`` answers the members and no history; ``send`` answers
the sender, then notifies the room; rooms kept apart; no presence): every
request is parsed, a message stamped, encoded once and handed to
``write_message`` of each client of the room in turn, which frames it and
creates an asyncio Task per call. ``inv loadtest --baseline`` runs it the same
way as the app, in the same run, and prints the ratio.
"""

import itertools
import json
import time
from collections.abc import Callable
from typing import Any, ClassVar

from tornado.web import Application
from tornado.websocket import WebSocketHandler

from .server import serve_command

NOT_JOINED = -32003
NO_METHOD = -32601


def encode(value: object) -> str:
    """value as JSON, compact"""
    return json.dumps(value, separators=(',', ':'))


class BaselineSocket(WebSocketHandler):
    """the baseline's chat socket: join, send to a room, leave

    It checks no origin: the load generator sends none, and Tornado checks the
    origin only of a request that has one.
    """

    # room name -> the sockets in it
    rooms: ClassVar[dict[str, set['BaselineSocket']]] = {}
    ids = itertools.count(1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name: str | None = None  # set by its first join
        self.joined: set[str] = set()  # the names of the rooms it is in

    def on_message(self, message: str | bytes) -> None:
        """answer a request: join, send, or an error"""
        request = json.loads(message)
        params = request.get('params', {})
        method = request.get('method')
        if method == 'join':
            self.join(request['id'], params['room'], params.get('name', 'guest'))
        elif method == 'send':
            self.send(request['id'], params['room'], params['text'])
        else:
            self.error(request.get('id'), NO_METHOD, f'no method {json.dumps(method)}')

    def join(self, request: object, room: str, name: str) -> None:
        """join the room (once): its members, no history"""
        if self.name is None:
            self.name = name
        members = self.rooms.setdefault(room, set())
        members.add(self)
        self.joined.add(room)
        # every member joined, so each has a name: none is None
        names = sorted({member.name for member in members})  # type: ignore[type-var]
        result = {'room': room, 'messages': [], 'members': names, 'truncated': False}
        self.write_message(encode({'jsonrpc': '2.0', 'id': request, 'result': result}))

    def send(self, request: object, room: str, text: str) -> None:
        """stamp the message, answer the sender, then write it to every client
        of the room, one by one"""
        if room not in self.joined:
            self.error(request, NOT_JOINED, f'join the room "{room}" first')
            return
        message = {
            'id': next(self.ids),
            'room': room,
            'name': self.name,
            'text': text,
            'ts': time.time(),
        }
        result = {key: message[key] for key in ('id', 'room', 'ts')}
        self.write_message(encode({'jsonrpc': '2.0', 'id': request, 'result': result}))
        frame = encode({'jsonrpc': '2.0', 'method': 'message', 'params': message})
        for client in self.rooms[room]:
            client.write_message(frame)

    def error(self, request: object, code: int, message: str) -> None:
        """answer with an error"""
        error = {'code': code, 'message': message}
        self.write_message(encode({'jsonrpc': '2.0', 'id': request, 'error': error}))

    def on_close(self) -> None:
        """leave every room"""
        for room in self.joined:
            self.rooms[room].discard(self)


async def listen(port: int, address: str) -> Callable[[], None]:
    """start the baseline server on address:port; a function that stops it"""
    server = Application([(r'/ws', BaselineSocket)]).listen(port, address)
    return server.stop


def main(argv: list[str] | None = None) -> None:
    """``python -m loadtest.baseline_server --port=N --address=127.0.0.1``"""
    serve_command(listen, __doc__.splitlines()[0], argv)


if __name__ == '__main__':
    main()

"""The websocket handler: origin check, then JSON-RPC 2.0 requests, answered.

The methods a client may call are in ``methods.py``; ``rpc.py`` dispatches
each request to one. This is the connection itself: the flood allowance, the
rooms it is in, the answers and notifications it is sent, its pings.
"""

import logging
from collections.abc import Callable
from typing import Any

from tornado.iostream import StreamBufferFullError
from tornado.websocket import WebSocketHandler, WebSocketProtocol13

from . import rpc
from .flood import TokenBucket
from .headers import SecureHeaders
from .history import History
from .hub import Hub, websocket_frame
from .methods import METHODS
from .protocol import encode
from .session import Account

log = logging.getLogger(__name__)


class ChatSocket(SecureHeaders, WebSocketHandler):
    """one browser's connection to the chat"""

    # the logged-in account (see login/handlers.py), None for a guest
    account: Account | None = None
    # the flood allowance, made by open(), before any message is read
    bucket: TokenBucket
    # what get_websocket_protocol() makes for a websocket: version 13
    ws_connection: WebSocketProtocol13 | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """a connection's own state: its rooms, the rooms it is joining

        Thousands of connections each hold these: what is empty most of the
        time (joining, after_answer) is None until it is needed.
        """
        super().__init__(*args, **kwargs)
        self.answered = True
        self.handling = 0  # requests being answered: their pongs wait until they are
        # room -> the name this connection is in it under
        self.rooms: dict[str, str] = {}
        # room -> frames held until its join is answered (deliver() looks up
        # None too: what is for every client, held for no room)
        self.joining: dict[str | None, list[str]] | None = None
        # called once the answer in hand is written
        self.after_answer: list[Callable[[], object]] | None = None

    def hold(self, room: str) -> None:
        """hold what comes for room until its join is answered"""
        if self.joining is None:
            self.joining = {}
        self.joining[room] = []

    def release(self, room: str) -> list[str]:
        """what came for room while it was held; no longer held"""
        held = self.joining.pop(room, []) if self.joining else []
        if not self.joining:
            self.joining = None
        return held

    def then(self, action: Callable[[], object]) -> None:
        """do action() once the answer in hand is written"""
        if self.after_answer is None:
            self.after_answer = []
        self.after_answer.append(action)

    @property
    def hub(self) -> Hub:
        """the hub that fans messages out to this process's clients"""
        hub: Hub = self.settings['hub']
        return hub

    @property
    def history(self) -> History:
        """what keeps the messages of each room"""
        history: History = self.settings['history']
        return history

    def check_origin(self, origin: str) -> bool:
        """same origin only, any origin in debug mode (e.g. the vite server)"""
        return self.settings.get('debug', False) or super().check_origin(origin)

    def open(self, *_args: str, **_kwargs: str) -> None:
        """the flood allowance and the bound on pending output; then wait for a join"""
        settings = self.settings
        self.bucket = TokenBucket(settings['flood_rate'], settings['flood_burst'])
        # Tornado calls open() once the connection is made: ws_connection is set
        stream = self.ws_connection.stream  # type: ignore[union-attr]
        stream.max_write_buffer_size = settings['max_pending_bytes']
        self.hub.connect(self)

    # Tornado awaits a coroutine on_message before reading this client's next frame
    # pylint: disable-next=invalid-overridden-method
    async def on_message(self, message: str | bytes) -> None:
        """answer a frame's requests, then do what waited for the answer"""
        self.handling += 1
        try:
            answer = await rpc.answer(self, message, METHODS)
        finally:
            self.handling -= 1
        if answer is not None:
            self.send_frame(encode(answer))
        waiting, self.after_answer = self.after_answer or (), None
        for action in waiting:
            action()

    def on_close(self) -> None:
        """leave every room"""
        self.hub.disconnect(self)

    def on_pong(self, data: bytes) -> None:
        """the client answered the hub's last ping"""
        self.answered = True

    def keepalive(self, ping: bytes) -> bool:
        """close a client that did not answer the last ping, ping one that did"""
        if self.handling:
            return True  # Tornado reads its pongs once the request is answered
        if not self.answered:
            log.info('closing a client that stopped answering pings')
            self.close(1001, 'ping timed out')
            return False
        self.answered = False
        return self.write_frames(ping)

    def send_frame(self, text: str) -> bool:
        """send one encoded answer or notification to this client alone"""
        return self.write_frames(websocket_frame(text))

    def deliver(self, room: str | None, data: bytes, texts: list[str]) -> bool:
        """ready-made frames (data) holding texts of room; held while joining
        it; False when gone or too slow"""
        held = self.joining.get(room) if self.joining else None
        if held is not None:
            held.extend(texts)
            return True
        return self.write_frames(data)

    def write_frames(self, data: bytes) -> bool:
        """write ready-made frames; False when gone or too slow"""
        connection = self.ws_connection
        if connection is None or connection.is_closing():
            return False
        stream = connection.stream
        if not stream.writing():
            # nothing queued: hand the bytes to the socket now, without a Future
            # and a callback per client; whatever does not fit goes to the stream
            try:
                sent = stream.socket.send(data)
            except OSError:
                sent = 0
            if sent == len(data):
                return True
            data = data[sent:]
        try:
            stream.write(data)
        except StreamBufferFullError:
            log.warning('closing a client that does not keep up with the room')
            stream.max_write_buffer_size = None  # room for the close frame
            self.close(1008, 'too slow: messages piled up')
            return False
        return True

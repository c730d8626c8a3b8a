"""The websocket handler: origin check, parse and validate, stamp, keep and publish.

A client that connects gets the recent history first, then whatever arrived
while it was read; every message is kept by the history (stored, when there
is a database) before it is broadcast.
"""

import json
import logging
import time

from tornado.iostream import StreamBufferFullError
from tornado.websocket import WebSocketHandler

from .flood import TokenBucket
from .headers import SecureHeaders
from .history import Unavailable
from .hub import websocket_frame
from .protocol import BadMessage, encode, error_message, parse_frame

log = logging.getLogger(__name__)


def unseen(frames, newest):
    """the frames not already in a history whose newest message id is newest"""
    return [
        frame for frame in frames if json.loads(frame).get('id', newest + 1) > newest
    ]


class ChatSocket(SecureHeaders, WebSocketHandler):
    """one browser's connection to the chat"""

    bucket = None
    answered = True
    backlog = None
    # the logged-in account (see auth.py), None for a guest
    account = None

    @property
    def hub(self):
        """the hub that fans messages out to this process's clients"""
        return self.settings['hub']

    @property
    def history(self):
        """what keeps the messages and gives the recent ones"""
        return self.settings['history']

    def check_origin(self, origin):
        """same origin only, any origin in debug mode (e.g. the vite server)"""
        return self.settings.get('debug', False) or super().check_origin(origin)

    # Tornado awaits a coroutine open before it reads the client's first frame
    # pylint: disable-next=invalid-overridden-method
    async def open(self, *_args, **_kwargs):
        """join, then send the recent history and whatever arrived meanwhile"""
        self.backlog = []
        self.start()
        try:
            history = await self.history.recent()
            first = encode({'type': 'history', 'messages': history})
        except Unavailable as error:
            log.error('history unavailable: %s', error)
            history = []
            first = encode(error_message('the history is unavailable just now'))
        backlog, self.backlog = self.backlog, None
        newest = history[-1]['id'] if history else 0
        for frame in [first, *unseen(backlog, newest)]:
            self.send_frame(frame)

    def start(self):
        """the flood allowance and the bound on pending output, then join the room"""
        settings = self.settings
        self.bucket = TokenBucket(settings['flood_rate'], settings['flood_burst'])
        self.ws_connection.stream.max_write_buffer_size = settings['max_pending_bytes']
        self.hub.join(self)

    # Tornado awaits a coroutine on_message before reading this client's next frame
    # pylint: disable-next=invalid-overridden-method
    async def on_message(self, message):
        """validate a frame, stamp it, keep it and publish it, or answer with an error"""
        if not self.bucket.take():
            self.send_error_frame(
                f'too many messages: at most {self.settings["flood_rate"]:g} a second'
            )
            return
        try:
            name, text = parse_frame(message, self.settings['max_text'])
        except BadMessage as error:
            self.send_error_frame(str(error))
            return
        # an account speaks under its own name, whatever name the client sent
        name = self.account.name if self.account else name
        try:
            kept = await self.history.add(name, text, time.time())
        except Unavailable as error:
            log.error('message not stored: %s', error)
            self.send_error_frame('the message could not be stored; try again')
            return
        self.hub.publish(kept)

    def on_close(self):
        """leave the room"""
        self.hub.leave(self)

    def send_error_frame(self, reason):
        """tell this client why its frame was refused"""
        self.send_frame(encode(error_message(reason)))

    def on_pong(self, data):
        """the client answered the hub's last ping"""
        self.answered = True

    def keepalive(self, ping):
        """close a client that did not answer the last ping, ping one that did"""
        if self.backlog is not None:
            return True  # still joining: Tornado reads its pongs once open() returns
        if not self.answered:
            log.info('closing a client that stopped answering pings')
            self.close(1001, 'ping timed out')
            return False
        self.answered = False
        return self.deliver(ping, [])

    def send_frame(self, text):
        """send one encoded message to this client alone"""
        return self.deliver(websocket_frame(text), [text])

    def deliver(self, data, texts):
        """write ready-made frames (data) holding texts; False when gone or too slow"""
        if self.backlog is not None:
            self.backlog.extend(texts)
            return True
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

{%- set database = cookiecutter.database != 'none' -%}
{%- set auth = cookiecutter.auth == 'password' -%}
""" The websocket handler: origin check, {% if auth %}login, {% endif %}parse and validate, stamp and publish.
{%- if database %}

Every message is stored before it is broadcast, and a client that connects
gets the recent history first, then whatever arrived while it was read.
{%- endif %}
"""
{%- if database %}
import json
{%- endif %}
import logging
import time

from tornado.iostream import StreamBufferFullError
{% if auth -%}
from tornado.web import HTTPError
{% endif -%}
from tornado.websocket import WebSocketHandler

{% if auth -%}
from .auth import current_member
{% endif -%}
from .flood import TokenBucket
from .hub import websocket_frame
{% if database -%}
from .protocol import BadMessage, encode, error_message, parse_frame
from .store import StoreUnavailable
{% else -%}
from .protocol import BadMessage, chat_message, encode, error_message, parse_frame
{% endif %}
log = logging.getLogger(__name__)


{%- if database %}


def unseen(frames, newest):
    """ the frames not already in a history whose newest message id is newest """
    return [
        frame for frame in frames if json.loads(frame).get('id', newest + 1) > newest
    ]
{%- endif %}


class ChatSocket(WebSocketHandler):
    """ one browser's connection to the chat """

    bucket = None
    answered = True
{%- if database %}
    backlog = None
{%- endif %}
{%- if auth %}
    member = None
{%- endif %}

    @property
    def hub(self):
        """ the hub that fans messages out to this process's clients """
        return self.settings['hub']
{%- if database %}

    @property
    def store(self):
        """ where the history is kept """
        return self.settings['store']
{%- endif %}
{%- if auth %}

    # Tornado awaits a coroutine prepare before it upgrades the connection
    # pylint: disable-next=invalid-overridden-method
    async def prepare(self):
        """ refuse the upgrade without a valid login (401), or while the
        accounts cannot be read (503) """
        self.member = await current_member(self)
        if self.member is None:
            raise HTTPError(401, 'log in first')
{%- endif %}

    def check_origin(self, origin):
        """ same origin only, any origin in debug mode (e.g. the vite server) """
        return self.settings.get('debug', False) or super().check_origin(origin)
{%- if database %}

    # Tornado awaits a coroutine open before it reads the client's first frame
    # pylint: disable-next=invalid-overridden-method
    async def open(self, *_args, **_kwargs):
        """ join, then send the recent history and whatever arrived meanwhile """
        self.backlog = []
        self.start()
        try:
            history = await self.store.recent()
            first = encode({'type': 'history', 'messages': history})
        except StoreUnavailable as error:
            log.error('history unavailable: %s', error)
            history = []
            first = encode(error_message('the history is unavailable just now'))
        backlog, self.backlog = self.backlog, None
        newest = history[-1]['id'] if history else 0
        for frame in [first, *unseen(backlog, newest)]:
            self.send_frame(frame)
{%- else %}

    def open(self, *_args, **_kwargs):
        """ join the room """
        self.start()
{%- endif %}

    def start(self):
        """ the flood allowance and the bound on pending output, then join the room """
        settings = self.settings
        self.bucket = TokenBucket(settings['flood_rate'], settings['flood_burst'])
        self.ws_connection.stream.max_write_buffer_size = settings['max_pending_bytes']
        self.hub.join(self)

    # Tornado awaits a coroutine on_message before reading this client's next frame
    # pylint: disable-next=invalid-overridden-method
    async def on_message(self, message):
        """ validate a frame, stamp it and publish it, or answer with an error """
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
{%- if auth %}
        name = self.member.name
{%- endif %}
{%- if database %}
        try:
            message = await self.store.add(name, text, time.time())
        except StoreUnavailable as error:
            log.error('message not stored: %s', error)
            self.send_error_frame('the message could not be stored; try again')
            return
        self.hub.publish(message)
{%- else %}
        self.hub.publish(chat_message(name, text, time.time()))
{%- endif %}

    def on_close(self):
        """ leave the room """
        self.hub.leave(self)

    def send_error_frame(self, reason):
        """ tell this client why its frame was refused """
        self.send_frame(encode(error_message(reason)))

    def on_pong(self, data):
        """ the client answered the hub's last ping """
        self.answered = True

    def keepalive(self, ping):
        """ close a client that did not answer the last ping, ping one that did """
{%- if database %}
        if self.backlog is not None:
            return True  # still joining: Tornado reads its pongs once open() returns
{%- endif %}
        if not self.answered:
            log.info('closing a client that stopped answering pings')
            self.close(1001, 'ping timed out')
            return False
        self.answered = False
        return self.deliver(ping, [])

    def send_frame(self, text):
        """ send one encoded message to this client alone """
        return self.deliver(websocket_frame(text), [text])

    def deliver(self, data, {{ 'texts' if database else '_texts' }}):
        """ write ready-made frames (data) holding texts; False when gone or too slow """
{%- if database %}
        if self.backlog is not None:
            self.backlog.extend(texts)
            return True
{%- endif %}
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

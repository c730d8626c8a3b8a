""" The websocket handler: origin check, parse and validate, stamp and publish. """
import logging
import time

from tornado.websocket import WebSocketClosedError, WebSocketHandler

from .protocol import BadMessage, chat_message, encode, error_message, parse_frame

log = logging.getLogger(__name__)


def _ignore_closed(future):
    """ a write to a client that closed meanwhile is not an error """
    return future.cancelled() or future.exception()


class ChatSocket(WebSocketHandler):
    """ one browser's connection to the chat """

    @property
    def hub(self):
        """ the hub that fans messages out to this process's clients """
        return self.settings['hub']

    def check_origin(self, origin):
        """ same origin only, any origin in debug mode (e.g. the vite server) """
        return self.settings.get('debug', False) or super().check_origin(origin)

    def open(self, *_args, **_kwargs):
        """ join the room """
        self.hub.join(self)

    def on_message(self, message):
        """ validate a frame, stamp it and publish it, or answer with an error """
        try:
            name, text = parse_frame(message, self.settings['max_text'])
        except BadMessage as error:
            self.send_frame(encode(error_message(str(error))))
            return
        self.hub.publish(chat_message(name, text, time.time()))

    def on_close(self):
        """ leave the room """
        self.hub.leave(self)

    def send_frame(self, frame):
        """ write one encoded frame; False when this client has gone away """
        try:
            self.write_message(frame).add_done_callback(_ignore_closed)
        except WebSocketClosedError:
            log.debug('client went away before a write')
            return False
        return True

"""The chat protocol: JSON-RPC 2.0 over the websocket (``docsrc/protocol.md``).

A client sends requests (``{"jsonrpc": "2.0", "id", "method", "params"}``),
notifications (the same without an id) or a batch of them (a JSON array).
The server answers each request with a result or an error object, and sends
notifications of its own (``message``, ``presence``, ``typing``, ``status``).
Here: reading a frame, checking the params every method shares, and writing
the server's frames, with their keys always in the same order.
"""

import json
import re
import unicodedata

MAX_NAME = 40
MAX_ROOM = 32  # characters of a room's name
DEFAULT_ROOM = 'general'  # the room everyone is in
ROOM_NAME = re.compile(r'[a-z0-9][a-z0-9_-]{0,31}')
CLIENT_ID = re.compile(r'[A-Za-z0-9_-]{1,64}')
MAX_ID = (1 << 63) - 1  # the largest id a database holds (BIGINT)
# the bidi controls: "innocent\u202egnp.exe" would read "innocent exe.png"
BIDI_CONTROLS = frozenset(
    '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'
)

# JSON-RPC's own error codes, then the chat's (-32000 to -32099)
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
UNKNOWN_METHOD = -32601
BAD_PARAMS = -32602
FLOOD = -32000
TOO_LONG = -32001
NOT_STORED = -32002
NOT_JOINED = -32003
TOO_MANY_ROOMS = -32004


class RpcError(Exception):
    """a request the server refuses: its code and a sentence for the person"""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class BadMessage(ValueError):
    """what the message broker carries is not a frame of this chat"""


def name_problem(name):
    """why name cannot be a sender's name (a sentence), or None when it can"""
    if not 1 <= len(name) <= MAX_NAME:
        return f'the name must be 1 to {MAX_NAME} characters'
    if any(unicodedata.category(c) in ('Cc', 'Cs') or c in BIDI_CONTROLS for c in name):
        return 'the name must not hold control characters'
    return None


def parse_frame(frame):
    """the JSON value of a client's frame, or raise RpcError (parse error)"""
    if isinstance(frame, bytes):
        raise RpcError(PARSE_ERROR, 'binary frames are not accepted: send JSON text')
    try:
        return json.loads(frame)
    except ValueError as error:
        raise RpcError(PARSE_ERROR, 'the message is not JSON') from error
    except RecursionError as error:
        raise RpcError(PARSE_ERROR, 'the message is nested too deeply') from error


def text_of(value, field):
    """value when it is a string of valid unicode; else BAD_PARAMS"""
    if not isinstance(value, str):
        raise RpcError(BAD_PARAMS, f'{field} must be a string')
    try:
        value.encode('utf-8')
    except UnicodeEncodeError as error:
        # a lone surrogate (\ud800) decodes from JSON but is no text at all
        raise RpcError(BAD_PARAMS, f'{field} is not valid unicode text') from error
    return value


def room_param(params):
    """the valid room of params"""
    room = params.get('room')
    if not isinstance(room, str) or not ROOM_NAME.fullmatch(room):
        raise RpcError(
            BAD_PARAMS, f'room: 1 to {MAX_ROOM} characters: a-z, 0-9, - and _'
        )
    return room


def name_param(params):
    """the valid name of params (a guest's chosen name)"""
    name = text_of(params.get('name'), 'name').strip()
    problem = name_problem(name)
    if problem:
        raise RpcError(BAD_PARAMS, problem)
    return name


def message_text(params, max_text):
    """the valid text of a message"""
    text = text_of(params.get('text'), 'text')
    if not text.strip():
        raise RpcError(BAD_PARAMS, 'the text is empty')
    if len(text) > max_text:
        raise RpcError(TOO_LONG, f'the text is longer than {max_text} characters')
    return text


def client_id_param(params):
    """the valid client_id of params: the sender's name for one message"""
    client_id = params.get('client_id')
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise RpcError(
            BAD_PARAMS, 'client_id: 1 to 64 characters: A-Z, a-z, 0-9, - and _'
        )
    return client_id


def is_integer(value):
    """an int, and not a bool (which JSON's true and false decode to)"""
    return isinstance(value, int) and not isinstance(value, bool)


def id_param(params, field, default=None):
    """a message id (a positive integer) of params, or default when absent"""
    value = params.get(field, default)
    if value is default:
        return value
    if not is_integer(value) or not 0 <= value <= MAX_ID:
        raise RpcError(BAD_PARAMS, f'{field} must be a message id (an integer)')
    return value


def chat_message(message_id, room, name, text, ts):
    """one message as clients receive it"""
    return {'id': message_id, 'room': room, 'name': name, 'text': text, 'ts': ts}


def encode(value):
    """a value as the text of a websocket frame"""
    return json.dumps(value, ensure_ascii=False, separators=(',', ':'))


def notification(method, params):
    """a notification from the server, encoded"""
    return encode({'jsonrpc': '2.0', 'method': method, 'params': params})


def unseen(texts, newest):
    """(the encoded notifications of texts that a history whose newest message
    id is newest does not hold, in order; whether a message newer than it is
    among them)"""
    kept, newer = [], False
    for text in texts:
        message_id = json.loads(text)['params'].get('id')  # None: not a message
        if message_id is None or message_id > newest:
            kept.append(text)
            newer = newer or message_id is not None
    return kept, newer


def result_answer(request_id, result):
    """the answer to a request that succeeded"""
    return {'jsonrpc': '2.0', 'id': request_id, 'result': result}


def error_answer(request_id, code, message):
    """the answer to a request that failed"""
    return {
        'jsonrpc': '2.0',
        'id': request_id,
        'error': {'code': code, 'message': message},
    }

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
from collections.abc import Iterable, Mapping
from typing import Final, Literal, NotRequired, TypeAlias, TypedDict, TypeGuard

MAX_NAME: Final = 40
MAX_ROOM: Final = 32  # characters of a room's name
DEFAULT_ROOM: Final = 'general'  # the room everyone is in
ROOM_NAME: Final = re.compile(r'[a-z0-9][a-z0-9_-]{0,31}')
CLIENT_ID: Final = re.compile(r'[A-Za-z0-9_-]{1,64}')
MAX_ID: Final = (1 << 63) - 1  # the largest id a database holds (BIGINT)
# the bidi controls: "innocent\u202egnp.exe" would read "innocent exe.png"
BIDI_CONTROLS: Final = frozenset(
    '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'
)

# JSON-RPC's own error codes, then the chat's (-32000 to -32099)
PARSE_ERROR: Final = -32700
INVALID_REQUEST: Final = -32600
UNKNOWN_METHOD: Final = -32601
BAD_PARAMS: Final = -32602
FLOOD: Final = -32000
TOO_LONG: Final = -32001
NOT_STORED: Final = -32002
NOT_JOINED: Final = -32003
TOO_MANY_ROOMS: Final = -32004

# any JSON value, as json.loads() returns it: what a client may send
Json: TypeAlias = dict[str, 'Json'] | list['Json'] | str | int | float | bool | None
# the params of a request, as a client sent them: nothing in them is checked yet
Params: TypeAlias = dict[str, Json]
# what JSON-RPC allows as the id of a request
RequestId: TypeAlias = str | int | None
# a send, once for all server processes: ((kind, who), client_id), where kind
# is 'account' (who: the account's id) or 'guest' (who: the name)
SendKey: TypeAlias = tuple[tuple[str, str | int], str]


class ChatMessage(TypedDict):
    """one message as clients receive it (the params of a message notification)"""

    id: int
    room: str
    name: str
    text: str
    ts: float  # when it was said: seconds since the epoch


class PresenceParams(TypedDict):
    """the params of a presence notification: who is in a room; the names only
    in a room of at most presence.MEMBERS_LISTED people"""

    room: str
    count: int
    members: NotRequired[list[str]]
    joined: NotRequired[list[str]]
    left: NotRequired[list[str]]


class ErrorObject(TypedDict):
    """why a request failed: a code and a sentence for the person"""

    code: int
    message: str


class ResultAnswer(TypedDict):
    """the answer to a request that succeeded"""

    jsonrpc: Literal['2.0']
    id: RequestId
    result: object  # what the method returned: a JSON object


class ErrorAnswer(TypedDict):
    """the answer to a request that failed"""

    jsonrpc: Literal['2.0']
    id: RequestId
    error: ErrorObject


Answer: TypeAlias = ResultAnswer | ErrorAnswer


class RpcError(Exception):
    """a request the server refuses: its code and a sentence for the person"""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BadMessage(ValueError):
    """what the message broker carries is not a frame of this chat"""


def name_problem(name: str) -> str | None:
    """why name cannot be a sender's name (a sentence), or None when it can"""
    if not 1 <= len(name) <= MAX_NAME:
        return f'the name must be 1 to {MAX_NAME} characters'
    if any(unicodedata.category(c) in ('Cc', 'Cs') or c in BIDI_CONTROLS for c in name):
        return 'the name must not hold control characters'
    return None


def parse_frame(frame: str | bytes) -> Json:
    """the JSON value of a client's frame, or raise RpcError (parse error)"""
    if isinstance(frame, bytes):
        raise RpcError(PARSE_ERROR, 'binary frames are not accepted: send JSON text')
    try:
        value: Json = json.loads(frame)
    except ValueError as error:
        raise RpcError(PARSE_ERROR, 'the message is not JSON') from error
    except RecursionError as error:
        raise RpcError(PARSE_ERROR, 'the message is nested too deeply') from error
    return value


def text_of(value: object, field: str) -> str:
    """value when it is a string of valid unicode; else BAD_PARAMS"""
    if not isinstance(value, str):
        raise RpcError(BAD_PARAMS, f'{field} must be a string')
    try:
        value.encode('utf-8')
    except UnicodeEncodeError as error:
        # a lone surrogate (\ud800) decodes from JSON but is no text at all
        raise RpcError(BAD_PARAMS, f'{field} is not valid unicode text') from error
    return value


def room_param(params: Params) -> str:
    """the valid room of params"""
    room = params.get('room')
    if not isinstance(room, str) or not ROOM_NAME.fullmatch(room):
        raise RpcError(
            BAD_PARAMS, f'room: 1 to {MAX_ROOM} characters: a-z, 0-9, - and _'
        )
    return room


def name_param(params: Params) -> str:
    """the valid name of params (a guest's chosen name)"""
    name = text_of(params.get('name'), 'name').strip()
    problem = name_problem(name)
    if problem:
        raise RpcError(BAD_PARAMS, problem)
    return name


def message_text(params: Params, max_text: int) -> str:
    """the valid text of a message"""
    text = text_of(params.get('text'), 'text')
    if not text.strip():
        raise RpcError(BAD_PARAMS, 'the text is empty')
    if len(text) > max_text:
        raise RpcError(TOO_LONG, f'the text is longer than {max_text} characters')
    return text


def client_id_param(params: Params) -> str:
    """the valid client_id of params: the sender's name for one message"""
    client_id = params.get('client_id')
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise RpcError(
            BAD_PARAMS, 'client_id: 1 to 64 characters: A-Z, a-z, 0-9, - and _'
        )
    return client_id


def is_integer(value: object) -> TypeGuard[int]:
    """an int, and not a bool (which JSON's true and false decode to)"""
    return isinstance(value, int) and not isinstance(value, bool)


def id_param(params: Params, field: str) -> int | None:
    """a message id (a positive integer) of params, or None when absent"""
    value = params.get(field)
    if value is None:
        return None
    if is_integer(value) and 0 <= value <= MAX_ID:
        return value
    raise RpcError(BAD_PARAMS, f'{field} must be a message id (an integer)')


def chat_message(
    message_id: int, room: str, name: str, text: str, ts: float
) -> ChatMessage:
    """one message as clients receive it"""
    return {'id': message_id, 'room': room, 'name': name, 'text': text, 'ts': ts}


def encode(value: object) -> str:
    """a value as the text of a websocket frame"""
    return json.dumps(value, ensure_ascii=False, separators=(',', ':'))


def notification(method: str, params: Mapping[str, object]) -> str:
    """a notification from the server, encoded"""
    return encode({'jsonrpc': '2.0', 'method': method, 'params': params})


def unseen(texts: Iterable[str], newest: int) -> tuple[list[str], bool]:
    """(the encoded notifications of texts that a history whose newest message
    id is newest does not hold, in order; whether a message newer than it is
    among them)"""
    kept: list[str] = []
    newer = False
    for text in texts:
        message_id = json.loads(text)['params'].get('id')  # None: not a message
        if message_id is None or message_id > newest:
            kept.append(text)
            newer = newer or message_id is not None
    return kept, newer


def result_answer(request_id: RequestId, result: object) -> ResultAnswer:
    """the answer to a request that succeeded"""
    return {'jsonrpc': '2.0', 'id': request_id, 'result': result}


def error_answer(request_id: RequestId, code: int, message: str) -> ErrorAnswer:
    """the answer to a request that failed"""
    return {
        'jsonrpc': '2.0',
        'id': request_id,
        'error': {'code': code, 'message': message},
    }

"""What the Redis Stream carries between the chat's processes, read with care.

Each entry holds the ``origin`` (the writing broker) and its ``seq`` (1, 2,
...), and one of four kinds of news:

- a chat message (``frame``: the message notification, as clients get it;
  ``sent_by``: the JSON array [kind, who, client_id] of its send, whose
  answer another process gives a send tried again there);
- ``kind=presence``: the names the origin has in a ``room`` now (``names``,
  a JSON array; empty when nobody is left there);
- ``kind=typing``: ``name`` is typing in ``room``;
- ``kind=gone``: the origin stops, and its people leave every room.

An entry is checked as what a browser sends is: one that is not news of this
chat raises ``BadMessage``, which the reader counts and drops.
"""

import json
from collections.abc import Callable, Mapping
from typing import Final, Literal, NotRequired, TypeAlias, TypedDict, final

from ..protocol import (
    CLIENT_ID,
    ROOM_NAME,
    BadMessage,
    ChatMessage,
    RpcError,
    SendKey,
    is_integer,
    message_text,
    name_param,
    name_problem,
    parse_frame,
)

MAX_NAMES: Final = 10000  # names one presence entry may list

# What a process writes to the stream, beside the origin and seq of every
# entry: the fields of its kind of news. (final: an entry with a names field
# is a presence entry.)


@final
class MessageEntry(TypedDict):
    """a chat message: the notification, and the send it answers (if known)"""

    frame: str
    sent_by: NotRequired[str]  # JSON: [kind, who, client_id]


@final
class PresenceEntry(TypedDict):
    """the names the origin has in a room now"""

    kind: Literal['presence']
    room: str
    names: str  # JSON: an array of names, empty when nobody is left


@final
class TypingEntry(TypedDict):
    """name is typing in room"""

    kind: Literal['typing']
    room: str
    name: str


@final
class GoneEntry(TypedDict):
    """the origin stops"""

    kind: Literal['gone']


Entry: TypeAlias = MessageEntry | PresenceEntry | TypingEntry | GoneEntry

# What a process reads: an entry's fields, as Redis returns them (bytes), and
# the news they hold.
Fields: TypeAlias = Mapping[bytes, bytes]
# (the entry's id, its fields)
StreamEntry: TypeAlias = tuple[bytes, Fields]
# ('message', room, frame, message, the key of its send or None)
MessageNews: TypeAlias = tuple[
    Literal['message'], str, str, ChatMessage, SendKey | None
]
# ('presence', room, names)
PresenceNews: TypeAlias = tuple[Literal['presence'], str, list[str]]
# ('typing', room, name)
TypingNews: TypeAlias = tuple[Literal['typing'], str, str]
GoneNews: TypeAlias = tuple[Literal['gone']]
News: TypeAlias = MessageNews | PresenceNews | TypingNews | GoneNews


def entry_news(fields: Fields, max_text: int) -> tuple[str, int, News]:
    """(origin, seq, news) of a stream entry's fields, or raise BadMessage

    news is ('message', room, frame, message, key), ('presence', room, names),
    ('typing', room, name) or ('gone',); key is the message's send's
    ((kind, who), client_id), or None.
    """
    try:
        origin = fields[b'origin'].decode('ascii')
        seq = int(fields[b'seq'])
        kind = fields.get(b'kind', b'message').decode('ascii')
    except (KeyError, ValueError) as error:
        raise BadMessage(f'not an entry of this chat ({error!r})') from error
    read = READERS.get(kind)
    if read is None:
        raise BadMessage(f'not an entry of this chat (kind {kind!r})')
    return origin, seq, read(fields, max_text)


def field_text(fields: Fields, key: bytes) -> str:
    """the text of the field key, or raise BadMessage"""
    try:
        return fields[key].decode('utf-8')
    except (KeyError, ValueError) as error:
        raise BadMessage(f'no {key.decode()} ({error!r})') from error


def field_room(fields: Fields) -> str:
    """the valid room of fields, or raise BadMessage"""
    room = field_text(fields, b'room')
    if not ROOM_NAME.fullmatch(room):
        raise BadMessage('not a room name')
    return room


def valid_name(name: object) -> str:
    """name when a browser could be in a room under it, else raise BadMessage"""
    if not isinstance(name, str) or name_problem(name) or name != name.strip():
        raise BadMessage('not a name')
    return name


def read_message(fields: Fields, max_text: int) -> MessageNews:
    """the news of a message entry"""
    frame = field_text(fields, b'frame')
    room, message = checked_message(frame, max_text)
    return 'message', room, frame, message, send_key(fields)


def send_key(fields: Fields) -> SendKey | None:
    """the (sender, client_id) of the send of a message entry; None for none"""
    if b'sent_by' not in fields:
        return None
    try:
        kind, who, client_id = json.loads(field_text(fields, b'sent_by'))
    except (ValueError, TypeError, RecursionError) as error:
        raise BadMessage('sent_by: not [kind, who, client_id]') from error
    if kind == 'guest':
        valid_name(who)
    elif kind != 'account' or not is_integer(who):
        raise BadMessage('sent_by: no sender')
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise BadMessage('sent_by: no client_id')
    return (kind, who), client_id


def read_presence(fields: Fields, _max_text: int | None) -> PresenceNews:
    """the news of a presence entry"""
    room = field_room(fields)
    try:
        names = json.loads(field_text(fields, b'names'))
    except (ValueError, RecursionError) as error:
        raise BadMessage('names: not JSON') from error
    if not isinstance(names, list) or len(names) > MAX_NAMES:
        raise BadMessage(f'names: not a list of at most {MAX_NAMES}')
    return 'presence', room, [valid_name(name) for name in names]


def read_typing(fields: Fields, _max_text: int | None) -> TypingNews:
    """the news of a typing entry"""
    return 'typing', field_room(fields), valid_name(field_text(fields, b'name'))


def read_gone(_fields: Fields, _max_text: int | None) -> GoneNews:
    """the news of a gone entry"""
    return ('gone',)


READERS: Final[dict[str, Callable[[Fields, int], News]]] = {
    'message': read_message,
    'presence': read_presence,
    'typing': read_typing,
    'gone': read_gone,
}


def checked_message(frame: str, max_text: int) -> tuple[str, ChatMessage]:
    """(room, message) of frame, a message notification as this server sends
    them, or raise BadMessage"""
    try:
        value = parse_frame(frame)
        if not isinstance(value, dict) or value.get('method') != 'message':
            raise BadMessage('not a chat message: no method "message"')
        message = value.get('params')
        if not isinstance(message, dict):
            raise BadMessage('not a chat message: no params')
        name_param(message)
        message_text(message, max_text)
    except RpcError as error:
        raise BadMessage(f'not a chat message: {error.message}') from error
    room = message.get('room')
    if not isinstance(room, str) or not ROOM_NAME.fullmatch(room):
        raise BadMessage('not a chat message: no room')
    if not is_number(message.get('ts')) or not is_integer(message.get('id')):
        raise BadMessage('not a chat message: no time or no id')
    # checked field by field above (name, text, room, ts, id): a ChatMessage,
    # which mypy cannot tell from a dict of JSON; ignored rather than cast, as
    # a cast would be one more call for every message read
    return room, message  # type: ignore[return-value]


def is_number(value: object) -> bool:
    """an int or a float (not a bool)"""
    return isinstance(value, (int, float)) and not isinstance(value, bool)

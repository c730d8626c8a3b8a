"""The chat's methods: join, leave, send, history, rooms and typing.

Each one is an async function ``(socket, params) -> result`` registered by
name in METHODS; adding one is writing such a function (``docsrc/protocol.md``
shows how). A method refuses a request by raising ``RpcError``.
"""

import asyncio
import collections
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Final, TypedDict

from .history import Unavailable
from .presence import RoomCount
from .protocol import (
    BAD_PARAMS,
    NOT_JOINED,
    NOT_STORED,
    TOO_MANY_ROOMS,
    ChatMessage,
    Params,
    RpcError,
    SendKey,
    client_id_param,
    id_param,
    is_integer,
    message_text,
    name_param,
    room_param,
    unseen,
)
from .rpc import Connection, Methods

log = logging.getLogger(__name__)

METHODS: Final = Methods()
ROOMS_PER_CONNECTION: Final = 20
MOST_PAGE: Final = 100  # messages one history call returns at most
REMEMBERED_SENDS: Final = 10000  # client_ids this process remembers, the newest


class JoinResult(TypedDict):
    """join's answer: the room's recent messages (or those after an id), its members"""

    room: str
    messages: list[ChatMessage]
    members: list[str]  # sorted; none in a room of more than MEMBERS_LISTED
    count: int
    truncated: bool  # whether messages leaves some out


class LeaveResult(TypedDict):
    """leave's answer"""

    room: str


class SendResult(TypedDict):
    """send's answer: what the message got"""

    id: int
    room: str
    ts: float


class HistoryResult(TypedDict):
    """history's answer: older messages, oldest first"""

    messages: list[ChatMessage]


class RoomsResult(TypedDict):
    """rooms' answer"""

    rooms: list[RoomCount]


def speaker(socket: Connection, params: Params) -> str:
    """who speaks: the account's name, or the name a guest gives"""
    return socket.account.name if socket.account else name_param(params)


def joined_room(socket: Connection, params: Params) -> str:
    """the room of params, which socket must have joined"""
    room = room_param(params)
    if room not in socket.rooms:
        raise RpcError(NOT_JOINED, f'join the room "{room}" first')
    return room


def check_room_bounds(socket: Connection, room: str) -> None:
    """raise TOO_MANY_ROOMS when socket may not join one more room"""
    if len(socket.rooms) >= ROOMS_PER_CONNECTION:
        raise RpcError(
            TOO_MANY_ROOMS, f'at most {ROOMS_PER_CONNECTION} rooms per connection'
        )
    most = socket.settings['max_rooms']
    if room not in socket.hub.rooms and len(socket.hub.rooms) >= most:
        raise RpcError(TOO_MANY_ROOMS, f'the server holds at most {most} rooms')


@METHODS.register('join')
async def join(socket: Connection, params: Params) -> JoinResult:
    """join a room: its recent messages (or those after an id), its members"""
    room = room_param(params)
    after = id_param(params, 'after')
    name = speaker(socket, params)
    fresh = room not in socket.rooms
    if fresh:
        check_room_bounds(socket, room)
        socket.hold(room)  # what comes while the history is read
        socket.rooms[room] = name
        socket.hub.join(room, socket, name)
    members, count = socket.hub.members(room)
    try:
        if after is None:
            messages, truncated = await socket.history.recent(room), False
        else:
            messages, truncated = await socket.history.after(room, after)
    except Unavailable as error:
        log.error('history unavailable: %s', error)
        messages, truncated = [], True
    if fresh:
        newest = messages[-1]['id'] if messages else after or 0
        socket.then(lambda: release(socket, room, newest))
    return {
        'room': room,
        'messages': messages,
        'members': members,
        'count': count,
        'truncated': truncated,
    }


def release(socket: Connection, room: str, newest: int) -> None:
    """send what came for room while it was being joined, newer than newest,
    the newest message id its answer held; until a newer one comes, live
    messages not newer than it are not sent either (a broker that lags
    delivers one stored before the history was read after it)"""
    texts, newer = unseen(socket.release(room), newest)
    for text in texts:
        socket.send_frame(text)
    if newest and not newer:
        socket.hub.presence.catch_up(room, socket, newest)


@METHODS.register('leave')
async def leave(socket: Connection, params: Params) -> LeaveResult:
    """leave a room (one not joined: nothing happens)"""
    room = room_param(params)
    if socket.rooms.pop(room, None) is not None:
        socket.release(room)
        socket.hub.leave(room, socket)
    return {'room': room}


@METHODS.register('send')
async def send(socket: Connection, params: Params) -> SendResult:
    """say something in a room: answered once it is stored and published"""
    room = joined_room(socket, params)
    text = message_text(params, socket.settings['max_text'])
    client_id = client_id_param(params)
    name = speaker(socket, params)
    sender = ('account', socket.account.id) if socket.account else ('guest', name)
    key: SendKey = (sender, client_id)
    sends: Sends = socket.settings['sends']
    return await sends.once(key, say, socket, room, name, text, key)


# pylint: disable-next=too-many-arguments
async def say(
    socket: Connection, room: str, name: str, text: str, key: SendKey
) -> SendResult:
    """store the message; publish it (with the key of the send: its sender and
    client_id) once the sender has its answer; the answer: its id, room and time"""
    try:
        kept = await socket.history.add(name, text, time.time(), room)
    except Unavailable as error:
        log.error('message not stored: %s', error)
        raise RpcError(
            NOT_STORED, 'the message could not be stored; try again'
        ) from error
    socket.then(lambda: socket.hub.publish(room, kept, key))
    return answer_of(kept)


def answer_of(message: ChatMessage) -> SendResult:
    """the answer to the send of message"""
    return {'id': message['id'], 'room': message['room'], 'ts': message['ts']}


@METHODS.register('history')
async def history(socket: Connection, params: Params) -> HistoryResult:
    """the messages of a room just older than an id, to scroll back"""
    room = joined_room(socket, params)
    before = id_param(params, 'before')
    if before is None:
        raise RpcError(BAD_PARAMS, 'before must be a message id (an integer)')
    limit = page_limit(params)
    try:
        messages = await socket.history.before(room, before, limit)
    except Unavailable as error:
        log.error('history unavailable: %s', error)
        raise RpcError(
            NOT_STORED, 'the history could not be read; try again'
        ) from error
    return {'messages': messages}


def page_limit(params: Params) -> int:
    """the valid limit of params: how many messages a page holds (50 by default)"""
    limit = params.get('limit', 50)
    if is_integer(limit) and 1 <= limit <= MOST_PAGE:
        return limit
    raise RpcError(BAD_PARAMS, f'limit must be 1 to {MOST_PAGE}')


@METHODS.register('rooms')
async def rooms(socket: Connection, _params: Params) -> RoomsResult:
    """the rooms with people in them, and how many"""
    return {'rooms': socket.hub.room_list()}


@METHODS.register('typing')
async def typing(socket: Connection, params: Params) -> dict[str, object]:
    """tell the room's other members that this person is typing"""
    room = joined_room(socket, params)
    socket.hub.typing(room, socket, socket.rooms[room])
    return {}


class Sends:
    """the answers to the latest sends, by (sender, client_id): a send tried
    again after a lost answer is answered the same, and said once

    With several server processes, the sends the others answered are kept
    too (``keep``): a send tried again on another process after a reconnect
    is said once as well.
    """

    def __init__(self, most: int = REMEMBERED_SENDS) -> None:
        self.most = most
        # key -> future of the answer
        self.answers: collections.OrderedDict[SendKey, asyncio.Future[SendResult]] = (
            collections.OrderedDict()
        )

    async def once(
        self,
        key: SendKey,
        say_it: Callable[..., Coroutine[Any, Any, SendResult]],
        *args: object,
    ) -> SendResult:
        """the answer to key's first send, which say_it makes (with args), only the
        first time"""
        future = self.answers.get(key)
        if future is None:
            future = asyncio.ensure_future(say_it(*args))
            self.answers[key] = future
            if len(self.answers) > self.most:
                self.answers.popitem(last=False)
            future.add_done_callback(lambda done: self.forget_failed(key, done))
        return await asyncio.shield(future)

    def keep(self, message: ChatMessage, key: SendKey | None) -> None:
        """another process said message for the send of key (None: unknown)"""
        if key is None or key in self.answers:
            return
        future: asyncio.Future[SendResult] = asyncio.get_running_loop().create_future()
        future.set_result(answer_of(message))
        self.answers[key] = future
        if len(self.answers) > self.most:
            self.answers.popitem(last=False)

    def forget_failed(self, key: SendKey, future: asyncio.Future[SendResult]) -> None:
        """a send that failed may be tried again for real"""
        if future.cancelled() or future.exception() is not None:
            if self.answers.get(key) is future:
                del self.answers[key]

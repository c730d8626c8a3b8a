"""The chat's methods: join, leave, send, history, rooms and typing.

Each one is an async function ``(socket, params) -> result`` registered by
name in METHODS; adding one is writing such a function (``docsrc/protocol.md``
shows how). A method refuses a request by raising ``RpcError``.
"""

import asyncio
import collections
import logging
import time

from .history import Unavailable
from .protocol import (
    BAD_PARAMS,
    NOT_JOINED,
    NOT_STORED,
    TOO_MANY_ROOMS,
    RpcError,
    client_id_param,
    id_param,
    is_integer,
    message_text,
    name_param,
    room_param,
    unseen,
)
from .rpc import Methods

log = logging.getLogger(__name__)

METHODS = Methods()
ROOMS_PER_CONNECTION = 20
MOST_PAGE = 100  # messages one history call returns at most
REMEMBERED_SENDS = 10000  # client_ids this process remembers, the newest


def speaker(socket, params):
    """who speaks: the account's name, or the name a guest gives"""
    return socket.account.name if socket.account else name_param(params)


def joined_room(socket, params):
    """the room of params, which socket must have joined"""
    room = room_param(params)
    if room not in socket.rooms:
        raise RpcError(NOT_JOINED, f'join the room "{room}" first')
    return room


def check_room_bounds(socket, room):
    """raise TOO_MANY_ROOMS when socket may not join one more room"""
    if len(socket.rooms) >= ROOMS_PER_CONNECTION:
        raise RpcError(
            TOO_MANY_ROOMS, f'at most {ROOMS_PER_CONNECTION} rooms per connection'
        )
    most = socket.settings['max_rooms']
    if room not in socket.hub.rooms and len(socket.hub.rooms) >= most:
        raise RpcError(TOO_MANY_ROOMS, f'the server holds at most {most} rooms')


@METHODS.register('join')
async def join(socket, params):
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


def release(socket, room, newest):
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
async def leave(socket, params):
    """leave a room (one not joined: nothing happens)"""
    room = room_param(params)
    if socket.rooms.pop(room, None) is not None:
        socket.release(room)
        socket.hub.leave(room, socket)
    return {'room': room}


@METHODS.register('send')
async def send(socket, params):
    """say something in a room: answered once it is stored and published"""
    room = joined_room(socket, params)
    text = message_text(params, socket.settings['max_text'])
    client_id = client_id_param(params)
    name = speaker(socket, params)
    sender = ('account', socket.account.id) if socket.account else ('guest', name)
    key = (sender, client_id)
    return await socket.settings['sends'].once(key, say, socket, room, name, text, key)


# pylint: disable-next=too-many-arguments
async def say(socket, room, name, text, key):
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


def answer_of(message):
    """the answer to the send of message"""
    return {'id': message['id'], 'room': message['room'], 'ts': message['ts']}


@METHODS.register('history')
async def history(socket, params):
    """the messages of a room just older than an id, to scroll back"""
    room = joined_room(socket, params)
    before = id_param(params, 'before')
    if before is None:
        raise RpcError(BAD_PARAMS, 'before must be a message id (an integer)')
    limit = params.get('limit', 50)
    if not is_integer(limit) or not 1 <= limit <= MOST_PAGE:
        raise RpcError(BAD_PARAMS, f'limit must be 1 to {MOST_PAGE}')
    try:
        messages = await socket.history.before(room, before, limit)
    except Unavailable as error:
        log.error('history unavailable: %s', error)
        raise RpcError(
            NOT_STORED, 'the history could not be read; try again'
        ) from error
    return {'messages': messages}


@METHODS.register('rooms')
async def rooms(socket, _params):
    """the rooms with people in them, and how many"""
    return {'rooms': socket.hub.room_list()}


@METHODS.register('typing')
async def typing(socket, params):
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

    def __init__(self, most=REMEMBERED_SENDS):
        self.most = most
        self.answers = collections.OrderedDict()  # key -> future of the answer

    async def once(self, key, say_it, *args):
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

    def keep(self, message, key):
        """another process said message for the send of key (None: unknown)"""
        if key is None or key in self.answers:
            return
        future = asyncio.get_running_loop().create_future()
        future.set_result(answer_of(message))
        self.answers[key] = future
        if len(self.answers) > self.most:
            self.answers.popitem(last=False)

    def forget_failed(self, key, future):
        """a send that failed may be tried again for real"""
        if future.cancelled() or future.exception() is not None:
            if self.answers.get(key) is future:
                del self.answers[key]

"""A lean websocket client for load: a raw asyncio protocol, nothing more.

The handshake is written by hand; then the client joins its room (JSON-RPC 2.0,
``join``) and counts as connected once the server's result is in. Frames from
the server are not masked, so a client counts them by walking their headers and
classifies each text frame by its first bytes, without parsing the JSON: the
server writes the keys of its frames in a fixed order. A notification starts
``{"jsonrpc":"2.0","method":"`` and its method; an answer starts
``{"jsonrpc":"2.0","id":``, its id, then ``"result"`` or ``"error"``. Only
answers are looked into, for their id (the acknowledgement of a message sent),
and probe clients look inside messages for the send time the generator embedded
there. Frames to the server must be masked (RFC 6455); ``frame()`` does that
with one big-integer XOR.
"""

import asyncio
import base64
import hashlib
import itertools
import json
import os
import re
from collections.abc import Callable
from time import monotonic_ns
from typing import NamedTuple, TypeAlias, cast

# what frames are read from: the clients' shared buffer, or bytes
Data: TypeAlias = bytes | bytearray

GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
NOTIFICATION = b'{"jsonrpc":"2.0","method":"'
NOTIFICATION_AT = len(NOTIFICATION)
# the start of a chat message, the frame that comes most: told at once
MESSAGE_START = NOTIFICATION + b'message"'
ANSWER = b'{"jsonrpc":"2.0","id":'
ANSWER_AT = len(ANSWER)
# the kinds of frame counted
KINDS = (
    'message',
    'result',
    'error',
    'presence',
    'typing',
    'status',
    'other',
    'control',
)
MESSAGE, RESULT, ERROR, PRESENCE, TYPING, STATUS, OTHER, CONTROL = range(len(KINDS))
# a notification's method other than message, by its first letter: the whole
# name (with its closing quote, so that no longer name matches) and its kind
METHODS = {
    ord('p'): (b'presence"', PRESENCE),
    ord('t'): (b'typing"', TYPING),
    ord('s'): (b'status"', STATUS),
}
UNKNOWN = (b'', OTHER)
# what follows an answer's id: the key of a result or of an error
AFTER_ID = b',"'
RESULT_KEY = b'result"'
ERROR_KEY = b'error"'
# what the generator writes at the start of each text: L<worker>.<send ns>.
STAMP = re.compile(rb'"text":"L(\d+)\.(\d+)\.')
JOIN = b'{"jsonrpc":"2.0","id":%d,"method":"join","params":{"room":"%s","name":"%s"}}'
SEND = (
    b'{"jsonrpc":"2.0","id":%d,"method":"send","params":'
    b'{"room":"%s","text":"%s","client_id":"%s-%d","name":"%s"}}'
)
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA
READ_SIZE = 256 * 1024  # bytes one read may bring, as asyncio's own reads


def room_name(number: int) -> str:
    """the name of room number: general, room-1, room-2, ..."""
    return f'room-{number}' if number else 'general'


class Target(NamedTuple):
    """where the clients connect, and the cookie they send (for a login)"""

    host: str
    port: int
    path: str = '/ws'
    cookie: str = ''


def frame(payload: bytes, opcode: int = OP_TEXT) -> bytes:
    """one masked client-to-server frame (FIN set) holding payload (bytes)"""
    size = len(payload)
    if size < 126:
        header = bytes((0x80 | opcode, 0x80 | size))
    elif size < 1 << 16:
        header = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, 'big')
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, 'big')
    key = os.urandom(4)
    return header + key + xor_mask(key, payload)


def xor_mask(key: bytes, payload: bytes) -> bytes:
    """payload masked (or unmasked) with the 4-byte key: one big-integer XOR"""
    size = len(payload)
    repeated = (key * (size // 4 + 1))[:size]
    masked = int.from_bytes(payload, 'big') ^ int.from_bytes(repeated, 'big')
    return masked.to_bytes(size, 'big')


def handshake(target: Target, key: str) -> bytes:
    """the HTTP upgrade request of a websocket client (no Origin header)"""
    host = f'[{target.host}]' if ':' in target.host else target.host
    cookie = f'Cookie: {target.cookie}\r\n' if target.cookie else ''
    return (
        f'GET {target.path} HTTP/1.1\r\nHost: {host}:{target.port}\r\n'
        f'Upgrade: websocket\r\nConnection: Upgrade\r\n{cookie}'
        f'Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n'
    ).encode('latin-1')


def accept_key(key: str) -> str:
    """the Sec-WebSocket-Accept a server must answer key with"""
    digest = hashlib.sha1(key.encode('ascii') + GUID).digest()
    return base64.b64encode(digest).decode('ascii')


def frame_bounds(data: bytes, pos: int, size: int) -> tuple[int, int] | None:
    """(payload start, payload length) of the frame at data[pos:size], or None

    None when the frame's header is not complete yet. A masked frame's payload
    starts after its 4-byte key: the start returned is where the key begins.
    """
    if size - pos < 2:
        return None
    length = data[pos + 1] & 0x7F
    start = pos + 2
    if length >= 126:
        width = 2 if length == 126 else 8
        if start + width > size:
            return None
        length = int.from_bytes(data[start : start + width], 'big')
        start += width
    return start, length


class Tally:  # pylint: disable=too-many-instance-attributes
    """what the clients of one generator process received, and their requests

    One flat record: the clients update it on every frame.
    """

    def __init__(self, worker: bytes = b'', rooms: int = 1) -> None:
        # this process's own part of every client_id: unique to the run
        self.tag = b'lt%s-%s' % (worker, os.urandom(4).hex().encode())
        self.counts = [0] * len(KINDS)
        self.latencies: list[int] = []  # ns, of the messages sent inside the window
        self.window = (0, 0)  # send times (ns) whose latency is recorded
        self.ids = itertools.count(1)  # request ids, for every client of the process
        # the send time (ns) of each message not yet answered, by its request id
        self.pending: dict[int, int] = {}
        self.acks = 0  # messages sent and answered (a result or an error)
        self.refused = [0] * rooms  # per room: messages answered by an error
        # called with the latency (s) of each answer
        self.on_ack: Callable[[float], object] | None = None
        self.closed = 0  # connections lost

    def stamp(self, match: re.Match[bytes]) -> None:
        """record a probe's stamped message, if sent inside the window"""
        sent = int(match.group(2))
        start, end = self.window
        if start <= sent < end:
            self.latencies.append(monotonic_ns() - sent)

    def answered(self, request: int, room: int, error: bool) -> None:
        """the answer to a message sent to room (number) came: an ack"""
        sent = self.pending.pop(request, None)
        if sent is None:
            return
        self.acks += 1
        if error:
            self.refused[room] += 1
        if self.on_ack:
            self.on_ack((monotonic_ns() - sent) / 1e9)


class Client(asyncio.BufferedProtocol):  # pylint: disable=too-many-instance-attributes
    """one websocket connection: handshake, join, then count what arrives

    Every client of a process reads into one shared buffer (no allocation per
    read); the few bytes of a frame cut in two wait in the client's own buffer.
    Its state is flat attributes: the hot path reads them on every frame.
    """

    shared = bytearray(READ_SIZE)

    # pylint: disable-next=too-many-arguments,too-many-positional-arguments
    def __init__(
        self,
        tally: Tally,
        target: Target,
        room: int = 0,
        name: str = 'lt',
        probe: bool = False,
    ) -> None:
        self.tally = tally
        self.target = target
        self.room = room  # the number of the room it joins and sends to
        self.room_json = room_name(room).encode()
        self.name_json = name.encode()  # plain ASCII: nothing to escape
        self.probe = probe  # does it record latencies?
        # None until asyncio calls connection_made(), before any data: only
        # close() may find it unset
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.key = base64.b64encode(os.urandom(16)).decode('ascii')
        # done once the server answers the join: True, or the error
        self.opened: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.upgraded = False
        self.join_id: int | None = None
        self.buffer = b''  # the start of a frame not yet complete

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # create_connection() makes a socket transport: one that writes
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(handshake(self.target, self.key))

    def connection_lost(self, exc: Exception | None) -> None:
        self.tally.closed += 1
        if not self.opened.done():
            where = 'before its join was answered' if self.upgraded else 'in handshake'
            self.opened.set_exception(exc or ConnectionError(f'closed {where}'))

    def get_buffer(self, sizehint: int) -> memoryview:
        kept = len(self.buffer)
        if kept * 2 > len(Client.shared):
            Client.shared = bytearray(kept * 4)
        if kept:
            Client.shared[:kept] = self.buffer
        return memoryview(Client.shared)[kept:]

    def buffer_updated(self, nbytes: int) -> None:
        size = len(self.buffer) + nbytes
        self.buffer = b''
        if self.upgraded:
            self.frames(Client.shared, size)
        else:
            self.upgrade(bytes(Client.shared[:size]))

    def upgrade(self, data: bytes) -> None:
        """check the server's answer to the handshake; then join the room"""
        head, sep, rest = data.partition(b'\r\n\r\n')
        if not sep:
            self.buffer = data
            return
        status = head.split(b'\r\n', 1)[0]
        if status.split()[1:2] != [b'101'] or accept_key(self.key).encode() not in head:
            self.opened.set_exception(ConnectionError(status.decode('latin-1')))
            self.transport.close()
            return
        self.upgraded = True
        self.join_id = next(self.tally.ids)
        self.transport.write(
            frame(JOIN % (self.join_id, self.room_json, self.name_json))
        )
        self.frames(rest, len(rest))

    def frames(self, data: Data, size: int) -> None:
        """count every complete frame in data[:size]; keep a partial one"""
        pos = 0
        counts = self.tally.counts
        while size - pos >= 2:  # frame_bounds(), inlined: this loop is the hot path
            length = data[pos + 1] & 0x7F
            start = pos + 2
            if length >= 126:
                width = 2 if length == 126 else 8
                if start + width > size:
                    break
                length = int.from_bytes(data[start : start + width], 'big')
                start += width
            end = start + length
            if end > size:
                break
            if data[pos] & 0x0F != OP_TEXT:
                self.control(data, pos, start, end)
            elif data.startswith(MESSAGE_START, start, end):
                counts[MESSAGE] += 1
                if self.probe:
                    self.sample(data, start, end)
            else:
                self.classify(data, start, end)
            pos = end
        if pos < size:
            self.buffer = bytes(data[pos:size])

    def classify(self, data: Data, start: int, end: int) -> None:
        """count a text frame other than a chat message, by its first bytes"""
        if data.startswith(NOTIFICATION, start, end):
            at = start + NOTIFICATION_AT
            method, kind = METHODS.get(data[at], UNKNOWN) if at < end else UNKNOWN
            self.tally.counts[kind if data.startswith(method, at, end) else OTHER] += 1
        elif data.startswith(ANSWER, start, end):
            self.answer(data, start, end)
        else:
            self.tally.counts[OTHER] += 1

    def sample(self, data: Data, start: int, end: int) -> None:
        """a probe's look inside a message for its stamp"""
        match = STAMP.search(data, start, end)
        if match:
            self.tally.stamp(match)

    def answer(self, data: Data, start: int, end: int) -> None:
        """a result or an error: to the join, or to a message sent"""
        at = start + ANSWER_AT
        after = data.find(AFTER_ID, at, end)
        if after < 0:
            kind = OTHER
        elif data.startswith(RESULT_KEY, after + 2, end):
            kind = RESULT
        elif data.startswith(ERROR_KEY, after + 2, end):
            kind = ERROR
        else:
            kind = OTHER
        self.tally.counts[kind] += 1
        if kind == OTHER:
            return
        try:
            request = int(data[at:after])
        except ValueError:  # null (no id), or an id not ours
            return
        if request == self.join_id and not self.opened.done():
            self.joined(data, start, end, kind)
        else:
            self.tally.answered(request, self.room, kind == ERROR)

    def joined(self, data: Data, start: int, end: int, kind: int) -> None:
        """the server answered the join: connected, or refused with its reason"""
        if kind == RESULT:
            self.opened.set_result(True)
            return
        try:
            reason = json.loads(bytes(data[start:end]))['error']['message']
        except (ValueError, KeyError, TypeError):
            reason = bytes(data[start:end]).decode('utf-8', 'replace')
        self.opened.set_exception(ConnectionError(f'join refused: {reason}'))

    def control(self, data: Data, pos: int, start: int, end: int) -> None:
        """answer a ping, close on close, count anything else as other"""
        opcode = data[pos] & 0x0F
        if opcode == OP_PING:
            self.transport.write(frame(bytes(data[start:end]), OP_PONG))
        elif opcode == OP_CLOSE:
            self.transport.write(frame(bytes(data[start : start + 2]), OP_CLOSE))
            self.transport.close()
        if opcode & 0x08:
            self.tally.counts[CONTROL] += 1
        else:
            self.tally.counts[OTHER] += 1

    def send(self, text: str) -> int:
        """send one chat message to the room (text: plain ASCII, nothing to
        escape), with a client_id of its own; its request id"""
        tally = self.tally
        request = next(tally.ids)
        payload = SEND % (
            request,
            self.room_json,
            text.encode(),
            tally.tag,
            request,
            self.name_json,
        )
        tally.pending[request] = monotonic_ns()
        self.transport.write(frame(payload))
        return request

    def close(self) -> None:
        """a clean close (1000), then drop the connection"""
        if self.transport and not self.transport.is_closing():
            self.transport.write(frame(b'\x03\xe8', OP_CLOSE))
            self.transport.close()

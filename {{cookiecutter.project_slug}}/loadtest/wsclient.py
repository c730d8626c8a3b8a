"""A lean websocket client for load: a raw asyncio protocol, nothing more.

The handshake is written by hand. Frames from the server are not masked, so a
client counts them by walking their headers and classifies each text frame by
the first letter of its ``"type"``; only probe clients look inside the text,
for the send time the generator embedded there. Frames to the server must be
masked (RFC 6455); ``frame()`` does that with one big-integer XOR.
"""

import asyncio
import base64
import hashlib
import os
import re
from time import monotonic_ns
from typing import NamedTuple

GUID = b'258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
TYPE_PREFIX = b'{"type":"'
TYPE_AT = len(TYPE_PREFIX)
# the kinds of frame counted, by the first letter of their "type"
KINDS = ('message', 'error', 'status', 'history', 'other', 'control')
MESSAGE, ERROR, STATUS, HISTORY, OTHER, CONTROL = range(len(KINDS))
KIND_OF_LETTER = {
    ord('m'): MESSAGE,
    ord('e'): ERROR,
    ord('s'): STATUS,
    ord('h'): HISTORY,
}
# what the generator writes at the start of each text: L<worker>.<send ns>.
STAMP = re.compile(rb'"text":"L(\d+)\.(\d+)\.')
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA
READ_SIZE = 256 * 1024  # bytes one read may bring, as asyncio's own reads


class Target(NamedTuple):
    """where the clients connect, and the cookie they send (for a login)"""

    host: str
    port: int
    path: str = '/ws'
    cookie: str = ''


def frame(payload, opcode=OP_TEXT):
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


def xor_mask(key, payload):
    """payload masked (or unmasked) with the 4-byte key: one big-integer XOR"""
    size = len(payload)
    repeated = (key * (size // 4 + 1))[:size]
    masked = int.from_bytes(payload, 'big') ^ int.from_bytes(repeated, 'big')
    return masked.to_bytes(size, 'big')


def handshake(target, key):
    """the HTTP upgrade request of a websocket client (no Origin header)"""
    host = f'[{target.host}]' if ':' in target.host else target.host
    cookie = f'Cookie: {target.cookie}\r\n' if target.cookie else ''
    return (
        f'GET {target.path} HTTP/1.1\r\nHost: {host}:{target.port}\r\n'
        f'Upgrade: websocket\r\nConnection: Upgrade\r\n{cookie}'
        f'Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n'
    ).encode('latin-1')


def accept_key(key):
    """the Sec-WebSocket-Accept a server must answer key with"""
    digest = hashlib.sha1(key.encode('ascii') + GUID).digest()
    return base64.b64encode(digest).decode('ascii')


def frame_bounds(data, pos, size):
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


class Tally:
    """what the clients of one generator process received"""

    def __init__(self, worker=b''):
        self.worker = worker  # this process's number, as in the stamps it sends
        self.counts = [0] * len(KINDS)
        self.latencies = []  # ns, of the messages sent inside the window
        self.window = (0, 0)  # send times (ns) whose latency is recorded
        self.acks = 0  # own messages seen by the ack probe
        self.on_ack = None  # called with the latency of each ack
        self.closed = 0  # connections lost

    def stamp(self, match, ack):
        """record a probe's stamped message; an ack probe's own ones are acks"""
        now = monotonic_ns()
        sent = int(match.group(2))
        start, end = self.window
        if start <= sent < end:
            self.latencies.append(now - sent)
        if ack and match.group(1) == self.worker:
            self.acks += 1
            if self.on_ack:
                self.on_ack((now - sent) / 1e9)


class Client(asyncio.BufferedProtocol):
    """one websocket connection: handshake, then count what arrives

    Every client of a process reads into one shared buffer (no allocation per
    read); the few bytes of a frame cut in two wait in the client's own buffer.
    """

    shared = bytearray(READ_SIZE)

    def __init__(self, tally, target, probe=None):
        self.tally = tally
        self.target = target
        self.probe = probe  # None, 'probe' (latency) or 'ack' (latency and acks)
        self.transport = None
        self.key = base64.b64encode(os.urandom(16)).decode('ascii')
        self.opened = asyncio.get_running_loop().create_future()
        self.buffer = b''  # the start of a frame not yet complete

    def connection_made(self, transport):
        self.transport = transport
        transport.write(handshake(self.target, self.key))

    def connection_lost(self, exc):
        self.tally.closed += 1
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError('closed in handshake'))

    def get_buffer(self, sizehint):
        kept = len(self.buffer)
        if kept * 2 > len(Client.shared):
            Client.shared = bytearray(kept * 4)
        if kept:
            Client.shared[:kept] = self.buffer
        return memoryview(Client.shared)[kept:]

    def buffer_updated(self, nbytes):
        size = len(self.buffer) + nbytes
        self.buffer = b''
        if self.opened.done():
            self.frames(Client.shared, size)
        else:
            self.upgrade(bytes(Client.shared[:size]))

    def upgrade(self, data):
        """check the server's answer to the handshake; then frames may follow"""
        head, sep, rest = data.partition(b'\r\n\r\n')
        if not sep:
            self.buffer = data
            return
        status = head.split(b'\r\n', 1)[0]
        if status.split()[1:2] != [b'101'] or accept_key(self.key).encode() not in head:
            self.opened.set_exception(ConnectionError(status.decode('latin-1')))
            self.transport.close()
            return
        self.opened.set_result(True)
        self.frames(rest, len(rest))

    def frames(self, data, size):
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
            if data[pos] & 0x0F == OP_TEXT and data.startswith(TYPE_PREFIX, start):
                kind = KIND_OF_LETTER.get(data[start + TYPE_AT], OTHER)
                counts[kind] += 1
                if self.probe and kind == MESSAGE:
                    self.sample(data, start, end)
            else:
                self.control(data, pos, start, end)
            pos = end
        if pos < size:
            self.buffer = bytes(data[pos:size])

    def sample(self, data, start, end):
        """a probe's look inside a message for its stamp"""
        match = STAMP.search(data, start, end)
        if match:
            self.tally.stamp(match, self.probe == 'ack')

    def control(self, data, pos, start, end):
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

    def send(self, name, text):
        """send one chat message (name and text: plain ASCII, nothing to escape)"""
        payload = b'{"name":"%s","text":"%s"}' % (name.encode(), text.encode())
        self.transport.write(frame(payload))

    def close(self):
        """a clean close (1000), then drop the connection"""
        if self.transport and not self.transport.is_closing():
            self.transport.write(frame(b'\x03\xe8', OP_CLOSE))
            self.transport.close()

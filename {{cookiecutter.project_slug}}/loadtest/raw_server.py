"""A near-free fan-out server for ``--calibrate``: what the generator can take.

Raw asyncio, no framework: the handshake by hand, each message parsed and
stamped like the app does, and the frames of one event-loop turn joined into a
single write per client. The server costs so little that, at ``--rate max``,
the generator's own receiving is what limits the deliveries per second.
"""

import asyncio
import json
import time

from .server import serve_command
from .wsclient import OP_CLOSE, OP_TEXT, accept_key, frame_bounds, xor_mask


def server_frame(payload):
    """an unmasked server-to-client text frame"""
    size = len(payload)
    if size < 126:
        return bytes((0x80 | OP_TEXT, size)) + payload
    if size < 1 << 16:
        return bytes((0x80 | OP_TEXT, 126)) + size.to_bytes(2, 'big') + payload
    return bytes((0x80 | OP_TEXT, 127)) + size.to_bytes(8, 'big') + payload


class Room:
    """every connected peer; frames of one loop turn go out in one write"""

    def __init__(self):
        self.peers = set()
        self.pending = []

    def publish(self, frame):
        """queue frame for everyone; the first one of a turn schedules a flush"""
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(frame)

    def flush(self):
        """one write per peer of everything queued this turn"""
        blob = b''.join(self.pending)
        self.pending.clear()
        for transport in self.peers:
            transport.write(blob)


class Peer(asyncio.Protocol):
    """one client: handshake, then masked frames in, messages to the room"""

    def __init__(self, room):
        self.room = room
        self.transport = None
        self.buffer = b''
        self.open = False

    def connection_made(self, transport):
        self.transport = transport

    def connection_lost(self, exc):
        self.room.peers.discard(self.transport)

    def data_received(self, data):
        data = self.buffer + data
        self.buffer = b''
        if not self.open:
            head, sep, data = data.partition(b'\r\n\r\n')
            if not sep:
                self.buffer = head
                return
            self.accept(head)
        self.frames(data)

    def accept(self, head):
        """answer the upgrade request and join the room"""
        headers = dict(
            line.split(b':', 1) for line in head.split(b'\r\n')[1:] if b':' in line
        )
        key = {name.strip().lower(): value.strip() for name, value in headers.items()}
        accept = accept_key(key[b'sec-websocket-key'].decode('ascii'))
        self.transport.write(
            b'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
            b'Connection: Upgrade\r\nSec-WebSocket-Accept: '
            + accept.encode('ascii')
            + b'\r\n\r\n'
        )
        self.open = True
        self.room.peers.add(self.transport)

    def frames(self, data):
        """handle every complete (masked) frame; keep a partial one"""
        pos = 0
        size = len(data)
        while bounds := frame_bounds(data, pos, size):
            key, length = bounds
            end = key + 4 + length
            if end > size:
                break
            self.handle(
                data[pos] & 0x0F, xor_mask(data[key : key + 4], data[key + 4 : end])
            )
            pos = end
        self.buffer = data[pos:]

    def handle(self, opcode, payload):
        """a text frame is a chat message; a close closes"""
        if opcode == OP_CLOSE:
            self.transport.close()
        elif opcode == OP_TEXT:
            data = json.loads(payload)
            message = {'type': 'message', 'name': data['name'], 'text': data['text']}
            message['ts'] = time.time()
            text = json.dumps(message, ensure_ascii=False, separators=(',', ':'))
            self.room.publish(server_frame(text.encode('utf-8')))


async def listen(port, address):
    """start the calibration server on address:port; a function that stops it"""
    room = Room()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Peer(room), address, port, backlog=1024)
    return server.close


def main(argv=None):
    """``python -m loadtest.raw_server --port=N --address=127.0.0.1``"""
    serve_command(listen, __doc__.splitlines()[0], argv)


if __name__ == '__main__':
    main()

"""A near-free fan-out server for ``--calibrate``: what the generator can take.

Raw asyncio, no framework: the handshake by hand, the chat's JSON-RPC 2.0 in
its least form (``join`` answers the members and no history; ``send`` answers
the sender, then notifies the room; rooms kept apart; no presence), each
message parsed and stamped like the app does, and the notifications of one
event-loop turn joined into a single write per client of the room. The server
costs so little that, at ``--rate max``, the generator's own receiving is what
limits the deliveries per second.
"""

import asyncio
import bisect
import itertools
import json
import time
from collections.abc import Callable
from operator import itemgetter
from typing import Any, Final, TypeAlias, cast

from .server import serve_command
from .wsclient import OP_CLOSE, OP_TEXT, accept_key, frame_bounds, xor_mask

NOT_JOINED = -32003
NO_METHOD = -32601

# a peer's name, and that as JSON
Member: TypeAlias = tuple[str, bytes]
NO_MEMBER: Final[Member] = ('', b'')  # a peer's, until its first join


def server_frame(payload: bytes) -> bytes:
    """an unmasked server-to-client text frame"""
    size = len(payload)
    if size < 126:
        return bytes((0x80 | OP_TEXT, size)) + payload
    if size < 1 << 16:
        return bytes((0x80 | OP_TEXT, 126)) + size.to_bytes(2, 'big') + payload
    return bytes((0x80 | OP_TEXT, 127)) + size.to_bytes(8, 'big') + payload


def encode(value: object) -> bytes:
    """value as the server writes JSON: compact, UTF-8"""
    return json.dumps(value, ensure_ascii=False, separators=(',', ':')).encode()


class Room:
    """the peers in one room; notifications of one loop turn go out in one write"""

    def __init__(self, name: str) -> None:
        self.name = name
        self.peers: set[asyncio.Transport] = set()
        # (name, its JSON) of each peer, sorted: the members
        self.names: list[Member] = []
        self.pending: list[bytes] = []

    def add(self, peer: 'Peer') -> None:
        """peer joins"""
        self.peers.add(peer.transport)
        bisect.insort(self.names, peer.member)

    def remove(self, peer: 'Peer') -> None:
        """peer leaves"""
        self.peers.discard(peer.transport)
        self.names.remove(peer.member)

    def members(self) -> bytes:
        """the distinct names of the peers, sorted, as JSON"""
        return b'[' + b','.join(dict.fromkeys(map(itemgetter(1), self.names))) + b']'

    def publish(self, frame: bytes) -> None:
        """queue frame for everyone; the first one of a turn schedules a flush"""
        if not self.pending:
            asyncio.get_running_loop().call_soon(self.flush)
        self.pending.append(frame)

    def flush(self) -> None:
        """one write per peer of everything queued this turn"""
        blob = b''.join(self.pending)
        self.pending.clear()
        for transport in self.peers:
            transport.write(blob)


class Hub:
    """the rooms, by name, and the ids of the messages"""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}
        self.ids = itertools.count(1)

    def room(self, name: str) -> Room:
        """the room of that name (made when first asked for)"""
        if name not in self.rooms:
            self.rooms[name] = Room(name)
        return self.rooms[name]


class Peer(asyncio.Protocol):
    """one client: handshake, then masked JSON-RPC requests in"""

    # set by connection_made(), which asyncio calls first
    transport: asyncio.Transport

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.buffer = b''
        self.open = False
        # its name, and that as JSON: set by its first join
        self.member = NO_MEMBER
        self.rooms: dict[str, Room] = {}  # the rooms it joined, by name

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # create_server() makes socket transports: ones that write
        self.transport = cast(asyncio.Transport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        for room in self.rooms.values():
            room.remove(self)

    def data_received(self, data: bytes) -> None:
        data = self.buffer + data
        self.buffer = b''
        if not self.open:
            head, sep, data = data.partition(b'\r\n\r\n')
            if not sep:
                self.buffer = head
                return
            self.accept(head)
        self.frames(data)

    def accept(self, head: bytes) -> None:
        """answer the upgrade request"""
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

    def frames(self, data: bytes) -> None:
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

    def handle(self, opcode: int, payload: bytes) -> None:
        """a text frame is a request; a close closes"""
        if opcode == OP_CLOSE:
            self.transport.close()
        elif opcode == OP_TEXT:
            request = json.loads(payload)
            method = request.get('method')
            params = request.get('params', {})
            answer = b'{"jsonrpc":"2.0","id":' + encode(request.get('id'))
            if method == 'join':
                self.join(answer, params)
            elif method == 'send':
                self.send(answer, params)
            else:
                self.error(answer, NO_METHOD, f'no method {json.dumps(method)}')

    def join(self, answer: bytes, params: dict[str, Any]) -> None:
        """join the room (once): its members, no history"""
        if self.member is NO_MEMBER:
            name = params.get('name', 'guest')
            self.member = (name, encode(name))
        room = self.hub.room(params['room'])
        if room.name not in self.rooms:
            self.rooms[room.name] = room
            room.add(self)
        self.transport.write(
            server_frame(
                answer
                + b',"result":{"room":'
                + encode(room.name)
                + b',"messages":[],"members":'
                + room.members()
                + b',"truncated":false}}'
            )
        )

    def send(self, answer: bytes, params: dict[str, Any]) -> None:
        """stamp the message, answer the sender, then notify the room"""
        room = self.rooms.get(params['room'])
        if room is None:
            self.error(answer, NOT_JOINED, f'join the room "{params["room"]}" first')
            return
        message = {
            'id': next(self.hub.ids),
            'room': room.name,
            'name': self.member[0],
            'text': params['text'],
            'ts': time.time(),
        }
        result = {key: message[key] for key in ('id', 'room', 'ts')}
        self.transport.write(
            server_frame(answer + b',"result":' + encode(result) + b'}')
        )
        notification = {'jsonrpc': '2.0', 'method': 'message', 'params': message}
        room.publish(server_frame(encode(notification)))

    def error(self, answer: bytes, code: int, message: str) -> None:
        """answer with an error"""
        error = {'code': code, 'message': message}
        self.transport.write(server_frame(answer + b',"error":' + encode(error) + b'}'))


async def listen(port: int, address: str) -> Callable[[], None]:
    """start the calibration server on address:port; a function that stops it"""
    hub = Hub()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Peer(hub), address, port, backlog=1024)
    return server.close


def main(argv: list[str] | None = None) -> None:
    """``python -m loadtest.raw_server --port=N --address=127.0.0.1``"""
    serve_command(listen, __doc__.splitlines()[0], argv)


if __name__ == '__main__':
    main()

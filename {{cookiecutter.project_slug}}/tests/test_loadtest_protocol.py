"""The load test's websocket code: the lean client and the calibration server.

Both are asyncio protocols; here they talk to a fake transport that keeps what
they write, so that every way a frame can arrive (whole, cut in two, long,
control, each kind of JSON-RPC frame) is fed to them on purpose.
"""

import asyncio
import itertools
import json

import pytest

from loadtest import raw_server
from loadtest.wsclient import (
    CONTROL,
    ERROR,
    KINDS,
    MESSAGE,
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    PRESENCE,
    READ_SIZE,
    RESULT,
    STAMP,
    Client,
    Tally,
    Target,
    accept_key,
    frame,
    frame_bounds,
    handshake,
    room_name,
    xor_mask,
)

TARGET = Target('127.0.0.1', 9000)


class FakeTransport:
    """keeps every write; closes when told"""

    def __init__(self):
        self.writes = []
        self.closed = False

    def write(self, data):
        """keep data"""
        self.writes.append(bytes(data))

    def close(self):
        """remember the close"""
        self.closed = True

    def is_closing(self):
        """closed, or closing"""
        return self.closed

    def written(self):
        """everything written, as one bytes"""
        return b''.join(self.writes)


def unmask(data):
    """(opcode, payload) of the one masked client frame that data holds"""
    key, length = frame_bounds(data, 0, len(data))
    assert key + 4 + length == len(data)
    return data[0] & 0x0F, xor_mask(data[key : key + 4], data[key + 4 :])


def server_control(opcode, payload=b''):
    """an unmasked control frame, as a server sends it"""
    return bytes((0x80 | opcode, len(payload))) + payload


def encoded(value):
    """value as the server encodes it: compact, its keys in order"""
    return json.dumps(value, separators=(',', ':')).encode()


def notification(method, params):
    """the unmasked frame of a server notification"""
    document = {'jsonrpc': '2.0', 'method': method, 'params': params}
    return raw_server.server_frame(encoded(document))


def message(text, room='general'):
    """the unmasked frame of one chat message notification"""
    params = {'id': 7, 'room': room, 'name': 'ann', 'text': text, 'ts': 1.5}
    return notification('message', params)


def result(request, value=None):
    """the unmasked frame of a result"""
    value = {} if value is None else value
    return raw_server.server_frame(
        encoded({'jsonrpc': '2.0', 'id': request, 'result': value})
    )


def error(request, text='no', code=-32602):
    """the unmasked frame of an error"""
    value = {'code': code, 'message': text}
    return raw_server.server_frame(
        encoded({'jsonrpc': '2.0', 'id': request, 'error': value})
    )


def frames_in(blob):
    """the payloads of the unmasked frames blob holds, decoded from JSON"""
    found = []
    while blob:
        start, length = frame_bounds(blob, 0, len(blob))
        found.append(json.loads(blob[start : start + length]))
        blob = blob[start + length :]
    return found


@pytest.mark.parametrize('size, header_size', [(0, 2), (125, 2), (126, 4), (70000, 10)])
def test_client_frames_are_masked_and_carry_their_length(size, header_size):
    """7-, 16- and 64-bit lengths; a fresh mask that undoes to the payload"""
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    data = frame(payload)
    assert data[0] == 0x80 | OP_TEXT
    assert data[1] & 0x80
    assert len(data) == header_size + 4 + size
    assert unmask(data) == (OP_TEXT, payload)


@pytest.mark.parametrize('size, header', [(5, 2), (300, 4), (70000, 10)])
def test_server_frames_are_plain_and_carry_their_length(size, header):
    """the calibration server's frames: unmasked, 7-, 16- or 64-bit lengths"""
    data = raw_server.server_frame(b'x' * size)
    assert data[0] == 0x80 | OP_TEXT
    assert frame_bounds(data, 0, len(data)) == (header, size)
    assert data[header:] == b'x' * size


def test_frame_bounds_wait_for_a_whole_header():
    """None until the length (and its extension) is all there"""
    data = raw_server.server_frame(b'y' * 300)
    assert frame_bounds(data, 0, 1) is None
    assert frame_bounds(data, 0, 3) is None
    assert frame_bounds(data, 0, 4) == (4, 300)


def test_the_handshake_is_an_upgrade_request():
    """Host (IPv6 in brackets), the key, and the Cookie only when given"""
    request = handshake(TARGET, 'a2V5').decode()
    assert request.startswith('GET /ws HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n')
    assert 'Sec-WebSocket-Key: a2V5\r\n' in request
    assert 'Cookie' not in request
    assert request.endswith('\r\n\r\n')
    with_login = handshake(Target('::1', 9000, cookie='user=ann'), 'a2V5').decode()
    assert 'Host: [::1]:9000\r\n' in with_login
    assert 'Cookie: user=ann\r\n' in with_login


def test_the_accept_key_is_the_rfc_one():
    """the example of RFC 6455, section 1.3"""
    assert accept_key('dGhlIHNhbXBsZSBub25jZQ==') == 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='


def stamp(worker, sent_ns):
    """the stamp match of a message sent by worker at sent_ns"""
    return STAMP.search(f'"text":"L{worker}.{sent_ns}.xx"'.encode())


def test_a_tally_keeps_the_latencies_of_messages_sent_in_the_window(monkeypatch):
    """sent inside the window: recorded; before or after it: not"""
    monkeypatch.setattr('loadtest.wsclient.monotonic_ns', lambda: 5_000)
    tally = Tally(b'3')
    tally.window = (1_000, 4_000)
    for sent in (2_000, 4_000, 500):
        tally.stamp(stamp(3, sent))
    assert tally.latencies == [3_000]


def test_a_tally_counts_each_answer_to_a_message_sent_once(monkeypatch):
    """an answer to a pending message: an ack with its latency; an error is
    also counted against its room; an answer to nothing pending: nothing"""
    monkeypatch.setattr('loadtest.wsclient.monotonic_ns', lambda: 5_000)
    tally = Tally(b'3', rooms=2)
    tally.pending.update({1: 1_000, 2: 2_000, 3: 3_000})
    tally.answered(1, room=0, error=False)
    heard = []
    tally.on_ack = heard.append
    tally.answered(2, room=1, error=True)
    tally.answered(2, room=1, error=True)
    tally.answered(99, room=0, error=False)
    assert (tally.acks, tally.refused, tally.pending) == (2, [0, 1], {3: 3_000})
    assert heard == [3e-06]
    assert tally.tag.startswith(b'lt3-')
    assert Tally(b'3').tag != tally.tag


def feed(client, data):
    """hand data to client as the event loop does: into its buffer, then told"""
    buffer = client.get_buffer(-1)
    buffer[: len(data)] = data
    client.buffer_updated(len(data))


def answer_of(client, status=b'101 Switching Protocols'):
    """the server's answer to client's handshake"""
    return (
        b'HTTP/1.1 ' + status + b'\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
        b'Sec-WebSocket-Accept: ' + accept_key(client.key).encode() + b'\r\n\r\n'
    )


def sent_by(client):
    """the JSON requests client wrote after its handshake"""
    return [json.loads(unmask(data)[1]) for data in client.transport.writes[1:]]


def upgraded_client(probe=False, tally=None, room=0):
    """a client past its handshake (its join sent), on a fake transport"""
    client = Client(tally or Tally(b'1'), TARGET, room, 'lt1-0', probe)
    client.connection_made(FakeTransport())
    feed(client, answer_of(client))
    return client


def opened_client(probe=False, tally=None, room=0):
    """a client in its room, on a fake transport"""
    client = upgraded_client(probe, tally, room)
    feed(client, result(client.join_id, {'room': 'general', 'members': ['lt1-0']}))
    assert client.opened.result()
    return client


async def test_a_client_joins_its_room_once_the_whole_answer_is_in():
    """the handshake on connect; the join once the answer is whole (cut in
    two); connected once the join is answered, whatever came before"""
    client = Client(Tally(b'4'), TARGET, room=2, name='lt4-7')
    transport = FakeTransport()
    client.connection_made(transport)
    assert transport.written() == handshake(TARGET, client.key)
    answer = answer_of(client) + notification('presence', {'room': 'room-2'})
    feed(client, answer[:20])
    assert not transport.writes[1:]
    feed(client, answer[20:])
    assert sent_by(client) == [
        {
            'jsonrpc': '2.0',
            'id': client.join_id,
            'method': 'join',
            'params': {'room': 'room-2', 'name': 'lt4-7'},
        }
    ]
    assert client.tally.counts[PRESENCE] == 1
    assert not client.opened.done()
    feed(client, result(client.join_id + 1) + message('not yet'))
    assert not client.opened.done()
    feed(client, result(client.join_id, {'room': 'room-2', 'members': ['lt4-7']}))
    assert client.opened.result()
    assert client.tally.counts[RESULT] == 2
    assert client.tally.counts[MESSAGE] == 1


def test_the_rooms_are_general_then_numbered():
    """room 0 is general, then room-1, room-2, ..."""
    assert [room_name(number) for number in range(3)] == [
        'general',
        'room-1',
        'room-2',
    ]


@pytest.mark.parametrize(
    'status, accept', [(b'403 Forbidden', True), (b'101 Switching Protocols', False)]
)
async def test_a_client_refused_fails_to_open_and_hangs_up(status, accept):
    """another status, or a wrong accept key: the opening fails"""
    client = Client(Tally(), TARGET)
    client.connection_made(FakeTransport())
    answer = answer_of(client, status)
    if not accept:
        answer = answer.replace(accept_key(client.key).encode(), b'wrong')
    feed(client, answer)
    with pytest.raises(ConnectionError, match=status.decode()):
        client.opened.result()
    assert client.transport.closed
    assert not client.transport.writes[1:]


@pytest.mark.parametrize(
    'answer, reason',
    [
        (
            error(1, 'name must be 1 to 40 characters'),
            'join refused: name must be 1 to 40 characters',
        ),
        (
            raw_server.server_frame(b'{"jsonrpc":"2.0","id":1,"error":"bad"}'),
            'join refused: {"jsonrpc":"2.0","id":1,"error":"bad"}',
        ),
    ],
)
async def test_a_join_refused_fails_the_connection_with_the_servers_reason(
    answer, reason
):
    """an error to the join: the opening fails with the server's message (or,
    when the error has none, the frame)"""
    client = upgraded_client()
    assert client.join_id == 1
    feed(client, answer)
    with pytest.raises(ConnectionError) as refused:
        client.opened.result()
    assert str(refused.value) == reason
    assert client.tally.counts[ERROR] == 1


async def test_a_connection_lost_before_joining_fails_the_opening():
    """the reason given, or where it stopped; after opening, only counted"""
    client = Client(Tally(), TARGET)
    client.connection_lost(None)
    with pytest.raises(ConnectionError, match='closed in handshake'):
        client.opened.result()
    refused = Client(Tally(), TARGET)
    refused.connection_lost(ConnectionResetError('reset'))
    with pytest.raises(ConnectionResetError):
        refused.opened.result()
    unanswered = upgraded_client()
    unanswered.connection_lost(None)
    with pytest.raises(ConnectionError, match='closed before its join was answered'):
        unanswered.opened.result()
    opened = opened_client()
    opened.connection_lost(None)
    assert opened.tally.closed == 1


async def test_a_client_counts_frames_by_their_first_bytes():
    """notifications by method, answers by the key after the id; anything
    else (another method, no key, not JSON-RPC, binary) is other; control
    frames apart"""
    client = opened_client()
    frames = [
        message('hello'),
        message('hello again', room='room-1'),
        notification('presence', {'room': 'general', 'members': [], 'joined': 'x'}),
        notification('typing', {'room': 'general', 'name': 'ann'}),
        notification('status', {'status': 'reconnecting', 'detail': 'redis'}),
        result(41, {'id': 9, 'room': 'general', 'ts': 2.5}),
        result('text-id'),
        error(42, 'too many messages: at most 10 a second', -32000),
        error(None, 'the message is not JSON', -32700),
        notification('messages', {}),  # a longer name is another method
        notification('mention', {}),
        raw_server.server_frame(b'{"jsonrpc":"2.0","method":"'),
        raw_server.server_frame(b'{"jsonrpc":"2.0","id":5}'),
        raw_server.server_frame(b'{"jsonrpc":"2.0","id":5,"reply":{}}'),
        raw_server.server_frame(b'[{"jsonrpc":"2.0","id":5,"result":{}}]'),
        bytes((0x82, 1)) + b'\x00',
        server_control(OP_PONG),
    ]
    feed(client, b''.join(frames))
    counts = dict(zip(KINDS, client.tally.counts, strict=True))
    assert counts == {
        'message': 2,
        'result': 1 + 2,  # the join's, then two
        'error': 2,
        'presence': 1,
        'typing': 1,
        'status': 1,
        'other': 7,
        'control': 1,
    }
    assert not client.transport.writes[2:]


async def test_a_client_answers_a_ping_and_a_close():
    """a pong with the ping's payload; the close echoed, then the hang-up"""
    client = opened_client()
    feed(client, server_control(OP_PING, b'are you there'))
    assert unmask(client.transport.writes[-1]) == (OP_PONG, b'are you there')
    feed(client, server_control(OP_CLOSE, b'\x03\xe9going away'))
    assert unmask(client.transport.writes[-1]) == (OP_CLOSE, b'\x03\xe9')
    assert client.transport.closed
    assert client.tally.counts[CONTROL] == 2


async def test_a_client_keeps_a_frame_cut_anywhere_until_it_is_whole():
    """cut in its header, its length, its payload: counted once, when whole"""
    client = opened_client()
    short = message('a' * 200)
    long = message('b' * 70000)
    first = len(short)
    second = first + len(long)
    data = short + long + message('c')
    # in the first header, its length, its payload; in the second's 64-bit length
    cuts = [0, 1, 3, 100, first + 5, first + 1000, second + 1, len(data)]
    counted = []
    for start, end in itertools.pairwise(cuts):
        feed(client, data[start:end])
        counted.append(client.tally.counts[MESSAGE])
    assert counted == [0, 0, 0, 1, 1, 2, 3]
    assert not client.buffer


async def test_the_shared_read_buffer_grows_for_a_long_partial_frame(monkeypatch):
    """a partial frame over half the buffer: a bigger buffer, the frame intact"""
    monkeypatch.setattr(Client, 'shared', bytearray(READ_SIZE))
    client = opened_client()
    data = message('z' * (READ_SIZE * 3 // 4))
    cut = READ_SIZE * 2 // 3
    feed(client, data[:cut])
    assert client.tally.counts[MESSAGE] == 0
    feed(client, data[cut:])
    assert len(Client.shared) > READ_SIZE
    assert client.tally.counts[MESSAGE] == 1


async def test_probes_record_the_latency_of_stamped_messages(monkeypatch):
    """a probe reads the stamp of every message; a client that is not, none"""
    monkeypatch.setattr('loadtest.wsclient.monotonic_ns', lambda: 9_000)
    probe = opened_client(probe=True)
    listener = opened_client()
    probe.tally.window = listener.tally.window = (0, 10_000)
    data = message('L2.1000.xxxx') + message('not stamped') + message('L5.2000.x')
    for client in (probe, listener):
        feed(client, data)
    assert probe.tally.latencies == [8_000, 7_000]
    assert not listener.tally.latencies
    assert listener.tally.counts[MESSAGE] == 3


async def test_a_client_sends_json_rpc_requests_to_its_room_and_closes_once():
    """a masked send with its own id and client_id, waiting for its answer;
    then a 1000 close, and nothing after it"""
    client = opened_client(room=3)
    first = client.send('L1.5.xx')
    second = client.send('L1.6.xx')
    tag = client.tally.tag.decode()
    assert sent_by(client)[1:] == [
        {
            'jsonrpc': '2.0',
            'id': request,
            'method': 'send',
            'params': {
                'room': 'room-3',
                'text': text,
                'client_id': f'{tag}-{request}',
                'name': 'lt1-0',
            },
        }
        for request, text in ((first, 'L1.5.xx'), (second, 'L1.6.xx'))
    ]
    assert (first, second) == (client.join_id + 1, client.join_id + 2)
    assert set(client.tally.pending) == {first, second}
    client.close()
    assert unmask(client.transport.writes[-1]) == (OP_CLOSE, b'\x03\xe8')
    writes = len(client.transport.writes)
    client.close()
    assert len(client.transport.writes) == writes
    Client(Tally(), TARGET).close()


async def test_the_answers_to_a_clients_messages_are_its_acks():
    """a result or an error to a message sent: acknowledged (the error also
    refused in the client's room); in either order with the message itself"""
    tally = Tally(b'1', rooms=2)
    acks = []
    tally.on_ack = acks.append
    client = opened_client(tally=tally, room=1)
    first = client.send('L1.5.xx')
    second = client.send('L1.6.xx')
    feed(client, message('L1.5.xx', 'room-1') + result(first))
    feed(client, error(second, 'the text is longer than 2000 characters', -32001))
    assert tally.acks == 2
    assert len(acks) == 2
    assert tally.refused == [0, 1]
    assert not tally.pending
    feed(client, result(first))  # answered already: not again
    assert tally.acks == 2


def joined_peer(hub, room='general', name='ann'):
    """a calibration-server peer past its handshake and in room, on a fake
    transport; what it was written is cleared"""
    peer = raw_server.Peer(hub)
    peer.connection_made(FakeTransport())
    peer.data_received(handshake(TARGET, 'a2V5a2V5a2V5a2V5a2V5aw=='))
    request = {'jsonrpc': '2.0', 'id': 1, 'method': 'join', 'params': {'room': room}}
    if name:
        request['params']['name'] = name
    peer.data_received(frame(encoded(request)))
    peer.transport.writes.clear()
    return peer


def request_of(method, request=2, **params):
    """a masked JSON-RPC request frame"""
    document = {'jsonrpc': '2.0', 'id': request, 'method': method, 'params': params}
    return frame(encoded(document))


async def test_the_calibration_server_answers_a_handshake_cut_in_two_and_a_join():
    """101 with the right accept key, once the request is whole; a join
    answers the members (distinct names, sorted) and no history; joining again
    answers the same; a peer that leaves leaves its rooms"""
    hub = raw_server.Hub()
    first = joined_peer(hub, name='zoe')
    second = joined_peer(hub, name='ann')
    peer = raw_server.Peer(hub)
    peer.connection_made(FakeTransport())
    request = handshake(TARGET, 'a2V5a2V5a2V5a2V5a2V5aw==')
    peer.data_received(request[:30])
    assert not peer.transport.writes
    peer.data_received(request[30:])
    answer = peer.transport.written()
    assert answer.startswith(b'HTTP/1.1 101 Switching Protocols\r\n')
    assert accept_key('a2V5a2V5a2V5a2V5a2V5aw==').encode() in answer
    peer.transport.writes.clear()
    for _ in range(2):
        peer.data_received(request_of('join', 'j', room='general', name='ann'))
    expected = {
        'jsonrpc': '2.0',
        'id': 'j',
        'result': {
            'room': 'general',
            'messages': [],
            'members': ['ann', 'zoe'],
            'truncated': False,
        },
    }
    assert frames_in(peer.transport.written()) == [expected, expected]
    general = hub.room('general')
    assert general.peers == {first.transport, second.transport, peer.transport}
    for each in (first, second, peer):
        each.connection_lost(None)
    assert not general.peers
    assert not general.names


async def test_the_calibration_server_answers_then_sends_a_turns_messages_in_one_write():
    """the sender's results at once, in order; then every peer of the room gets
    every message of a loop turn, stamped, in one write; other rooms nothing"""
    hub = raw_server.Hub()
    sender = joined_peer(hub)
    other = joined_peer(hub, name='bob')
    elsewhere = joined_peer(hub, room='room-1', name='cy')
    first = request_of('send', 2, room='general', text='one', client_id='a')
    second = request_of('send', 3, room='general', text='two', client_id='b')
    sender.data_received(first + second[:5])
    sender.data_received(second[5:] + frame(b'pinged', OP_PING) + second[:1])
    results = frames_in(sender.transport.written())
    assert [each['id'] for each in results] == [2, 3]
    assert [list(each['result']) for each in results] == [['id', 'room', 'ts']] * 2
    await asyncio.sleep(0)
    for peer in (sender, other):
        [*_, notified] = peer.transport.writes
        messages = frames_in(notified)
        assert [each['method'] for each in messages] == ['message'] * 2
        params = [each['params'] for each in messages]
        assert [each['text'] for each in params] == ['one', 'two']
        assert [each['id'] for each in params] == [
            each['result']['id'] for each in results
        ]
        assert {each['name'] for each in params} == {'ann'}
        assert isinstance(params[0]['ts'], float)
    assert not elsewhere.transport.writes
    assert sender.buffer == second[:1]


async def test_the_calibration_server_refuses_what_it_does_not_know():
    """a send to a room not joined, an unknown method: errors; a guest's
    name when the join has none"""
    hub = raw_server.Hub()
    peer = joined_peer(hub, name=None)
    peer.data_received(request_of('send', 5, room='games', text='x', client_id='a'))
    peer.data_received(request_of('leave', 6, room='general'))
    assert frames_in(peer.transport.written()) == [
        {
            'jsonrpc': '2.0',
            'id': 5,
            'error': {'code': -32003, 'message': 'join the room "games" first'},
        },
        {
            'jsonrpc': '2.0',
            'id': 6,
            'error': {'code': -32601, 'message': 'no method "leave"'},
        },
    ]
    assert hub.room('general').members() == b'["guest"]'


async def test_the_calibration_server_closes_on_a_close_frame():
    """a client's close frame: the connection closes"""
    peer = joined_peer(raw_server.Hub())
    peer.data_received(frame(b'\x03\xe8', OP_CLOSE))
    assert peer.transport.closed

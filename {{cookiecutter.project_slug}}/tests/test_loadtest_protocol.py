"""The load test's websocket code: the lean client and the calibration server.

Both are asyncio protocols; here they talk to a fake transport that keeps what
they write, so that every way a frame can arrive (whole, cut in two, long,
control) is fed to them on purpose.
"""

import asyncio
import itertools
import json

import pytest

from loadtest import raw_server
from loadtest.wsclient import (
    CONTROL,
    ERROR,
    HISTORY,
    MESSAGE,
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    OTHER,
    READ_SIZE,
    STAMP,
    STATUS,
    Client,
    Tally,
    Target,
    accept_key,
    frame,
    frame_bounds,
    handshake,
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


def message(text, kind='message'):
    """the unmasked frame of one server message of kind"""
    payload = {'type': kind, 'name': 'ann', 'text': text}
    return raw_server.server_frame(json.dumps(payload, separators=(',', ':')).encode())


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


def test_a_tally_keeps_latencies_of_the_window_and_counts_own_acks(monkeypatch):
    """latency of messages sent in the window; acks of this worker's own only"""
    monkeypatch.setattr('loadtest.wsclient.monotonic_ns', lambda: 5_000)
    tally = Tally(b'3')
    tally.window = (1_000, 4_000)
    tally.stamp(stamp(3, 2_000), ack=False)
    tally.stamp(stamp(3, 4_000), ack=True)
    assert tally.latencies == [3_000]
    assert tally.acks == 1
    heard = []
    tally.on_ack = heard.append
    tally.stamp(stamp(3, 500), ack=True)
    tally.stamp(stamp(4, 2_000), ack=True)
    assert heard == [4.5e-06]
    assert tally.acks == 2
    assert tally.latencies == [3_000, 3_000]


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


def opened_client(probe=None, worker=b'1'):
    """a client past its handshake, on a fake transport"""
    client = Client(Tally(worker), TARGET, probe)
    client.connection_made(FakeTransport())
    feed(client, answer_of(client))
    assert client.opened.result()
    return client


async def test_a_client_opens_once_the_whole_answer_is_in():
    """the handshake goes out on connect; an answer cut in two is waited for"""
    client = Client(Tally(), TARGET)
    transport = FakeTransport()
    client.connection_made(transport)
    assert transport.written() == handshake(TARGET, client.key)
    answer = answer_of(client) + message('first')
    feed(client, answer[:20])
    assert not client.opened.done()
    feed(client, answer[20:])
    assert client.opened.result()
    assert client.tally.counts[MESSAGE] == 1


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


async def test_a_connection_lost_in_the_handshake_fails_the_opening():
    """the reason given, or 'closed in handshake'; after opening, only counted"""
    client = Client(Tally(), TARGET)
    client.connection_lost(None)
    with pytest.raises(ConnectionError, match='closed in handshake'):
        client.opened.result()
    refused = Client(Tally(), TARGET)
    refused.connection_lost(ConnectionResetError('reset'))
    with pytest.raises(ConnectionResetError):
        refused.opened.result()
    opened = opened_client()
    opened.connection_lost(None)
    assert opened.tally.closed == 1


async def test_a_client_counts_frames_by_type():
    """message, error, status, history, anything else; control frames apart"""
    client = opened_client()
    frames = [
        message('hello'),
        message('hello again'),
        message('no', kind='error'),
        message('', kind='status'),
        message('', kind='history'),
        message('', kind='other'),
        raw_server.server_frame(b'[1, 2]'),
        bytes((0x82, 1)) + b'\x00',
        server_control(OP_PONG),
    ]
    feed(client, b''.join(frames))
    counts = client.tally.counts
    assert counts[MESSAGE] == 2
    assert (counts[ERROR], counts[STATUS], counts[HISTORY]) == (1, 1, 1)
    assert (counts[OTHER], counts[CONTROL]) == (3, 1)
    assert not client.transport.writes[1:]


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
    """a probe reads the stamp; an ack probe also counts its worker's own"""
    monkeypatch.setattr('loadtest.wsclient.monotonic_ns', lambda: 9_000)
    probe = opened_client(probe='probe', worker=b'2')
    ack = opened_client(probe='ack', worker=b'2')
    listener = opened_client()
    for client in (probe, ack):
        client.tally.window = (0, 10_000)
    data = message('L2.1000.xxxx') + message('not stamped')
    for client in (probe, ack, listener):
        feed(client, data)
    assert probe.tally.latencies == [8_000]
    assert (probe.tally.acks, ack.tally.acks) == (0, 1)
    assert not listener.tally.latencies
    assert listener.tally.counts[MESSAGE] == 2


async def test_a_client_sends_masked_chat_messages_and_closes_once():
    """a JSON text frame; then a 1000 close, and nothing after it"""
    client = opened_client()
    client.send('lt1-0', 'L1.5.xx')
    opcode, payload = unmask(client.transport.writes[-1])
    assert opcode == OP_TEXT
    assert json.loads(payload) == {'name': 'lt1-0', 'text': 'L1.5.xx'}
    client.close()
    assert unmask(client.transport.writes[-1]) == (OP_CLOSE, b'\x03\xe8')
    writes = len(client.transport.writes)
    client.close()
    assert len(client.transport.writes) == writes
    Client(Tally(), TARGET).close()


def joined_peer(room):
    """a calibration-server peer past its handshake, on a fake transport"""
    peer = raw_server.Peer(room)
    peer.connection_made(FakeTransport())
    peer.data_received(handshake(TARGET, 'a2V5a2V5a2V5a2V5a2V5aw=='))
    return peer


async def test_the_calibration_server_answers_a_handshake_cut_in_two():
    """101 with the right accept key, once the request is whole; then it joins"""
    room = raw_server.Room()
    peer = raw_server.Peer(room)
    peer.connection_made(FakeTransport())
    request = handshake(TARGET, 'a2V5a2V5a2V5a2V5a2V5aw==')
    peer.data_received(request[:30])
    assert not peer.transport.writes
    peer.data_received(request[30:])
    answer = peer.transport.written()
    assert answer.startswith(b'HTTP/1.1 101 Switching Protocols\r\n')
    assert accept_key('a2V5a2V5a2V5a2V5a2V5aw==').encode() in answer
    assert room.peers == {peer.transport}
    peer.connection_lost(None)
    assert not room.peers


async def test_the_calibration_server_sends_a_turns_messages_in_one_write():
    """every peer gets every message of a loop turn, stamped, in one write"""
    room = raw_server.Room()
    sender = joined_peer(room)
    other = joined_peer(room)
    first = frame(b'{"name":"ann","text":"one"}')
    second = frame(b'{"name":"ann","text":"two"}')
    sender.data_received(first + second[:5])
    sender.data_received(second[5:] + frame(b'pinged', OP_PING) + second[:1])
    await asyncio.sleep(0)
    for peer in (sender, other):
        blob = peer.transport.writes[-1]
        texts = []
        while blob:
            start, length = frame_bounds(blob, 0, len(blob))
            texts.append(json.loads(blob[start : start + length]))
            blob = blob[start + length :]
        assert [text['text'] for text in texts] == ['one', 'two']
        assert texts[0]['type'] == 'message'
        assert isinstance(texts[0]['ts'], float)
    assert sender.buffer == second[:1]


async def test_the_calibration_server_closes_on_a_close_frame():
    """a client's close frame: the connection closes"""
    peer = joined_peer(raw_server.Room())
    peer.data_received(frame(b'\x03\xe8', OP_CLOSE))
    assert peer.transport.closed

"""Fan-out under pressure: coalesced frames, floods, slow readers and dead peers."""

import socket
import struct

import pytest

from {{ cookiecutter.package_name }}.flood import TokenBucket
from {{ cookiecutter.package_name }}.hub import websocket_frame
from {{ cookiecutter.package_name }}.protocol import chat_message

from .fixtures import next_frame
from .waiting import wait_for


@pytest.mark.parametrize(
    'size, header',
    [
        (0, b'\x81\x00'),
        (125, b'\x81\x7d'),
        (126, b'\x81\x7e\x00\x7e'),
        (65535, b'\x81\x7e\xff\xff'),
        (65536, b'\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00'),
    ],
)
def test_frames_carry_the_length_the_standard_way(size, header):
    """7-bit, 16-bit and 64-bit payload lengths (RFC 6455 5.2)"""
    frame = websocket_frame('x' * size)
    assert frame == header + b'x' * size


def test_the_bucket_allows_a_burst_then_the_rate():
    """burst at once, then one per 1/rate seconds"""
    now = [0.0]
    bucket = TokenBucket(rate=10, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.1
    assert [bucket.take(), bucket.take()] == [True, False]
    now[0] += 100
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def message(text, number=1):
    """a message said in general"""
    return chat_message(number, 'general', 'ann', text, float(number))


async def test_messages_of_one_turn_arrive_as_separate_frames_in_order(
    app, ws_connect, said
):
    """one write per client per turn, still one frame per message"""
    clients = [await ws_connect() for _ in range(3)]
    hub = app.settings['hub']
    for number in range(5):
        hub.publish('general', message(f'message {number}', number))
    for client in clients:
        texts = [(await said(client))['text'] for _ in range(5)]
        assert texts == [f'message {number}' for number in range(5)]


async def test_a_room_hears_only_its_own_messages(app, ws_connect, said):
    """what is published in one room reaches its members, nobody else's"""
    hub = app.settings['hub']
    general, games = await ws_connect(), await ws_connect(room='games')
    hub.publish('games', chat_message(1, 'games', 'ann', 'check', 1.0))
    hub.publish('general', message('hello'))
    assert (await said(games))['text'] == 'check'
    assert (await said(general))['text'] == 'hello'


async def test_a_long_frame_arrives_whole(app, ws_connect, said):
    """a frame over 64 KiB (a long history, say) uses the 64-bit length"""
    client = await ws_connect()
    app.settings['hub'].publish('general', message('ä' * 40000))
    assert (await said(client))['text'] == 'ä' * 40000


async def test_a_flooder_is_told_and_the_room_hears_only_the_allowance(
    app, ws_connect, send, answer_of, said
):
    """over the burst every request gets an error and reaches nobody (the
    join spent one token)"""
    burst = app.settings['flood_burst']
    # a slow refill: however slow this machine, no token comes back mid-test
    app.settings['flood_rate'] = 0.01
    flooder, other = await ws_connect(), await ws_connect(name='bob')
    sent = [
        await send(flooder, name='ann', text=f'flood {number}')
        for number in range(burst + 5)
    ]
    answers = [await answer_of(flooder, request_id) for request_id in sent]
    errors = [answer['error'] for answer in answers if 'error' in answer]
    assert len(errors) == 6
    assert errors[0] == {
        'code': -32000,
        'message': 'too many messages: at most 0.01 a second',
    }
    heard = [(await said(other))['text'] for _ in range(burst - 1)]
    assert heard == [f'flood {number}' for number in range(burst - 1)]
    await send(other, name='bob', text='the room goes on')
    assert (await said(other))['text'] == 'the room goes on'


async def test_a_reader_that_stops_is_dropped_and_the_room_goes_on(
    app, ws_connect, raw_connect, said
):
    """pending output is bounded: a client over it is closed, others get everything"""
    app.settings['max_pending_bytes'] = 64 * 1024
    hub = app.settings['hub']
    reader = await ws_connect()
    stuck = await raw_connect(receive_buffer=4096)
    await wait_for(lambda: len(hub.clients) == 2)
    published = 0
    while len(hub.clients) == 2 and published < 20000:
        for _ in range(50):
            hub.publish('general', message('x' * 1000, published))
            published += 1
        for _ in range(50):
            assert (await said(reader))['text'] == 'x' * 1000
    assert len(hub.clients) == 1, 'the stuck client was never dropped'
    assert published < 20000
    stuck.close()
    await stuck.wait_closed()


async def test_a_peer_that_never_answers_pings_is_reaped(
    app, raw_connect, ws_connect, said
):
    """the hub's pings close a connection that went silent, and only that one"""
    hub = app.settings['hub']
    hub.ping_interval = 0  # swept by hand: a loaded machine is no timeout
    alive = await ws_connect(name='bob')
    silent = await raw_connect()
    await wait_for(lambda: len(hub.clients) == 2)
    for name in ('bob', 'ann'):  # read what came: a client that does not read
        # does not answer pings either
        assert (await next_frame(alive))['params']['joined'] == name
    hub.ping()  # both pinged: the live one answers
    await wait_for(lambda: sum(client.answered for client in hub.clients) == 1)
    hub.ping()  # the silent one is closed
    assert len(hub.clients) == 1
    hub.publish('general', message('still here?'))
    assert (await said(alive))['text'] == 'still here?'
    hub.close_all(1001, 'done')
    silent.close()
    await silent.wait_closed()


async def test_a_client_reset_mid_write_does_not_stop_the_others(
    app, ws_connect, raw_connect, said
):
    """a socket the peer reset fails its write; the message still reaches the rest"""
    hub = app.settings['hub']
    other = await ws_connect()
    gone = await raw_connect()
    await wait_for(lambda: len(hub.clients) == 2)
    linger = struct.pack('ii', 1, 0)  # close with a reset, at once
    sock = gone.get_extra_info('socket')
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
    gone.transport.abort()
    hub.publish('general', message('after the reset'))
    assert (await said(other))['text'] == 'after the reset'
    await wait_for(lambda: len(hub.clients) == 1)

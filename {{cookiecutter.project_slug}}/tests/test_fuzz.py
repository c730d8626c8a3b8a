"""Fuzz: thousands of generated frames against a live server, while someone chats.

The frames are made by a seeded generator (the same every run, so a failure
can be replayed): random bytes, text that is not JSON, JSON of every shape and
depth, names and texts of unicode's awkward corners (lone surrogates, bidi
controls, NUL, emoji, combining marks), requests of every method with params
of every shape, batches, and sizes around every limit. The server answers each
one that is due an answer (a result, an error, or a 1009 close for an
oversized frame), an observer's messages all arrive, and nothing is logged
with a traceback.
"""

import json
import logging
import random

import pytest

from {{ cookiecutter.package_name }}.chat_part import MAX_FRAME_BYTES

PROBES = 2000
SEED = 20261202
AWKWARD = [
    '\ud800',
    '\udfff',
    '\u202egnp.exe',
    '\u2066',
    '\x00',
    '\x1b[31m',
    '👩\u200d💻',
    'e\u0301\u0301\u0301',
    'مرحبا',
    '\ufeff',
    '\uffff',
    '𝕏',
    '',
    ' ',
    '<script>',
]


def scalar(rng):
    """a JSON scalar of any kind"""
    return rng.choice(
        [
            None,
            True,
            rng.randint(-(1 << 70), 1 << 70),
            rng.random() * 10 ** rng.randint(-300, 300),
            ''.join(rng.choice(AWKWARD) for _ in range(rng.randint(0, 5))),
        ]
    )


def value(rng, depth):
    """a JSON value: a scalar, or a list or object nested up to depth"""
    if depth <= 0 or rng.random() < 0.4:
        return scalar(rng)
    if rng.random() < 0.5:
        return [value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {str(scalar(rng)): value(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def awkward_text(rng, size):
    """text of about size characters, made of unicode's awkward corners"""
    parts = []
    while sum(map(len, parts)) < size:
        parts.append(rng.choice(AWKWARD + ['x' * rng.randint(1, 50)]))
    return ''.join(parts)[:size]


def random_bytes(rng, _max_text):
    """a binary frame of random bytes"""
    return rng.randbytes(rng.randint(0, 300)), True


def not_json(rng, _max_text):
    """text of random characters, rarely JSON"""
    size = rng.randint(0, 80)
    return ''.join(chr(rng.randint(32, 0xD7FF)) for _ in range(size)), False


def any_json(rng, _max_text):
    """JSON of any shape, a few levels deep"""
    return json.dumps(value(rng, rng.randint(0, 6))), False


def deep_json(rng, _max_text):
    """lists nested deeper than a parser likes, well under the frame limit"""
    depth = rng.choice([500, 5000, 20000, 30000])
    return '[' * depth + ']' * depth, False


METHODS = ['send', 'join', 'leave', 'history', 'rooms', 'typing', 'shout', '']


def rpc(method, params, request_id=1):
    """a JSON-RPC request of the fuzzer"""
    request = {'jsonrpc': '2.0', 'id': request_id, 'method': method}
    return json.dumps({**request, 'params': params})


def around_max_text(rng, max_text):
    """a message of awkward characters, one short of, at or one over max_text"""
    size = rng.choice([max_text - 1, max_text, max_text + 1])
    params = {
        'room': rng.choice(['general', 'games', 'NOPE', '']),
        'name': awkward_text(rng, 8),
        'text': awkward_text(rng, size),
        'client_id': rng.choice(['c1', 'x' * 65, '']),
    }
    return rpc('send', params), False


def around_frame_limit(rng, _max_text):
    """a frame one byte short of, at or one over the frame limit"""
    size = rng.choice([MAX_FRAME_BYTES - 1, MAX_FRAME_BYTES, MAX_FRAME_BYTES + 1])
    return 'x' * size, False


def wrong_types(rng, _max_text):
    """a request of any method whose params may be anything, among other keys"""
    params = {str(scalar(rng)): value(rng, 2) for _ in range(rng.randint(0, 3))}
    for key in ('room', 'name', 'text', 'client_id', 'after', 'before', 'limit'):
        if rng.random() < 0.5:
            params[key] = scalar(rng)
    return rpc(rng.choice(METHODS), params), False


def batch(rng, max_text):
    """a batch of 0 to 25 requests of the other kinds (a few are notifications)"""
    entries = []
    for _ in range(rng.randint(0, 25)):
        entry = json.loads(rng.choice([wrong_types, around_max_text])(rng, max_text)[0])
        if rng.random() < 0.2:
            del entry['id']
        entries.append(entry)
    return json.dumps(entries), False


PROBE_KINDS = [
    random_bytes,
    not_json,
    any_json,
    deep_json,
    around_max_text,
    around_frame_limit,
    wrong_types,
    batch,
]


def probe(rng, max_text):
    """one generated frame: (the frame, is it binary?)"""
    return rng.choice(PROBE_KINDS)(rng, max_text)


async def answer_to(client, probe_size):
    """the answer to a probe, or None when the server closed the connection
    (1009: too big); notifications (what the observer says, presence) are
    skipped; each probe is followed by a `rooms` request, so that even a
    probe that gets no answer (a notification) is followed by one"""
    if probe_size > MAX_FRAME_BYTES:
        # it closes the connection (1009): a write after it would race the
        # close, and a reset could beat the close frame to the client
        while await client.read_message() is not None:
            pass
        return None
    await client.write_message(rpc('rooms', {}, 'after the probe'))
    answers = []
    while True:
        frame = await client.read_message()
        if frame is None:
            return None
        decoded = json.loads(frame)
        if isinstance(decoded, list) or 'method' not in decoded:
            answers.append(decoded)
        if isinstance(decoded, dict) and decoded.get('id') == 'after the probe':
            return answers


# two round trips a probe (the probe, then a request every probe is followed by)
@pytest.mark.timeout(seconds=180)
async def test_generated_frames_never_hurt_the_server(
    app, ws_connect, send, said, caplog
):
    """every probe is answered, the observer hears all it says, no traceback"""
    app.settings['flood_rate'] = 1_000_000_000
    app.settings['flood_burst'] = 1_000_000_000
    rng = random.Random(SEED)
    caplog.set_level(logging.INFO)
    observer, fuzzer = await ws_connect(name='observer'), await ws_connect()
    closed = 0
    spoken = 0
    for number in range(PROBES):
        frame, binary = probe(rng, app.settings['max_text'])
        await fuzzer.write_message(frame, binary=binary)
        if await answer_to(fuzzer, len(frame)) is None:
            assert fuzzer.close_code == 1009
            closed += 1
            fuzzer = await ws_connect()
        if number % 100 == 0:
            spoken += 1
            await send(observer, name='observer', text=f'observer {spoken}')
            heard = await said(observer)
            while heard['text'] != f'observer {spoken}':
                heard = await said(observer)
    assert closed > 0, 'no probe was over the frame limit'
    assert spoken == PROBES // 100
    assert not [record for record in caplog.records if record.exc_info]
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]

"""Guests (no login): the name each one chooses is checked, and shown to the room."""

import json

import pytest

from .fixtures import heard, notified, request, say


@pytest.mark.parametrize(
    'name, reason',
    [
        (5, 'name must be a string'),
        ('', 'the name must be 1 to 40 characters'),
        ('n' * 41, 'the name must be 1 to 40 characters'),
        ('innocent\u202egnp.exe', 'control characters'),
        ('\x1b[31mred', 'control characters'),
    ],
)
async def test_a_name_is_checked_where_it_is_given(ws_connect, name, reason):
    """in join and in send: a bad name is an error, and nothing is said"""
    guest = await ws_connect(history=False)
    await guest.write_message(request('join', 'j', room='general', name=name))
    answer = await notified(guest)
    assert answer['error']['code'] == -32602
    assert reason in answer['error']['message']
    other = await ws_connect()
    await other.write_message(
        json.dumps(
            {
                'jsonrpc': '2.0',
                'id': 's',
                'method': 'send',
                'params': {
                    'room': 'general',
                    'text': 'hi',
                    'client_id': 'c',
                    'name': name,
                },
            }
        )
    )
    assert reason in (await notified(other))['error']['message']
    await other.write_message(say('still here'))
    assert (await heard(other))['text'] == 'still here'


async def test_a_guest_is_known_by_the_name_it_chose(ws_connect):
    """presence and messages carry the chosen name, trimmed"""
    ann = await ws_connect()
    zoe = await ws_connect(name=' Zoë ')
    assert zoe.history['members'] == ['Zoë', 'ann']
    await zoe.write_message(say('hello', name='Zoë'))
    assert (await heard(ann))['name'] == 'Zoë'

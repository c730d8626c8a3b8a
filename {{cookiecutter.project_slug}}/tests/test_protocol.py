"""What the server accepts from a client, and what it refuses."""

import json

import pytest

from {{ cookiecutter.package_name }}.history import NoHistory
from {{ cookiecutter.package_name }}.protocol import (
    MAX_NAME,
    BadMessage,
    chat_message,
    encode,
    parse_frame,
)

MAX_TEXT = 2000


def frame(**fields):
    """a client frame"""
    return json.dumps(fields)


def test_accepts_a_message():
    """a name and a text come back, the name trimmed"""
    assert parse_frame(frame(name=' ann ', text='hi'), MAX_TEXT) == ('ann', 'hi')


def test_accepts_names_of_every_script_and_emoji():
    """letters of any script, emoji joined by ZWJ, marks: a name as people write it"""
    for name in ('Zoë', '王小明', 'عائشة', 'Ñúñez-Ångström', '👩\u200d💻 ann'):
        assert parse_frame(frame(name=name, text='hi'), MAX_TEXT) == (name, 'hi')


def test_a_text_may_hold_lines_and_tabs():
    """only names are held to printable characters: a text keeps its layout"""
    text = 'line one\n\tline two'
    assert parse_frame(frame(name='ann', text=text), MAX_TEXT) == ('ann', text)


def test_accepts_the_longest_text():
    """exactly max_text characters is allowed"""
    text = 'x' * MAX_TEXT
    assert parse_frame(frame(name='ann', text=text), MAX_TEXT) == ('ann', text)


@pytest.mark.parametrize(
    'raw, reason',
    [
        (b'\x00\x01', 'binary'),
        ('hello', 'not JSON'),
        ('', 'not JSON'),
        ('[1, 2]', 'JSON object'),
        ('null', 'JSON object'),
        (frame(name='ann'), 'strings'),
        (frame(name=1, text='hi'), 'strings'),
        (frame(name='  ', text='hi'), 'name must be'),
        (frame(name='n' * (MAX_NAME + 1), text='hi'), 'name must be'),
        (frame(name='ann', text=''), 'empty'),
        (frame(name='ann', text=' \n\t'), 'empty'),
        (frame(name='ann', text='x' * (MAX_TEXT + 1)), 'longer than 2000'),
        ('{"name": "ann", "text": "\\ud800"}', 'not valid unicode'),
        ('{"name": "\\udfff", "text": "hi"}', 'not valid unicode'),
        ('[' * 20000 + ']' * 20000, 'nested too deeply'),
        (frame(name='innocent\u202egnp.exe', text='hi'), 'control characters'),
        (frame(name='ann\u2066', text='hi'), 'control characters'),
        (frame(name='a\x1bnn', text='hi'), 'control characters'),
    ],
)
def test_refuses(raw, reason):
    """each kind of bad frame is refused with a reason the sender can read"""
    with pytest.raises(BadMessage, match=reason):
        parse_frame(raw, MAX_TEXT)


def test_encode_keeps_unicode_and_markup_as_text():
    """frames are compact JSON; text is data, never markup"""
    message = chat_message('Zoë', '<b>hi</b> ☕', 1.5)
    text = encode(message)
    assert text == '{"type":"message","name":"Zoë","text":"<b>hi</b> ☕","ts":1.5}'
    assert json.loads(text) == message


def test_a_chat_message_carries_its_id_only_when_it_has_one():
    """one shape on the wire; the id is the history's number of the message"""
    said = {'type': 'message', 'name': 'ann', 'text': 'hi', 'ts': 1.5}
    assert chat_message('ann', 'hi', 1.5) == said
    assert chat_message('ann', 'hi', 1.5, message_id=7) == {**said, 'id': 7}


async def test_without_a_database_nothing_is_kept():
    """NoHistory stamps a message for sending, and has nothing to give back"""
    history = NoHistory()
    assert await history.add('ann', 'hi', 1.5) == chat_message('ann', 'hi', 1.5)
    assert await history.recent() == []

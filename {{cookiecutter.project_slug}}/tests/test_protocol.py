"""What the server accepts in a request's params, and how it writes its frames."""

import json

import pytest

from {{ cookiecutter.package_name }}.history import MemoryHistory
from {{ cookiecutter.package_name }}.protocol import (
    MAX_NAME,
    RpcError,
    chat_message,
    client_id_param,
    encode,
    error_answer,
    id_param,
    message_text,
    name_param,
    notification,
    parse_frame,
    result_answer,
    room_param,
)

MAX_TEXT = 2000


def test_accepts_a_name_trimmed_and_a_text():
    """a name comes back trimmed, a text as it was"""
    assert name_param({'name': ' ann '}) == 'ann'
    assert message_text({'text': ' hi '}, MAX_TEXT) == ' hi '


def test_accepts_names_of_every_script_and_emoji():
    """letters of any script, emoji joined by ZWJ, marks: a name as people write it"""
    for name in ('Zoë', '王小明', 'عائشة', 'Ñúñez-Ångström', '👩\u200d💻 ann'):
        assert name_param({'name': name}) == name


def test_a_text_may_hold_lines_and_tabs():
    """only names are held to printable characters: a text keeps its layout"""
    text = 'line one\n\tline two'
    assert message_text({'text': text}, MAX_TEXT) == text


def test_accepts_the_longest_text():
    """exactly max_text characters is allowed"""
    text = 'x' * MAX_TEXT
    assert message_text({'text': text}, MAX_TEXT) == text


def test_room_names_and_client_ids():
    """lowercase names of up to 32 characters; client ids of up to 64"""
    for room in ('general', 'a', 'room-1', 'x_y', '9' * 32):
        assert room_param({'room': room}) == room
    for bad in ('', 'General', '-x', 'a b', 'é', 'x' * 33, 5, None):
        with pytest.raises(RpcError, match='room: 1 to 32') as refused:
            room_param({'room': bad})
        assert refused.value.code == -32602
    assert client_id_param({'client_id': 'A-b_9' * 12}) == 'A-b_9' * 12
    for bad in ('', 'a b', 'x' * 65, 7):
        with pytest.raises(RpcError, match='client_id'):
            client_id_param({'client_id': bad})


def test_message_ids():
    """a non-negative integer, or the default when absent"""
    assert id_param({'after': 5}, 'after') == 5
    assert id_param({}, 'after') is None
    assert id_param({'after': (1 << 63) - 1}, 'after') == (1 << 63) - 1
    for bad in (-1, 1.5, True, '5', 1 << 63, 1 << 70):
        with pytest.raises(RpcError, match='after must be a message id'):
            id_param({'after': bad}, 'after')


@pytest.mark.parametrize(
    'params, code, reason',
    [
        ({}, -32602, 'name must be a string'),
        ({'name': 1}, -32602, 'name must be a string'),
        ({'name': '  '}, -32602, 'name must be'),
        ({'name': 'n' * (MAX_NAME + 1)}, -32602, 'name must be'),
        ({'name': '\udfff'}, -32602, 'not valid unicode'),
        ({'name': 'innocent\u202egnp.exe'}, -32602, 'control characters'),
        ({'name': 'ann\u2066'}, -32602, 'control characters'),
        ({'name': 'a\x1bnn'}, -32602, 'control characters'),
    ],
)
def test_refuses_names(params, code, reason):
    """each kind of bad name is refused with a reason the sender can read"""
    with pytest.raises(RpcError, match=reason) as refused:
        name_param(params)
    assert refused.value.code == code


@pytest.mark.parametrize(
    'params, code, reason',
    [
        ({}, -32602, 'text must be a string'),
        ({'text': ''}, -32602, 'empty'),
        ({'text': ' \n\t'}, -32602, 'empty'),
        ({'text': 'x' * (MAX_TEXT + 1)}, -32001, 'longer than 2000'),
        ({'text': '\ud800'}, -32602, 'not valid unicode'),
    ],
)
def test_refuses_texts(params, code, reason):
    """each kind of bad text is refused with its code and reason"""
    with pytest.raises(RpcError, match=reason) as refused:
        message_text(params, MAX_TEXT)
    assert refused.value.code == code


@pytest.mark.parametrize(
    'raw, reason',
    [
        (b'\x00\x01', 'binary'),
        ('hello', 'not JSON'),
        ('', 'not JSON'),
        ('[' * 20000 + ']' * 20000, 'nested too deeply'),
    ],
)
def test_refuses_frames_that_are_not_json(raw, reason):
    """a parse error, -32700, with a reason"""
    with pytest.raises(RpcError, match=reason) as refused:
        parse_frame(raw)
    assert refused.value.code == -32700


def test_frames_keep_their_keys_in_order_and_text_as_text():
    """compact JSON, keys in one order (the load generator reads the first
    bytes), unicode and markup kept as they are"""
    message = chat_message(7, 'general', 'Zoë', '<b>hi</b> ☕', 1.5)
    text = notification('message', message)
    assert text == (
        '{"jsonrpc":"2.0","method":"message","params":{"id":7,"room":"general",'
        '"name":"Zoë","text":"<b>hi</b> ☕","ts":1.5}}'
    )
    assert json.loads(text)['params'] == message
    assert encode(result_answer(3, {})) == '{"jsonrpc":"2.0","id":3,"result":{}}'
    assert encode(error_answer(None, -32700, 'no')) == (
        '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"no"}}'
    )


async def test_without_a_database_each_room_keeps_its_last_messages():
    """MemoryHistory: the last `size` messages per room, ids increasing"""
    clock = iter([5000, 5000, 9000, 9000, 9000]).__next__
    history = MemoryHistory(size=2, shown=2, clock=clock)
    first = await history.add('ann', 'one', 1.5, 'general')
    assert first == chat_message(5, 'general', 'ann', 'one', 1.5)
    second = await history.add('ann', 'two', 1.5, 'general')
    assert second['id'] == 6  # the clock did not move: one more
    third = await history.add('ann', 'three', 1.5, 'general')
    await history.add('bob', 'elsewhere', 1.5, 'games')
    assert await history.recent('general') == [second, third]
    assert await history.after('general', 5) == ([second, third], True)
    assert await history.after('general', 6) == ([third], False)
    assert await history.before('general', third['id'], 5) == [second]
    assert await history.recent('empty') == []
    history.shown = 1
    assert await history.recent('general') == [third]
    assert await history.after('general', 5) == ([third], True)

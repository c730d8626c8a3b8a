"""Presence and history as the hub keeps them when other server processes
report (with broker=redis the broker tells the hub; here the test does)."""

import asyncio
import json

from {{ cookiecutter.package_name }}.history import MemoryHistory
from {{ cookiecutter.package_name }}.hub import Hub
from {{ cookiecutter.package_name }}.methods import Sends
from {{ cookiecutter.package_name }}.protocol import chat_message


class Member:
    """a client of the hub that keeps the notifications it is sent"""

    def __init__(self):
        self.rooms = {}
        self.texts = []

    def deliver(self, _room, _data, texts):
        """keep what the room is sent"""
        self.texts.extend(texts)
        return True

    def send_frame(self, text):
        """keep what this client alone is sent"""
        self.texts.append(text)
        return True

    def told(self):
        """the (method, params) of what it was sent, then forgotten"""
        told = [json.loads(text) for text in self.texts]
        self.texts = []
        return [(frame['method'], frame['params']) for frame in told]


async def settled():
    """a moment for the hub's presence timer (0 s in tests) and its writes"""
    await asyncio.sleep(0.01)


async def test_the_members_of_other_processes_are_members_too():
    """a room's members are its names in every process: joins, leaves and a
    process that is gone are told to the members here"""
    hub, ann = Hub(ping_interval=0), Member()
    hub.join('general', ann, 'ann')
    await settled()
    ann.told()
    hub.elsewhere('p2', 'general', ['bob', 'cy'])
    hub.elsewhere('p3', 'general', ['bob'])  # a second tab of bob's elsewhere
    hub.elsewhere('p3', 'games', ['dee'])
    await settled()
    assert ann.told() == [
        (
            'presence',
            {
                'room': 'general',
                'count': 3,
                'members': ['ann', 'bob', 'cy'],
                'joined': ['bob', 'cy'],
            },
        )
    ]
    assert hub.members('general') == (['ann', 'bob', 'cy'], 3)
    assert hub.room_list() == [
        {'room': 'games', 'members': 1},
        {'room': 'general', 'members': 3},
    ]
    hub.elsewhere('p2', 'general', [])
    await settled()
    assert ann.told() == [
        (
            'presence',
            {'room': 'general', 'count': 2, 'members': ['ann', 'bob'], 'left': ['cy']},
        )
    ]
    hub.elsewhere('p5', 'games', ['eve'])
    hub.elsewhere('p5', 'chess', ['eve'])
    hub.gone('p3')
    hub.gone('p4')  # never heard of: nothing
    await settled()
    assert ann.told() == [
        (
            'presence',
            {'room': 'general', 'count': 1, 'members': ['ann'], 'left': ['bob']},
        )
    ]
    assert hub.room_list() == [
        {'room': 'chess', 'members': 1},
        {'room': 'games', 'members': 1},
        {'room': 'general', 'members': 1},
    ]


async def test_news_of_rooms_nobody_here_is_in_tells_nobody():
    """a process reports a room without members here: listed, nobody told; a
    report that changes nobody's list tells nobody"""
    hub, ann = Hub(ping_interval=0), Member()
    hub.join('general', ann, 'ann')
    await settled()
    ann.told()
    hub.elsewhere('p2', 'games', ['bob'])
    hub.elsewhere('p2', 'games', [])
    hub.elsewhere('p2', 'general', ['ann'])  # ann in another tab: no news
    await settled()
    assert not ann.told()
    assert hub.rooms.keys() == {'general'}


async def test_typing_elsewhere_is_told_to_the_members_here():
    """someone types in another process: the room's members here are told"""
    hub, ann, bob = Hub(ping_interval=0), Member(), Member()
    hub.join('general', ann, 'ann')
    hub.join('general', bob, 'bob')
    await settled()
    ann.told()
    bob.told()
    hub.tell_typing('general', 'cy')
    hub.tell_typing('games', 'cy')  # nobody here is in games
    hub.typing('general', ann, 'ann')
    assert ann.told() == [('typing', {'room': 'general', 'name': 'cy'})]
    assert bob.told() == [
        ('typing', {'room': 'general', 'name': 'cy'}),
        ('typing', {'room': 'general', 'name': 'ann'}),
    ]


async def test_a_memory_history_keeps_what_other_processes_said_in_order():
    """messages the broker brings: in the order of their ids, each once, the
    newest `size` kept; a message said here afterwards gets a newer id"""
    history = MemoryHistory(size=3, shown=3, clock=lambda: 0)

    def said(number, text=None):
        return chat_message(number, 'general', 'bob', text or f'm{number}', 1.0)

    for number in (10, 30, 20, 20):
        history.keep(said(number))
    history.keep(said(20, 'another message with the same id'))
    assert [m['text'] for m in await history.recent('general')] == [
        'm20',
        'another message with the same id',
        'm30',
    ]
    history.keep(said(5))  # older than all that is held: it would go at once
    history.keep(said(25))
    assert [m['id'] for m in await history.recent('general')] == [20, 25, 30]
    mine = await history.add('ann', 'mine', 2.0, 'general')
    assert mine['id'] == 31


async def test_what_another_process_said_is_kept_and_not_said_again():
    """the hub's keepers get the messages other processes said: the history
    keeps them, and a send of the same key is answered, not said again"""
    hub, history, sends = Hub(ping_interval=0), MemoryHistory(), Sends(most=2)
    hub.keepers = (history, sends)
    said = chat_message(7, 'general', 'bob', 'hi', 1.0)
    key = (('guest', 'bob'), 'c1')
    hub.heard(said, key)
    hub.heard(said, key)
    hub.heard(chat_message(8, 'general', 'cy', 'unknown send', 2.0), None)

    async def said_again():
        raise AssertionError('said twice')

    assert await sends.once(key, said_again) == {'id': 7, 'room': 'general', 'ts': 1.0}
    assert [m['id'] for m in await history.recent('general')] == [7, 8]
    for number in range(2):
        hub.heard(said, (('account', number), 'c1'))
    assert list(sends.answers) == [(('account', 0), 'c1'), (('account', 1), 'c1')]

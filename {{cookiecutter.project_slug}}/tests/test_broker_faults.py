"""Two app instances chat through Redis while it fails: nothing lost, nothing twice.

Each test prints its figures (run with -s to see them): messages sent,
received (by all clients together), missing, duplicated, out of order, and
the seconds from the end of the fault to the last "ok" status frame.
"""

import asyncio
import json
import time

from {{ cookiecutter.package_name }}.hub import Hub

from .test_broker import say, second_server, until

ROUNDS = 30  # messages each client says
PAUSE = 0.2  # seconds between two rounds: within the flood allowance
OUTAGE = 3.0  # seconds the fault lasts
RECOVERY = 5.0  # seconds within which every process is back to "ok"


class Inbox:
    """the frames a client receives, read in the background, with their time"""

    def __init__(self, client):
        self.client = client
        self.frames = []
        self.reading = asyncio.ensure_future(self.read())

    async def read(self):
        """keep every frame until the connection closes"""
        while (text := await self.client.read_message()) is not None:
            self.frames.append((time.monotonic(), json.loads(text)))

    def of_type(self, kind):
        """the frames of one type"""
        return [frame for _, frame in self.frames if frame['type'] == kind]

    def texts(self):
        """the texts of the chat messages received, in order"""
        return [message['text'] for message in self.of_type('message')]

    def statuses(self):
        """the statuses told, in order"""
        return [status['status'] for status in self.of_type('status')]

    def back_at(self):
        """when the last "ok" status arrived (None for none)"""
        times = [at for at, frame in self.frames if frame.get('status') == 'ok']
        return times[-1] if times else None


async def two_instances(app, ws_connect, first, second):
    """app instances on brokers first and second, two clients on each

    The server of the second instance, and the inboxes of the clients of each.
    """
    app.settings['hub'] = Hub(first)
    server, url = await second_server(app, Hub(second))
    await first.start()
    await second.start()
    here = [Inbox(await ws_connect()) for _ in range(2)]
    there = [Inbox(await ws_connect(url=url)) for _ in range(2)]
    return server, here, there


async def chat(inboxes):
    """every client says ROUNDS messages; what was said"""
    said = []
    for number in range(ROUNDS):
        for sender, inbox in enumerate(inboxes):
            said.append(f'{sender}.{number}')
            await say(inbox.client, said[-1])
        await asyncio.sleep(PAUSE)
    return said


async def chat_through(fault, inboxes):
    """the clients chat while fault() runs; the figures"""
    chatting = asyncio.ensure_future(chat(inboxes))
    await asyncio.sleep(1.0)
    fault_ended = await fault()
    said = await chatting
    await until(lambda: all(set(said) <= set(i.texts()) for i in inboxes), 10)
    return figures(said, inboxes, fault_ended)


def in_order(texts):
    """does each sender's numbering go up?"""
    numbers = {}
    for text in texts:
        sender, number = map(int, text.split('.'))
        if number <= numbers.get(sender, -1):
            return False
        numbers[sender] = number
    return True


def figures(said, inboxes, fault_ended):
    """sent, received, missing, duplicated, out of order, seconds to recover"""
    received = [inbox.texts() for inbox in inboxes]
    back = [inbox.back_at() for inbox in inboxes if 'reconnecting' in inbox.statuses()]
    return {
        'sent': len(said),
        'received': sum(map(len, received)),
        'missing': sum(len(set(said) - set(texts)) for texts in received),
        'duplicated': sum(len(texts) - len(set(texts)) for texts in received),
        'out of order': sum(
            texts != received[0] or not in_order(texts) for texts in received
        ),
        'refused': sum(len(inbox.of_type('error')) for inbox in inboxes),
        'seconds to recover': max(at - fault_ended for at in back) if back else None,
    }


def check(figures_of_fault, clients):
    """every client has every message, once, in one order"""
    sent = figures_of_fault['sent']
    assert figures_of_fault['refused'] == 0
    assert figures_of_fault['received'] == sent * clients
    assert figures_of_fault['missing'] == 0
    assert figures_of_fault['duplicated'] == 0
    assert figures_of_fault['out of order'] == 0
    assert figures_of_fault['seconds to recover'] is not None, 'never back to "ok"'
    assert figures_of_fault['seconds to recover'] <= RECOVERY


async def test_a_redis_restart_loses_nothing(app, brokers, redis_server, ws_connect):
    """Redis stops mid-chat and comes back: every client of both has every message"""
    server, here, there = await two_instances(app, ws_connect, brokers(), brokers())

    async def restart():
        await asyncio.to_thread(redis_server.stop)
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(redis_server.start)
        return time.monotonic()

    results = await chat_through(restart, here + there)
    print('redis restarted:', results)
    check(results, 4)
    for inbox in here + there:
        assert inbox.statuses() == ['reconnecting', 'ok']
    server.stop()


async def test_a_process_cut_off_from_redis_misses_nothing(
    app, brokers, redis_proxy, ws_connect
):
    """one instance loses Redis while the other chats on: it catches up, in order"""
    proxy = await redis_proxy()
    first, second = brokers(), brokers(url=f'redis://{proxy.address}/0')
    server, here, there = await two_instances(app, ws_connect, first, second)

    async def cut():
        await proxy.cut()
        await asyncio.sleep(OUTAGE)
        await proxy.restore()
        return time.monotonic()

    results = await chat_through(cut, here + there)
    print('one process cut off:', results)
    check(results, 4)
    for inbox in here:
        assert not inbox.statuses()
    for inbox in there:
        assert inbox.statuses() == ['reconnecting', 'ok']
    server.stop()

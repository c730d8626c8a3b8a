"""Two app instances chat through Redis while it fails: nothing lost, nothing twice.

Each test prints its figures (run with -s to see them): messages sent,
acknowledged (their ``send`` answered), refused (an error), received (by all
clients together), missing, duplicated, out of order, and the seconds from
the end of the fault to the last "ok" status notification.
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

    def notified(self, method):
        """the params of the notifications of one method, in order"""
        return [f['params'] for _, f in self.frames if f.get('method') == method]

    def answers(self, outcome):
        """the answers that are a 'result', or an 'error'"""
        return [frame for _, frame in self.frames if outcome in frame]

    def texts(self):
        """the texts of the chat messages received, in order"""
        return [message['text'] for message in self.notified('message')]

    def statuses(self):
        """the statuses told, in order"""
        return [status['status'] for status in self.notified('status')]

    def back_at(self):
        """when the last "ok" status arrived (None for none)"""
        times = [
            at
            for at, frame in self.frames
            if frame.get('method') == 'status' and frame['params']['status'] == 'ok'
        ]
        return times[-1] if times else None


async def two_instances(app, ws_connect, first, second):
    """app instances on brokers first and second: on each two clients in the
    room general, who chat, and a bystander in the room games only

    The server of the second instance, and the inboxes of the clients of each
    (the chatting clients first, its bystander last).
    """
    app.settings['hub'] = Hub(first)
    server, url = await second_server(app, Hub(second))
    await first.start()
    await second.start()
    here = await clients_of(ws_connect, 'here')
    there = await clients_of(ws_connect, 'there', url=url)
    return server, here, there


async def clients_of(ws_connect, where, **elsewhere):
    """the inboxes of two clients in general and a bystander in games, on one
    instance (elsewhere: url=)"""
    clients = [await ws_connect(name=f'{where}{n}', **elsewhere) for n in range(2)]
    clients.append(await ws_connect(name=f'{where}-by', room='games', **elsewhere))
    return [Inbox(client) for client in clients]


async def chat(inboxes):
    """every client says ROUNDS messages; what was said"""
    said = []
    for number in range(ROUNDS):
        for sender, inbox in enumerate(inboxes):
            said.append(f'{sender}.{number}')
            await say(inbox.client, said[-1], name=f'client{sender}')
        await asyncio.sleep(PAUSE)
    return said


async def chat_through(fault, inboxes):
    """the clients chat while fault() runs; the figures"""
    chatting = asyncio.ensure_future(chat(inboxes))
    await asyncio.sleep(1.0)
    fault_ended = await fault()
    said = await chatting
    await until(lambda: all(set(said) <= set(i.texts()) for i in inboxes), 10)
    await asyncio.sleep(0.2)  # a duplicate, if any, has come too
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
        'acknowledged': sum(len(inbox.answers('result')) for inbox in inboxes),
        'refused': sum(len(inbox.answers('error')) for inbox in inboxes),
        'received': sum(map(len, received)),
        'missing': sum(len(set(said) - set(texts)) for texts in received),
        'duplicated': sum(len(texts) - len(set(texts)) for texts in received),
        'out of order': sum(
            texts != received[0] or not in_order(texts) for texts in received
        ),
        'seconds to recover': max(at - fault_ended for at in back) if back else None,
    }


def check_bystanders(bystanders, statuses):
    """the members of games only heard no message of general, and were told
    of the broker as the others of their process were"""
    for inbox in bystanders:
        assert not inbox.notified('message')
        assert inbox.statuses() == statuses


def check(figures_of_fault, clients):
    """every client has every message, once, in one order"""
    sent = figures_of_fault['sent']
    assert figures_of_fault['refused'] == 0
    assert figures_of_fault['acknowledged'] == sent
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

    results = await chat_through(restart, here[:2] + there[:2])
    print('redis restarted:', results)
    check(results, 4)
    for inbox in here[:2] + there[:2]:
        assert inbox.statuses() == ['reconnecting', 'ok']
    check_bystanders([here[2], there[2]], ['reconnecting', 'ok'])
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

    results = await chat_through(cut, here[:2] + there[:2])
    print('one process cut off:', results)
    check(results, 4)
    for inbox in here[:2]:
        assert not inbox.statuses()
    for inbox in there[:2]:
        assert inbox.statuses() == ['reconnecting', 'ok']
    check_bystanders([here[2]], [])
    check_bystanders([there[2]], ['reconnecting', 'ok'])
    server.stop()

"""Waiting in tests on what the server does, without betting on how fast it is."""

import asyncio


async def wait_for(condition, seconds=10):
    """poll condition until it holds"""
    for _ in range(int(seconds * 100)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError('the condition never held')


async def sweep(hub):
    """one ping sweep by hand, then wait until every client that could answer has

    A test sets ``hub.ping_interval = 0`` (no timer) and sweeps with this: the
    next sweep comes only once the last was answered, however loaded the machine.
    """
    hub.ping()
    await wait_for(
        lambda: all(client.answered or client.handling for client in hub.clients)
    )

"""Fan-out cost, measured: `inv benchmark` times it, `inv test` runs it once."""

from {{ cookiecutter.package_name }}.protocol import chat_message

ROOM_SIZE = 50


async def test_fan_out_to_a_room(app, ws_connect, said, benchmark):
    """one publish reaches every client of a room, each message intact"""
    clients = [await ws_connect() for _ in range(ROOM_SIZE)]
    hub = app.settings['hub']
    message = chat_message(1, 'general', 'ann', 'x' * 100, 1.0)
    published = []

    def publish():
        hub.publish('general', message)
        published.append(message)

    benchmark.pedantic(publish, rounds=20, iterations=1)
    for client in clients:
        for expected in published:
            assert await said(client) == expected

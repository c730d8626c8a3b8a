""" PostgreSQL itself going away mid-chat, and coming back. """
import logging


async def test_the_database_server_going_away_is_survived(
    ws_connect, send, receive, postgres, caplog
):
    """ PostgreSQL stops mid-chat: an error frame, a log line, and back when it is """
    client = await ws_connect()
    postgres.stop()
    try:
        with caplog.at_level(logging.ERROR):
            await send(client, name='ann', text='lost')
            assert (await receive(client))['type'] == 'error'
        assert 'message not stored' in caplog.text
    finally:
        postgres.start()
    await send(client, name='ann', text='back again')
    assert (await receive(client))['text'] == 'back again'

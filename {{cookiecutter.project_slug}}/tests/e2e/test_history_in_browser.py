"""The history in a real browser: what was said survives a restart of the server."""

from playwright.sync_api import expect

from .chat_e2e import said, say_and_wait


def test_history_survives_a_restart(open_chat, server):
    """what was said is still there for someone who comes after a restart"""
    ann = open_chat(name='Ann')
    say_and_wait(ann, 'said before the restart')
    server.restart()
    bob = open_chat(name='Bob')
    expect(said(bob)).to_have_text(['said before the restart'])

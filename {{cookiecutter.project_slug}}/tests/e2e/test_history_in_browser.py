"""The history in a real browser: what was said survives a restart of the server."""

from playwright.sync_api import expect

from .chat_e2e import say


def test_history_survives_a_restart(open_chat, server):
    """what was said is still there for someone who comes after a restart"""
    ann = open_chat(name='Ann')
    say(ann, 'said before the restart')
    expect(ann.locator('li.message .text')).to_have_text(['said before the restart'])
    server.restart()
    bob = open_chat(name='Bob')
    expect(bob.locator('li.message .text')).to_have_text(['said before the restart'])

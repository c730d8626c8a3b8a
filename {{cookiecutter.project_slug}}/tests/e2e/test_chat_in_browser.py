"""The chat in a real browser: two people, markup, a server restart, the
keyboard alone, a phone.

Set SCREENSHOT=path/to/file.png to have the two-window test save the picture
of both windows side by side (the template's README shows it).
"""

import os
import re

from playwright.sync_api import expect

from .chat_e2e import (
    RECONNECT_TIMEOUT_MS,
    WINDOW,
    message_ids,
    said,
    say,
    say_and_wait,
    side_by_side,
)

CONVERSATION = [
    ('Ann', 'Hi Bob! Is the new chat server up?'),
    ('Bob', 'It is: Tornado websockets, a Vue 3 client, 100% coverage.'),
    ('Ann', 'And markup stays text: <b>not bold</b>'),
    ('Bob', 'Nice. Ship it!'),
]
MARKUP = '<img src=x onerror="window.injected=1"><script>window.injected=2</script><b>'


def test_two_people_chat(open_chat, browser):
    """what one says, both see: name, time and text, one's own marked"""
    pages = {'Ann': open_chat(name='Ann'), 'Bob': open_chat(name='Bob')}
    for name, text in CONVERSATION:
        # as people do: the next one speaks once this has been said (through the
        # server), so that the order of the conversation is one
        say_and_wait(pages[name], text)
    for me, page in pages.items():
        messages = page.locator('li.message')
        expect(messages).to_have_count(len(CONVERSATION))
        expect(messages.locator('.name')).to_have_text([n for n, _ in CONVERSATION])
        expect(messages.locator('.text')).to_have_text([t for _, t in CONVERSATION])
        expect(messages.locator('time').first).to_have_text(re.compile(r'^\d\d:\d\d$'))
        own = [name == me for name, _ in CONVERSATION]
        assert [
            'own' in (messages.nth(i).get_attribute('class') or '')
            for i in range(len(own))
        ] == own
        # this page's own messages: sent
        expect(page.locator('li.message[data-status="sent"] .text')).to_have_text(
            [t for n, t in CONVERSATION if n == me]
        )
    if os.environ.get('SCREENSHOT'):
        side_by_side(browser, list(pages.values()), os.environ['SCREENSHOT'])


def test_markup_is_shown_as_text(open_chat):
    """html in a message is text: nothing rendered, nothing run"""
    ann, bob = open_chat(name='Ann'), open_chat(name='Bob')
    say(ann, MARKUP)
    for page in (ann, bob):
        expect(page.locator('li.message .text')).to_have_text(MARKUP)
        transcript = page.locator('#transcript')
        assert transcript.locator('img, script, b').count() == 0
        assert page.evaluate('window.injected') is None


def test_page_reconnects_after_a_server_restart(open_chat, server):
    """the page shows the outage, holds a message said meanwhile as sending, and
    sends it once the server is back"""
    ann, bob = open_chat(name='Ann'), open_chat(name='Bob')
    say_and_wait(ann, 'before')
    expect(said(bob)).to_have_text(['before'])
    server.stop()
    expect(ann.locator('#status')).to_have_text('reconnecting')
    say(ann, 'while down')
    waiting = ann.locator('li.message').last
    expect(waiting).to_have_attribute('data-status', 'sending')
    expect(waiting.locator('.status')).to_have_text('Sending…')
    expect(ann.get_by_label('Message', exact=True)).to_have_value('')
    server.start()
    for page in (ann, bob):
        expect(page.locator('#status')).to_have_text(
            'connected', timeout=RECONNECT_TIMEOUT_MS
        )
        expect(said(page)).to_have_text(
            ['before', 'while down'], timeout=RECONNECT_TIMEOUT_MS
        )
    expect(ann.locator('li.message')).to_have_count(2)
    expect(ann.locator('li.message').last).to_have_attribute('data-status', 'sent')
    assert message_ids(ann) == message_ids(bob)


def test_keyboard_alone_is_enough(open_chat):
    """tab to the message box, type, Enter: sent, without a mouse"""
    page = open_chat()
    for _ in range(20):
        page.keyboard.press('Tab')
        if page.evaluate('document.activeElement.id') == 'message':
            break
    page.keyboard.type('typed, never clicked')
    page.keyboard.press('Enter')
    expect(said(page)).to_have_text(['typed, never clicked'])


def test_readable_at_phone_width(open_chat):
    """nothing sticks out sideways at 360 px; the message box and Send fit"""
    page = open_chat(name='Ann', viewport={'width': 360, 'height': 640})
    say(page, 'a long word: ' + 'x' * 200)
    expect(page.locator('li.message')).to_have_count(1)
    width = page.evaluate('document.documentElement.scrollWidth')
    assert width <= 360
    send = page.get_by_role('button', name='Send').bounding_box()
    assert send['x'] + send['width'] <= 360
    assert page.get_by_label('Message', exact=True).bounding_box()['width'] > 150


def test_the_page_keeps_to_its_content_security_policy(new_context, server):
    """all the page loads is its own (with login: the login page, its style too):
    the browser reports no violation of the policy the server sends"""
    page = new_context(viewport=WINDOW).new_page()
    logged = []
    page.on('console', lambda message: logged.append(message.text))
    page.goto(server.url)
    page.wait_for_load_state('networkidle')
    assert not [text for text in logged if 'Content Security Policy' in text]

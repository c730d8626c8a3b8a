"""Rooms and presence in a real browser: rooms stay apart, who is here, who is
typing, older messages on scrolling back, and a restart of the server in the
middle of a conversation."""

import json

from playwright.sync_api import expect

from .chat_e2e import (
    RECONNECT_TIMEOUT_MS,
    go_to,
    join,
    message_ids,
    said,
    say,
    say_and_wait,
)


def test_two_rooms_stay_apart(open_chat):
    """what is said in a room stays there; the other room counts it as unread"""
    ann, bob = open_chat(name='Ann'), open_chat(name='Bob')
    for page in (ann, bob):
        join(page, 'games')
    say_and_wait(ann, 'in games')
    expect(said(bob)).to_have_text(['in games'])
    go_to(bob, 'general')
    say_and_wait(ann, 'still in games')
    games = bob.locator('.room-button[data-room="games"]')
    expect(games).to_have_text('#games, 1 unread')
    go_to(ann, 'general')
    say_and_wait(ann, 'in general')
    for page in (ann, bob):
        expect(said(page)).to_have_text(['in general'])
    go_to(bob, 'games')
    expect(games).to_have_text('#games')
    expect(said(bob)).to_have_text(['in games', 'still in games'])
    # leaving: the room is gone from the list, and the page is back in general
    bob.get_by_role('button', name='Leave games', exact=True).click()
    expect(bob.locator('.room-button')).to_have_text(['#general'])
    expect(bob.locator('#room-title')).to_have_text('#general')


def test_a_bad_room_name_is_refused(open_chat):
    """the form says what a room name may be, and joins nothing"""
    page = open_chat(name='Ann')
    page.get_by_label('Join a room', exact=True).fill('no way!')
    page.get_by_role('button', name='Join', exact=True).click()
    expect(page.locator('#join-error')).to_contain_text('1 to 32 characters')
    expect(page.locator('.room-button')).to_have_text(['#general'])


def test_presence_shows_both_people(open_chat):
    """each sees who is in the room, who is typing, and who went away"""
    ann = open_chat(name='Ann')
    expect(ann.locator('#members li')).to_have_text(['Ann (you)'])
    bob = open_chat(name='Bob')
    for page, me in ((ann, 'Ann'), (bob, 'Bob')):
        expect(page.locator('#members bdi')).to_have_text(['Ann', 'Bob'])
        expect(page.locator('#members li.own bdi')).to_have_text(me)
        expect(page.locator('#members-title')).to_have_text('2 people here')
    bob.get_by_label('Message', exact=True).press_sequentially('hel')
    expect(ann.locator('#typing')).to_have_text('Bob is typing…')
    expect(bob.locator('#typing')).to_have_text('')
    bob.close()
    expect(ann.locator('#members bdi')).to_have_text(['Ann'])


def test_scrolling_back_loads_older_messages(open_chat, start_server):
    """a page gets the last few messages; scrolling to the top brings the older
    ones, in order, each once"""
    try:
        server, recent = start_server('--history=5'), 5
    except RuntimeError:
        # a server without the option: a join brings the last 50
        server, recent = start_server(), 50
    ann = open_chat(name='Ann', url=server.url)
    texts = [
        f'message {n}: ' + 'words to fill the line ' * 6 for n in range(recent + 7)
    ]
    for text in texts:
        say(ann, text)
    expect(said(ann)).to_have_count(len(texts), timeout=30_000)
    bob = open_chat(name='Bob', url=server.url)
    expect(said(bob)).to_have_text(texts[-recent:])
    expect(bob.locator('#older')).to_be_visible()
    bob.locator('#transcript').hover()
    for _ in range(20):
        if said(bob).count() == len(texts):
            break
        bob.mouse.wheel(0, -2000)
        bob.wait_for_timeout(100)
    expect(said(bob)).to_have_text(texts)
    ids = message_ids(bob)
    assert ids == sorted(set(ids))
    expect(bob.locator('.start')).to_have_text('This is the start of #general.')


def test_a_server_restart_leaves_no_gap_and_no_duplicate(open_chat, server):
    """a restart in the middle of a conversation: what was said while one page
    was away reaches it after, and what it said meanwhile is sent once"""
    # Ann's page's websockets go through route(): while she is away they are
    # closed at once (the browser's offline mode leaves websockets be), and
    # what her page sends is kept
    sent = []
    away = [False]

    def route(socket):
        if away[0]:
            socket.close()
            return
        upstream = socket.connect_to_server()

        def forward(frame):
            sent.append(frame)
            upstream.send(frame)

        socket.on_message(forward)

    ann, bob = open_chat(name='Ann', route=route), open_chat(name='Bob')
    say_and_wait(ann, 'one')
    say_and_wait(bob, 'two')
    newest = message_ids(ann)[-1]
    sent.clear()  # the frames Ann's page sends from now on
    # Ann's network goes away as the server restarts: Bob comes back first
    away[0] = True
    server.restart()
    expect(bob.locator('#status')).to_have_text(
        'connected', timeout=RECONNECT_TIMEOUT_MS
    )
    say_and_wait(bob, 'three, while Ann is away')
    say_and_wait(bob, 'four')
    say(ann, 'five, said offline')
    expect(ann.locator('li.message').last).to_have_attribute('data-status', 'sending')
    # Ann missed three and four
    expect(ann.locator('#status')).to_have_text('reconnecting')
    expect(said(ann)).to_have_text(['one', 'two'])
    away[0] = False
    expect(ann.locator('#status')).to_have_text(
        'connected', timeout=RECONNECT_TIMEOUT_MS
    )
    said_all = ['one', 'two', 'three, while Ann is away', 'four', 'five, said offline']
    for page in (ann, bob):
        expect(said(page)).to_have_text(said_all, timeout=RECONNECT_TIMEOUT_MS)
    say_and_wait(bob, 'six')
    for page in (ann, bob):
        expect(said(page)).to_have_text([*said_all, 'six'])
        expect(page.locator('li.message')).to_have_count(len(said_all) + 1)
    ids = message_ids(ann)
    assert ids == message_ids(bob)
    assert ids == sorted(set(ids))
    # Ann joined again after the newest message she held, then sent hers, once
    frames = [json.loads(frame) for frame in sent]
    joins = [f['params'] for f in frames if f.get('method') == 'join']
    assert [(j['room'], j['after']) for j in joins] == [('general', newest)]
    sends = [f['params'] for f in frames if f.get('method') == 'send']
    assert [s['text'] for s in sends] == ['five, said offline']

"""Guests in a real browser (no login): a name of one's own, remembered."""

from playwright.sync_api import expect

from .chat_e2e import say_and_wait


def test_name_is_remembered(open_chat, server):
    """without login, the name a person chose is there next time"""
    page = open_chat()
    guest = page.get_by_label('Name', exact=True).input_value()
    assert guest.startswith('guest-')
    page.get_by_label('Name', exact=True).fill('Zoë')
    page.reload()
    expect(page.get_by_label('Name', exact=True)).to_have_value('Zoë')
    page.goto(server.url)
    expect(page.get_by_label('Name', exact=True)).to_have_value('Zoë')


def test_a_new_name_shows_among_the_members(open_chat):
    """a guest who takes another name is listed under it by the others"""
    ann, bob = open_chat(name='Ann'), open_chat(name='Bob')
    expect(ann.locator('#members bdi')).to_have_text(['Ann', 'Bob'])
    bob.get_by_label('Name', exact=True).fill('Robert')
    bob.get_by_label('Name', exact=True).press('Enter')
    expect(ann.locator('#members bdi')).to_have_text(['Ann', 'Robert'])
    say_and_wait(bob, 'call me Robert')
    expect(ann.locator('li.message[data-id] .name')).to_have_text(['Robert'])

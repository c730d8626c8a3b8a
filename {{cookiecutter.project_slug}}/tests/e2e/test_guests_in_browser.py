"""Guests in a real browser (no login): a name of one's own, remembered."""

from playwright.sync_api import expect


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

"""Login in a real browser: the login page, a wrong password, in and out."""

from playwright.sync_api import expect

from ..login.fixtures import PASSWORD, log_in
from .chat_e2e import WINDOW, say


def test_login_flow(new_context, server):
    """a stranger is sent to the login page; a wrong password is refused; then in and out"""
    page = new_context(viewport=WINDOW).new_page()
    page.goto(server.url)
    page.wait_for_url('**/login')
    log_in(page, 'Ann', 'not the password')
    expect(page.locator('#error')).to_have_text('Wrong e-mail or password.')
    log_in(page, 'Ann', PASSWORD)
    expect(page.locator('#status')).to_have_text('connected')
    expect(page.locator('#user')).to_contain_text('Signed in as Ann')
    say(page, 'I am Ann, whatever I type')
    expect(page.locator('li.message[data-id] .name')).to_have_text(['Ann'])
    page.locator('#logout').click()
    page.wait_for_url('**/login')
    page.goto(server.url)
    page.wait_for_url('**/login')


def test_logging_out_closes_the_other_tabs_of_that_login(new_context, server):
    """two tabs of one login: logging out in one closes the other's chat,
    which goes back to the login page"""
    context = new_context(viewport=WINDOW)
    first = context.new_page()
    first.goto(server.url)
    log_in(first, 'Ann', PASSWORD)
    expect(first.locator('#status')).to_have_text('connected')
    second = context.new_page()
    second.goto(server.url)
    expect(second.locator('#status')).to_have_text('connected')
    first.locator('#logout').click()
    first.wait_for_url('**/login')
    second.wait_for_url('**/login')


def test_an_anonymous_socket_is_refused(new_context, server):
    """without a login the websocket never opens"""
    page = new_context().new_page()
    page.goto(f'{server.url}login')
    outcome = page.evaluate(
        '() => new Promise((resolve) => {'
        ' const socket = new WebSocket(`ws://${location.host}/ws`);'
        " socket.onopen = () => resolve('opened');"
        " socket.onclose = () => resolve('refused');"
        ' })'
    )
    assert outcome == 'refused'

"""Login sessions: logging out, and ending them, closes every door at once."""

import asyncio
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.web import create_signed_value
from tornado.websocket import websocket_connect

from {{ cookiecutter.package_name }}.login.sessions import LIFETIME, LOGGED_OUT

from ..fixtures import COOKIE_SECRET, join
from ..ports import free_port
from .fixtures import ANN
from .test_auth import form_token


async def logout_form(client, cookie):
    """the logout page's xsrf cookie and form token, for the login in cookie"""
    page = await client.fetch('/logout', headers={'Cookie': cookie})
    assert b'id="logout"' in page.body
    xsrf = page.headers['Set-Cookie'].split(';')[0]
    return f'{cookie}; {xsrf}', form_token(page)


async def post_logout(client, cookie, with_token=True):
    """press the logout button"""
    cookies, token = await logout_form(client, cookie)
    return await client.fetch(
        '/logout',
        method='POST',
        body=urlencode({'_xsrf': token} if with_token else {}),
        headers={'Cookie': cookies},
        follow_redirects=False,
        raise_error=False,
    )


async def who(client, cookie):
    """the name /api/session answers for cookie"""
    response = await client.fetch('/api/session', headers={'Cookie': cookie})
    return json.loads(response.body)['user']


async def closed(client, seconds=10):
    """the close code once the server has closed client's socket"""
    while await asyncio.wait_for(client.read_message(), seconds) is not None:
        pass
    return client.close_code


async def test_logout_ends_the_session_everywhere(http_server_client, ann_cookie):
    """the cookie is cleared, and a copy of it opens nothing any more"""
    assert await who(http_server_client, ann_cookie) == 'ann'
    response = await post_logout(http_server_client, ann_cookie)
    assert response.code == 302
    assert response.headers['Location'] == '/login'
    assert any(
        value.startswith('user=""') for value in response.headers.get_list('Set-Cookie')
    )
    assert await who(http_server_client, ann_cookie) is None


async def test_logout_closes_the_sessions_sockets_at_once(
    http_server_client, ws_connect, start_session, send, said
):
    """ann's sockets of that login close (4001), her other login's stay open"""
    _session_id, ann_cookie = await start_session()
    _other_id, other_cookie = await start_session()
    first = await ws_connect(headers={'Cookie': ann_cookie})
    second = await ws_connect(headers={'Cookie': ann_cookie})
    elsewhere = await ws_connect(headers={'Cookie': other_cookie})
    assert (await post_logout(http_server_client, ann_cookie)).code == 302
    assert await closed(first) == await closed(second) == LOGGED_OUT
    await send(elsewhere, name='ann', text='still here')
    assert (await said(elsewhere))['text'] == 'still here'
    with pytest.raises(HTTPClientError) as refused:
        await ws_connect(headers={'Cookie': ann_cookie})
    assert refused.value.code == 401


async def test_a_link_to_logout_logs_nobody_out(http_server_client, ann_cookie):
    """GET shows the button; a POST without the form's token is refused"""
    await logout_form(http_server_client, ann_cookie)
    response = await post_logout(http_server_client, ann_cookie, with_token=False)
    assert response.code == 403
    assert await who(http_server_client, ann_cookie) == 'ann'


async def test_logging_out_without_a_login_goes_to_the_form(http_server_client):
    """nothing to end: back to the login form"""
    response = await post_logout(http_server_client, 'other=1')
    assert (response.code, response.headers['Location']) == (302, '/login')


async def test_logout_says_503_while_sessions_cannot_be_ended(
    http_server_client, ann_cookie, outage
):
    """the session is not ended behind the person's back: they are told to retry"""
    await outage.begin('login_sessions')
    response = await post_logout(http_server_client, ann_cookie)
    await outage.end()
    assert response.code == 503
    assert b'Logging out is not possible just now' in response.body
    assert await who(http_server_client, ann_cookie) == 'ann'


async def test_a_cookie_of_an_account_id_opens_nothing(http_server_client, accounts):
    """a signed cookie that names no session (the account id it once held)"""
    value = create_signed_value(COOKIE_SECRET, 'user', str(accounts.ann_id)).decode()
    assert await who(http_server_client, f'user={value}') is None


async def test_a_session_ends_after_its_lifetime(accounts, ann_session):
    """fourteen days after the login, the session opens nothing"""
    session_id, _cookie = ann_session
    assert (await accounts.sessions.account(session_id)).name == 'ann'
    accounts.sessions.clock = lambda: time.time() + LIFETIME
    assert await accounts.sessions.account(session_id) is None


@pytest.mark.parametrize(
    'ending', ['end the session', 'remove the account', 'set a new password']
)
async def test_the_watch_closes_the_sockets_of_ended_sessions(
    ws_connect, accounts, ann_session, session_watch, ending
):
    """however it ended (elsewhere: another process, the command line), the
    next check closes the session's sockets"""
    session_id, _cookie = ann_session
    client = await ws_connect()
    end = {
        'end the session': lambda: accounts.sessions.end(session_id),
        'remove the account': lambda: accounts.remove(ANN['email']),
        'set a new password': lambda: accounts.set_password(ANN['email'], 'new one!'),
    }[ending]
    await end()
    await session_watch.check()
    assert await closed(client) == LOGGED_OUT
    assert session_watch.sockets == {}
    await session_watch.check()


async def test_the_watch_waits_out_an_outage_and_says_so_once(
    ws_connect, ann_session, session_watch, outage, caplog
):
    """while the sessions cannot be read, sockets stay open and one line is
    logged; once they can, ended sessions are closed"""
    session_id, _cookie = ann_session
    client = await ws_connect()
    await outage.begin('login_sessions')
    with caplog.at_level(logging.WARNING):
        await session_watch.check()
        await session_watch.check()
    await outage.end()
    assert caplog.text.count('open sessions not checked until it is back') == 1
    await session_watch.sessions.end(session_id)
    await session_watch.check()
    assert await closed(client) == LOGGED_OUT


async def test_removing_an_account_closes_its_socket_on_a_running_server(
    launch, ann_cookie, run_module
):
    """`inv account-remove`, in a process of its own, closes the open socket
    of the removed account on a server started as users start it"""
    port = free_port()
    server = launch(f'--port={port}', '--session_check=0.2')
    await server.until_said('chat server on')
    request = HTTPRequest(f'ws://127.0.0.1:{port}/ws', headers={'Cookie': ann_cookie})
    client = await websocket_connect(request)
    assert 'messages' in await join(client)
    await asyncio.to_thread(run_module, 'login.manage_accounts', 'remove', ANN['email'])
    assert await closed(client) == LOGGED_OUT
    client.close()
    assert server.stop() == 0

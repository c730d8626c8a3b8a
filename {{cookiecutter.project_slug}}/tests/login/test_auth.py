"""Login: passwords, the login form, the backoff, and the websocket's door."""

import asyncio
import json
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import update
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.simple_httpclient import SimpleAsyncHTTPClient

from {{ cookiecutter.package_name }}.login.accounts import AccountExists, NoSuchAccount
from {{ cookiecutter.package_name }}.login.part import require_secret
from {{ cookiecutter.package_name }}.login.passwords import (
    COST,
    Busy,
    Hasher,
    default_workers,
    hash_password,
    needs_rehash,
    verify_password,
)
from {{ cookiecutter.package_name }}.store.tables import Account

from ..fixtures import next_frame, read_answer, request
from .fixtures import ANN, CHEAP

HOME = '127.0.0.1'


def test_passwords_are_salted_hashes():
    """never the password itself; a new salt every time; only the right one fits"""
    first = hash_password('correct horse', CHEAP)
    second = hash_password('correct horse', CHEAP)
    assert 'correct horse' not in first
    assert first != second
    assert first.startswith('scrypt$1024$8$1$')
    assert verify_password('correct horse', first)
    assert not verify_password('wrong horse', first)


def test_the_cost_is_owasps_and_older_hashes_are_made_again():
    """scrypt at N=2^17, r=8, p=1; a hash of another cost needs making again"""
    assert COST == {'n': 1 << 17, 'r': 8, 'p': 1}
    assert needs_rehash(hash_password('correct horse', CHEAP))
    assert not needs_rehash(hash_password('correct horse', CHEAP), CHEAP)


async def test_a_good_login_makes_an_older_hash_again(accounts, hasher):
    """ann's hash was made at a lower cost: her next good login raises it"""
    old = hash_password(ANN['password'], {'n': 1 << 9, 'r': 8, 'p': 1})
    async with accounts.database.writing() as db:
        await db.execute(update(Account).values(password_hash=old))
    account, _session = await accounts.login(ANN['email'], ANN['password'], HOME)
    assert account.name == 'ann'
    (ann,) = await accounts.everyone()
    assert ann.password_hash.startswith('scrypt$1024$8$1$')
    assert verify_password(ANN['password'], ann.password_hash)
    assert hasher.cost == CHEAP


async def test_the_hasher_refuses_logins_past_its_queue():
    """with one worker and no room to wait, a second check at once is Busy"""
    hasher = Hasher(cost=CHEAP, workers=1, waiting=0)
    try:
        checks = [hasher.verify('guess', hash_password('x', CHEAP)) for _ in range(2)]
        outcomes = await asyncio.gather(*checks, return_exceptions=True)
    finally:
        hasher.close()
    assert outcomes[0] is False
    assert isinstance(outcomes[1], Busy)
    assert hasher.pending == 0


def test_half_the_cores_hash_at_once(monkeypatch):
    """the pool leaves the chat some of the machine, and has one worker at least"""
    monkeypatch.setattr('os.cpu_count', lambda: 8)
    assert default_workers() == 4
    monkeypatch.setattr('os.cpu_count', lambda: None)
    assert default_workers() == 1


MALFORMED = ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$x$8$1$AA==$AA==']
FORGED = [None, 'user=forged', 'user=2|1:0|10:1|4:user|4:OTk5|0']


@pytest.mark.parametrize('stored', MALFORMED)
def test_a_malformed_hash_matches_nothing(stored):
    """a hash of another scheme or a broken one never lets anyone in"""
    assert not verify_password('anything', stored)


def fetch(client, path, address=None, raise_error=True, **kwargs):
    """client.fetch(path), from another loopback address when one is given
    (the server sees "another machine")"""
    sent = HTTPRequest(client.get_url(path), network_interface=address, **kwargs)
    return SimpleAsyncHTTPClient.fetch(client, sent, raise_error=raise_error)


def form_token(page):
    """the XSRF token in a page's form"""
    return re.search(rb'name="_xsrf" value="([^"]+)"', page.body).group(1).decode()


async def login_form(client, address=None):
    """the xsrf cookie and form token of a fresh login page"""
    page = await fetch(client, '/login', address)
    assert b'type="password"' in page.body
    cookie = page.headers['Set-Cookie'].split(';')[0]
    return cookie, form_token(page)


async def post_login(client, email, password, address=None):
    """submit the login form as a browser would"""
    cookie, token = await login_form(client, address)
    body = urlencode({'_xsrf': token, 'email': email, 'password': password})
    return await fetch(
        client,
        '/login',
        address,
        method='POST',
        body=body,
        headers={'Cookie': cookie},
        follow_redirects=False,
        raise_error=False,
    )


async def test_a_good_login_sets_a_safe_cookie(http_server_client):
    """the right password: a signed HttpOnly, SameSite=Lax cookie and off to the chat"""
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 302
    assert response.headers['Location'] == '/'
    cookie = [
        value
        for value in response.headers.get_list('Set-Cookie')
        if value.startswith('user=')
    ][0]
    assert 'HttpOnly' in cookie
    assert 'SameSite=Lax' in cookie
    assert 'Secure' not in cookie


@pytest.mark.parametrize(
    'email, password',
    [(ANN['email'], 'wrong password'), ('nobody@example.com', ANN['password'])],
)
async def test_a_wrong_login_says_so_without_telling_which(
    http_server_client, email, password
):
    """wrong password and unknown account get the same answer"""
    response = await post_login(http_server_client, email, password)
    assert response.code == 401
    assert b'Wrong e-mail or password.' in response.body
    assert 'user=' not in str(response.headers.get_list('Set-Cookie'))


async def test_a_login_without_the_xsrf_token_is_refused(http_server_client):
    """the form is protected against cross-site posts"""
    response = await http_server_client.fetch(
        '/login',
        method='POST',
        body=urlencode({'email': ANN['email'], 'password': ANN['password']}),
        raise_error=False,
    )
    assert response.code == 403


async def test_a_login_waits_while_the_accounts_cannot_be_read(
    http_server_client, outage
):
    """a database outage at login is a clear 503, then logins work again"""
    await outage.begin('accounts')
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 503
    assert b'Logging in is not possible just now: try again.' in response.body
    await outage.end()
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 302


async def test_a_login_is_refused_while_too_many_wait(http_server_client, hasher):
    """more logins at once than the hasher lets wait: 503, not an ever longer queue"""
    hasher.limit = 0
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 503
    assert b'Logging in is not possible just now' in response.body


async def test_the_session_says_who_is_logged_in(http_server_client, ann_cookie):
    """the client learns whether to show the login page"""
    anonymous = await http_server_client.fetch('/api/session')
    assert json.loads(anonymous.body)['user'] is None
    ann = await http_server_client.fetch('/api/session', headers={'Cookie': ann_cookie})
    session = json.loads(ann.body)
    assert (session['auth'], session['user']) == (True, 'ann')
    assert session['xsrf']


@pytest.mark.parametrize('cookie', FORGED)
async def test_the_socket_refuses_anyone_not_logged_in(ws_connect, cookie):
    """no cookie, or a forged one: 401 at the upgrade"""
    with pytest.raises(HTTPClientError) as refused:
        await ws_connect(headers={'Cookie': cookie} if cookie else {})
    assert refused.value.code == 401


async def test_messages_go_out_under_the_accounts_name(
    ws_connect, ann_cookie, send, said
):
    """whatever name the client sends, the message carries the login's"""
    client = await ws_connect(headers={'Cookie': ann_cookie}, name='mallory')
    await send(client, name='mallory', text='who am I?')
    message = await said(client)
    assert (message['name'], message['text']) == ('ann', 'who am I?')


async def presences(client, count):
    """the params of the next count presence notifications client receives"""
    frames = []
    while len(frames) < count:
        frame = await next_frame(client)
        if frame.get('method') == 'presence':
            frames.append(frame['params'])
    return frames


async def test_presence_and_messages_carry_the_accounts_names(
    ws_connect, person_headers, send, said
):
    """the members, who joined, who is typing, who said it and who left: the
    accounts' names, whatever name the clients send"""
    ann = await ws_connect(headers=await person_headers('ann'), name='mallory')
    assert ann.history['members'] == ['ann']
    robert = await ws_connect(headers=await person_headers('bob'), name='eve')
    assert robert.history['members'] == ['ann', 'bob']
    assert await presences(ann, 2) == [
        {'room': 'general', 'count': 1, 'members': ['ann'], 'joined': ['ann']},
        {'room': 'general', 'count': 2, 'members': ['ann', 'bob'], 'joined': ['bob']},
    ]
    await robert.write_message(request('typing', 't1', room='general', name='eve'))
    assert (await read_answer(robert, 't1'))['result'] == {}
    typing = await next_frame(ann)
    assert typing['params'] == {'room': 'general', 'name': 'bob'}
    await send(robert, name='mallory', text='it is me')
    for client in (ann, robert):
        message = await said(client)
        assert (message['name'], message['text']) == ('bob', 'it is me')
    robert.close()
    assert await presences(ann, 1) == [
        {'room': 'general', 'count': 1, 'members': ['ann'], 'left': ['bob']}
    ]


async def test_a_send_retried_from_another_connection_is_said_once(
    ws_connect, start_session, send, said, answer_of
):
    """ann's send, tried again with the same client_id from her other tab (or
    login): the first answer again, stored once, delivered once"""
    _session, other_cookie = await start_session()
    first = await ws_connect()
    second = await ws_connect(headers={'Cookie': other_cookie})
    watcher = await ws_connect()
    request_id = await send(first, name='ann', text='once', client_id='retry-1')
    answer = await answer_of(first, request_id)
    for client in (first, second, watcher):
        assert (await said(client))['id'] == answer['result']['id']
    request_id = await send(second, name='ann', text='once', client_id='retry-1')
    assert (await answer_of(second, request_id))['result'] == answer['result']
    await send(watcher, name='ann', text='then this')
    for client in (first, second, watcher):
        assert (await said(client))['text'] == 'then this'
    late = await ws_connect()
    texts = [message['text'] for message in late.history['messages']]
    assert texts[-2:] == ['once', 'then this']
    assert texts.count('once') == 1


async def test_the_socket_says_503_when_accounts_cannot_be_read(ws_connect, outage):
    """a database outage at the door is a clear refusal, not a crash"""
    await outage.begin('accounts')
    with pytest.raises(HTTPClientError) as refused:
        await ws_connect()
    assert refused.value.code == 503
    await outage.end()
    assert await ws_connect()


async def test_the_session_says_503_when_accounts_cannot_be_read(
    http_server_client, ann_cookie, outage
):
    """the page's first question gets a clear answer during an outage too"""
    await outage.begin('accounts')
    with pytest.raises(HTTPClientError) as refused:
        await http_server_client.fetch('/api/session', headers={'Cookie': ann_cookie})
    assert refused.value.code == 503
    await outage.end()


async def test_accounts_are_added_listed_changed_and_removed(accounts):
    """one account per e-mail (any case); a new password and removal say
    whether there was one"""
    await accounts.add('Bob@Example.com ', 'bob', 'another secret')
    with pytest.raises(AccountExists):
        await accounts.add('bob@example.com', 'bob', 'another secret')
    assert [account.email for account in await accounts.everyone()] == [
        'ann@example.com',
        'bob@example.com',
    ]
    await accounts.set_password('bob@example.com', 'a new secret')
    with pytest.raises(NoSuchAccount):
        await accounts.set_password('nobody@example.com', 'a new secret')
    assert await accounts.remove('BOB@example.com')
    assert not await accounts.remove('bob@example.com')


def test_a_secret_is_required_outside_debug():
    """without COOKIE_SECRET the server refuses to start"""
    with pytest.raises(SystemExit, match='COOKIE_SECRET is not set'):
        require_secret({'cookie_secret': None, 'debug': False})


def test_debug_makes_up_a_throwaway_secret():
    """in debug mode a random secret is used, and a given one is kept"""
    settings = {'cookie_secret': None, 'debug': True}
    require_secret(settings)
    assert len(settings['cookie_secret']) >= 32
    given = {'cookie_secret': 'given', 'debug': False}
    require_secret(given)
    assert given['cookie_secret'] == 'given'


async def test_the_login_page_cannot_be_framed(http_server_client):
    """no foreign page may show the login form inside a frame (clickjacking)"""
    page = await http_server_client.fetch('/login')
    assert "frame-ancestors 'none'" in page.headers['Content-Security-Policy']
    assert page.headers['X-Frame-Options'] == 'DENY'
    assert b'href="/login.css"' in page.body
    style = await http_server_client.fetch('/login.css')
    assert style.headers['Content-Type'].startswith('text/css')

""" Login: passwords, the login form, the backoff, and the websocket's door. """
import asyncio
import re
from urllib.parse import urlencode

import pytest
from tornado.httpclient import HTTPClientError

from {{ cookiecutter.package_name }}.accounts import (
    FREE_TRIES,
    AccountExists,
    TooSoon,
    lock_seconds,
)
from {{ cookiecutter.package_name }}.history import Unavailable
from {{ cookiecutter.package_name }}.login_part import require_secret
from {{ cookiecutter.package_name }}.passwords import hash_password, verify_password

from .login_fixtures import ANN


def test_passwords_are_salted_hashes():
    """ never the password itself; a new salt every time; only the right one fits """
    first, second = hash_password('correct horse'), hash_password('correct horse')
    assert 'correct horse' not in first
    assert first != second
    assert first.startswith('scrypt$16384$8$1$')
    assert verify_password('correct horse', first)
    assert not verify_password('wrong horse', first)


MALFORMED = ['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$x$8$1$AA==$AA==']
FORGED = [None, 'user=forged', 'user=2|1:0|10:1|4:user|4:OTk5|0']


@pytest.mark.parametrize('stored', MALFORMED)
def test_a_malformed_hash_matches_nothing(stored):
    """ a hash of another scheme or a broken one never lets anyone in """
    assert not verify_password('anything', stored)


def test_the_lock_doubles_after_the_free_tries():
    """ three free failures, then 1x, 2x, 4x the backoff, up to a cap """
    assert [lock_seconds(n, 1.0) for n in range(1, 7)] == [0, 0, 1, 2, 4, 8]
    assert lock_seconds(40, 1.0) == 15 * 60


async def login_form(client):
    """ the xsrf cookie and form token of a fresh login page """
    page = await client.fetch('/login')
    assert b'type="password"' in page.body
    cookie = page.headers['Set-Cookie'].split(';')[0]
    token = re.search(rb'name="_xsrf" value="([^"]+)"', page.body).group(1).decode()
    return cookie, token


async def post_login(client, email, password):
    """ submit the login form as a browser would """
    cookie, token = await login_form(client)
    body = urlencode({'_xsrf': token, 'email': email, 'password': password})
    return await client.fetch(
        '/login',
        method='POST',
        body=body,
        headers={'Cookie': cookie},
        follow_redirects=False,
        raise_error=False,
    )


async def test_a_good_login_sets_a_safe_cookie(http_server_client):
    """ the right password: a signed HttpOnly, SameSite=Lax cookie and off to the chat """
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
    """ wrong password and unknown account get the same answer """
    response = await post_login(http_server_client, email, password)
    assert response.code == 401
    assert b'Wrong e-mail or password.' in response.body
    assert 'user=' not in str(response.headers.get_list('Set-Cookie'))


async def test_a_login_without_the_xsrf_token_is_refused(http_server_client):
    """ the form is protected against cross-site posts """
    response = await http_server_client.fetch(
        '/login',
        method='POST',
        body=urlencode({'email': ANN['email'], 'password': ANN['password']}),
        raise_error=False,
    )
    assert response.code == 403


async def test_repeated_failures_slow_the_account_down(http_server_client, accounts):
    """ after three failures even the right password waits for the lock to pass """
    # the accounts' clock stands still unless the test moves it: however long a
    # password check takes on a loaded machine, the lock has not passed by itself
    now = [1_000_000.0]
    accounts.clock = lambda: now[0]
    for _ in range(3):
        response = await post_login(http_server_client, ANN['email'], 'guess')
        assert response.code == 401
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 429
    assert b'Too many failed logins: try again in' in response.body
    now[0] += accounts.backoff + 0.05
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 302
    (ann,) = await accounts.everyone()
    assert (ann.failed_logins, ann.locked_until) == (0, 0.0)


async def test_logout_forgets_the_login(http_server_client):
    """ the cookie is cleared and the browser goes back to the form """
    response = await http_server_client.fetch(
        '/logout', follow_redirects=False, raise_error=False
    )
    assert response.code == 302
    assert response.headers['Location'] == '/login'
    assert any(
        value.startswith('user=""') for value in response.headers.get_list('Set-Cookie')
    )


async def test_the_session_says_who_is_logged_in(http_server_client, ann_cookie):
    """ the client learns whether to show the login page """
    anonymous = await http_server_client.fetch('/api/session')
    assert anonymous.body == b'{"auth": true, "user": null}'
    ann = await http_server_client.fetch('/api/session', headers={'Cookie': ann_cookie})
    assert ann.body == b'{"auth": true, "user": "ann"}'


@pytest.mark.parametrize('cookie', FORGED)
async def test_the_socket_refuses_anyone_not_logged_in(ws_connect, cookie):
    """ no cookie, or a forged one: 401 at the upgrade """
    with pytest.raises(HTTPClientError) as refused:
        await ws_connect(headers={'Cookie': cookie} if cookie else {})
    assert refused.value.code == 401


async def test_messages_go_out_under_the_accounts_name(ws_connect, send, receive):
    """ whatever name the client sends, the message carries the login's """
    client = await ws_connect()
    await send(client, name='mallory', text='who am I?')
    message = await receive(client)
    assert (message['name'], message['text']) == ('ann', 'who am I?')


async def test_the_socket_says_503_when_accounts_cannot_be_read(ws_connect, outage):
    """ a database outage at the door is a clear refusal, not a crash """
    await outage.begin('accounts')
    with pytest.raises(HTTPClientError) as refused:
        await ws_connect()
    assert refused.value.code == 503
    await outage.end()
    assert await ws_connect()


async def test_the_session_says_503_when_accounts_cannot_be_read(
    http_server_client, ann_cookie, outage
):
    """ the page's first question gets a clear answer during an outage too """
    await outage.begin('accounts')
    with pytest.raises(HTTPClientError) as refused:
        await http_server_client.fetch('/api/session', headers={'Cookie': ann_cookie})
    assert refused.value.code == 503
    await outage.end()


async def test_a_login_says_503_when_accounts_cannot_be_read(
    http_server_client, outage
):
    """ the login form during an outage: 503 and the form again, not a crash """
    await outage.begin('accounts')
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 503
    assert b'The database is unavailable just now' in response.body
    await outage.end()


async def test_accounts_are_added_listed_and_removed(accounts, outage):
    """ one account per e-mail (any case); removal says whether there was one """
    await accounts.add('Bob@Example.com ', 'bob', 'another secret')
    with pytest.raises(AccountExists):
        await accounts.add('bob@example.com', 'bob', 'another secret')
    assert [account.email for account in await accounts.everyone()] == [
        'ann@example.com',
        'bob@example.com',
    ]
    assert await accounts.remove('BOB@example.com')
    assert not await accounts.remove('bob@example.com')
    await outage.begin('accounts')
    with pytest.raises(Unavailable):
        await accounts.by_id(1)
    await outage.end()


def test_a_secret_is_required_outside_debug():
    """ without COOKIE_SECRET the server refuses to start """
    with pytest.raises(SystemExit, match='COOKIE_SECRET is not set'):
        require_secret({'cookie_secret': None, 'debug': False})


def test_debug_makes_up_a_throwaway_secret():
    """ in debug mode a random secret is used, and a given one is kept """
    settings = {'cookie_secret': None, 'debug': True}
    require_secret(settings)
    assert len(settings['cookie_secret']) >= 32
    given = {'cookie_secret': 'given', 'debug': False}
    require_secret(given)
    assert given['cookie_secret'] == 'given'


async def test_the_login_page_cannot_be_framed(http_server_client):
    """ no foreign page may show the login form inside a frame (clickjacking) """
    page = await http_server_client.fetch('/login')
    assert "frame-ancestors 'none'" in page.headers['Content-Security-Policy']
    assert page.headers['X-Frame-Options'] == 'DENY'
    assert b'href="/login.css"' in page.body
    style = await http_server_client.fetch('/login.css')
    assert style.headers['Content-Type'].startswith('text/css')


async def test_parallel_guesses_are_each_counted_and_soon_refused(accounts):
    """ 40 wrong passwords at once: only the free tries are checked, each one is
    counted (no update lost), and the rest are refused unchecked """
    accounts.clock = lambda: 1_000_000.0  # no lock passes while they run
    guesses = [accounts.login(ANN['email'], f'guess {n}') for n in range(40)]
    outcomes = await asyncio.gather(*guesses, return_exceptions=True)
    checked = [outcome for outcome in outcomes if outcome is None]
    refused = [outcome for outcome in outcomes if isinstance(outcome, TooSoon)]
    assert len(checked) == FREE_TRIES
    assert len(refused) == 40 - FREE_TRIES
    (ann,) = await accounts.everyone()
    assert ann.failed_logins == FREE_TRIES


async def test_parallel_logins_over_http_are_refused_past_the_free_tries(
    http_server_client, accounts
):
    """ the same attack through the login form: 401 for the free tries, 429 after """
    accounts.clock = lambda: 1_000_000.0  # no lock passes while they run
    posts = [post_login(http_server_client, ANN['email'], 'guess') for _ in range(20)]
    codes = sorted(response.code for response in await asyncio.gather(*posts))
    assert codes == [401] * FREE_TRIES + [429] * (20 - FREE_TRIES)


async def test_a_right_password_clears_the_failures(accounts):
    """ two failures, then the right password: the count starts again """
    for _ in range(2):
        assert await accounts.login(ANN['email'], 'wrong') is None
    ann = await accounts.login(ANN['email'], ANN['password'])
    assert (ann.name, ann.failed_logins, ann.locked_until) == ('ann', 0, 0.0)

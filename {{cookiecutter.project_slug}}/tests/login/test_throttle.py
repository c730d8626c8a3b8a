"""The login throttle: guessing slows down, nobody is locked out, nothing is told."""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import asyncio

import pytest
from sqlalchemy import select

from {{ cookiecutter.package_name }}.login.throttle import (
    ADDRESS_FREE_TRIES,
    FREE_TRIES,
    WINDOW,
    TooSoon,
    lock_seconds,
    network,
)
from {{ cookiecutter.package_name }}.store.tables import LoginFailures

from .fixtures import ANN
from .test_auth import post_login

HOME = '127.0.0.1'
ELSEWHERE = '127.0.0.2'
NOBODY = 'nobody@example.com'


@pytest.fixture(autouse=True)
def clock(accounts):
    """the accounts' clock, standing still unless the test moves it: however
    long a check takes on a loaded machine, no lock passes by itself"""
    now = [1_000_000.0]
    accounts.clock = lambda: now[0]
    return now


async def outcome(accounts, email, password, address=HOME):
    """what one login attempt comes to: 'in', 'wrong' or 'wait'"""
    try:
        login = await accounts.login(email, password, address)
    except TooSoon:
        return 'wait'
    return 'in' if login else 'wrong'


async def failures(accounts):
    """the counts in the table, largest first"""
    async with accounts.database.reading() as db:
        counts = await db.scalars(select(LoginFailures.failures))
        return sorted(counts, reverse=True)


def test_the_lock_doubles_after_the_free_tries():
    """three free failures, then 1x, 2x, 4x the backoff, up to a cap"""
    assert [lock_seconds(n, 1.0) for n in range(1, 7)] == [0, 0, 1, 2, 4, 8]
    assert lock_seconds(40, 1.0) == 15 * 60
    assert lock_seconds(ADDRESS_FREE_TRIES, 1.0, ADDRESS_FREE_TRIES) == 1.0


def test_an_ipv6_client_counts_by_its_network():
    """one machine may hold a whole /64: it is one client"""
    assert network('2001:db8::1') == network('2001:db8::ffff:1') == '2001:db8::/64'
    assert network('127.0.0.2') == '127.0.0.2'
    assert network('not an address') == 'not an address'


async def test_known_and_unknown_e_mails_are_answered_alike(accounts):
    """the same outcomes, one by one, whether the account exists or not"""
    known = [await outcome(accounts, ANN['email'], 'guess') for _ in range(5)]
    unknown = [await outcome(accounts, NOBODY, 'guess') for _ in range(5)]
    assert known == unknown == ['wrong'] * FREE_TRIES + ['wait'] * 2


async def test_a_guesser_elsewhere_cannot_lock_ann_out(accounts):
    """the guesses from elsewhere wait; ann, at home, logs in at once"""
    guesses = [
        await outcome(accounts, ANN['email'], 'guess', ELSEWHERE) for _ in range(6)
    ]
    assert guesses == ['wrong'] * FREE_TRIES + ['wait'] * 3
    assert await outcome(accounts, ANN['email'], ANN['password'], HOME) == 'in'
    assert await outcome(accounts, ANN['email'], ANN['password'], ELSEWHERE) == 'wait'


async def test_one_address_cannot_try_every_account(accounts):
    """password spraying: one guess on each of many e-mails; the address waits"""
    emails = [f'person{n}@example.com' for n in range(ADDRESS_FREE_TRIES + 1)]
    sprayed = [
        await outcome(accounts, email, 'Summer2026!', ELSEWHERE) for email in emails
    ]
    assert sprayed == ['wrong'] * ADDRESS_FREE_TRIES + ['wait']
    assert await outcome(accounts, ANN['email'], ANN['password'], HOME) == 'in'


async def test_the_lock_passes_and_a_right_password_clears_the_count(accounts, clock):
    """after the free tries even the right password waits for the lock to pass;
    then it logs in, and the count of that e-mail and address starts again"""
    for _ in range(FREE_TRIES):
        assert await outcome(accounts, ANN['email'], 'guess') == 'wrong'
    with pytest.raises(TooSoon, match='try again in 1 s'):
        await accounts.login(ANN['email'], ANN['password'], HOME)
    clock[0] += accounts.throttle.backoff
    assert await outcome(accounts, ANN['email'], ANN['password']) == 'in'
    # the pair is clear; the address keeps its failures, not the good login
    assert await failures(accounts) == [FREE_TRIES]


async def test_good_logins_do_not_count_against_their_address(accounts):
    """many people behind one address log in all day"""
    for _ in range(ADDRESS_FREE_TRIES + 5):
        assert await outcome(accounts, ANN['email'], ANN['password']) == 'in'
    assert await failures(accounts) == [0]


async def test_the_counts_start_again_after_the_window(accounts, clock):
    """failures older than the window are forgotten, and their rows dropped"""
    for _ in range(FREE_TRIES):
        await outcome(accounts, ANN['email'], 'guess')
    clock[0] += WINDOW
    assert await outcome(accounts, ANN['email'], 'guess') == 'wrong'
    assert await failures(accounts) == [1, 1]
    clock[0] += WINDOW
    assert await outcome(accounts, NOBODY, 'guess', ELSEWHERE) == 'wrong'
    assert await failures(accounts) == [1, 1]


async def test_parallel_guesses_are_each_counted_and_soon_refused(accounts):
    """40 wrong passwords at once: only the free tries are checked, each one is
    counted (no update lost), and the rest are refused unchecked"""
    guesses = [outcome(accounts, ANN['email'], f'guess {n}') for n in range(40)]
    outcomes = await asyncio.gather(*guesses)
    assert sorted(outcomes) == ['wait'] * (40 - FREE_TRIES) + ['wrong'] * FREE_TRIES
    assert await failures(accounts) == [FREE_TRIES, FREE_TRIES]


async def test_parallel_logins_over_http_are_refused_past_the_free_tries(
    http_server_client,
):
    """the same attack through the login form, from another machine: 401 for
    the free tries, 429 after, for an account and a stranger alike; the owner
    still logs in from home"""
    for email in (ANN['email'], NOBODY):
        posts = [
            post_login(http_server_client, email, 'guess', ELSEWHERE) for _ in range(20)
        ]
        responses = await asyncio.gather(*posts)
        codes = sorted(response.code for response in responses)
        assert codes == [401] * FREE_TRIES + [429] * (20 - FREE_TRIES)
        refused = [response.body for response in responses if response.code == 429]
        assert b'Too many failed logins: try again in 1 s.' in refused[0]
    response = await post_login(http_server_client, ANN['email'], ANN['password'])
    assert response.code == 302

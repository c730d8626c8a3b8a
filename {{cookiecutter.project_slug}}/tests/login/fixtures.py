"""Fixtures of auth=password: the accounts, with ann's, her session and login
cookie, the watch on sessions; in the browser tests, accounts on every server
and pages that log in."""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect
from tornado.web import create_signed_value

from {{ cookiecutter.package_name }}.login.accounts import Accounts
from {{ cookiecutter.package_name }}.login.passwords import Hasher
from {{ cookiecutter.package_name }}.login.sessions import SessionWatch

from ..e2e.chat_e2e import PACKAGE, WINDOW
from ..fixtures import COOKIE_SECRET

ANN = {'email': 'ann@example.com', 'name': 'ann', 'password': 'correct horse'}
# the tests hash at a low cost, to be quick; test_auth checks the real COST
CHEAP = {'n': 1 << 10, 'r': 8, 'p': 1}


@pytest.fixture
def hasher():
    """a password hasher at the tests' low cost"""
    made = Hasher(cost=CHEAP, workers=2)
    yield made
    made.close()


@pytest.fixture
def accounts(io_loop, database, hasher):
    """the accounts, with ann able to log in; a short backoff for the tests"""
    kept = Accounts(database, backoff=0.2, hasher=hasher)
    ann = io_loop.run_sync(lambda: kept.add(ANN['email'], ANN['name'], ANN['password']))
    kept.ann_id = ann.id
    return kept


@pytest.fixture
def session_watch(accounts):
    """the watch on the sessions of open sockets (the tests run its checks)"""
    return SessionWatch(accounts.sessions)


@pytest.fixture
def app_settings(app_settings, accounts, session_watch):
    """the application checks logins against the accounts"""
    return {**app_settings, 'accounts': accounts, 'session_watch': session_watch}


@pytest.fixture
def start_session(accounts):
    """a factory: `await start_session()` starts a session of ann's (or of the
    account account_id) and returns (its id, the Cookie header that carries it)"""

    async def start(account_id=None):
        async with accounts.database.writing() as db:
            session_id = await accounts.sessions.start(
                db, account_id or accounts.ann_id
            )
        value = create_signed_value(COOKIE_SECRET, 'user', session_id)
        return session_id, f'user={value.decode()}'

    return start


@pytest.fixture
def ann_session(io_loop, start_session):
    """a session of ann's: (its id, its Cookie header)"""
    return io_loop.run_sync(start_session)


@pytest.fixture
def ann_cookie(ann_session):
    """the Cookie header of ann's login"""
    return ann_session[1]


@pytest.fixture
def ws_headers(ws_headers, ann_cookie):
    """test clients are logged in as ann"""
    return {**ws_headers, 'Cookie': ann_cookie}


@pytest.fixture
def person_headers(accounts, start_session, ann_cookie):
    """a helper: `await person_headers(name)`, the Cookie of a login of the
    account named name (made the first time: name@example.com); ann's is
    her one login's, as in ws_headers"""
    made = {}

    async def headers(name):
        if name == ANN['name']:
            return {'Cookie': ann_cookie}
        if name not in made:
            account = await accounts.add(f'{name}@example.com', name, 'a password')
            made[name] = account.id
        return {'Cookie': (await start_session(made[name]))[1]}

    return headers


# the browser tests: the accounts every test server has, e-mail <name>@example.com
PEOPLE = ('Ann', 'Bob')
PASSWORD = 'e2e password'


def email(name):
    """the test account's e-mail address"""
    return f'{name.lower()}@example.com'


def add_account(server, name, password):
    """add an account to server's database as `inv account-add` does,
    the password on standard input"""
    command = [
        sys.executable,
        '-m',
        f'{PACKAGE}.login.manage_accounts',
        'add',
        email(name),
    ]
    subprocess.run(
        command + ['--name', name],
        input=f'{password}\n',
        cwd=server.cwd,
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def log_in(page, name, password):
    """on the login page (where the chat sends a stranger): fill it in, submit"""
    page.wait_for_url('**/login')
    page.get_by_label('E-mail').fill(email(name))
    page.get_by_label('Password').fill(password)
    page.get_by_role('button', name='Log in').click()


@pytest.fixture
def e2e_setup(e2e_setup):
    """each browser test server has an account for each of PEOPLE"""

    def setup(server):
        e2e_setup(server)
        for person in PEOPLE:
            add_account(server, person, PASSWORD)

    return setup


@pytest.fixture
def open_chat(new_context, server):
    """a factory: `page = open_chat(name='Ann')`, the chat page of that account,
    logged in (Ann by default); route=handler: its websockets go through handler,
    as tests/e2e/fixtures.py's open_chat does"""

    def open_page(name='Ann', url=None, viewport=None, connected=True, route=None):
        context = new_context(viewport=viewport or WINDOW)
        if route is not None:
            context.route_web_socket(re.compile(r'/ws$'), route)
        page = context.new_page()
        page.goto(url or server.url)
        log_in(page, name, PASSWORD)
        if connected:
            expect(page.locator('#status')).to_have_text('connected')
        return page

    return open_page

""" Fixtures of auth=password: the accounts, with ann's, and her login cookie;
in the browser tests, accounts on every server and pages that log in. """
# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import subprocess
import sys

import pytest
from playwright.sync_api import expect
from tornado.web import create_signed_value

from {{ cookiecutter.package_name }}.accounts import Accounts

from .e2e.chat_e2e import PACKAGE, WINDOW
from .fixtures import COOKIE_SECRET

ANN = {'email': 'ann@example.com', 'name': 'ann', 'password': 'correct horse'}


@pytest.fixture
def accounts(io_loop, database):
    """ the accounts, with ann able to log in; a short backoff for the tests """
    kept = Accounts(database, backoff=0.2)
    ann = io_loop.run_sync(lambda: kept.add(ANN['email'], ANN['name'], ANN['password']))
    kept.ann_id = ann.id
    return kept


@pytest.fixture
def app_settings(app_settings, accounts):
    """ the application checks logins against the accounts """
    return {**app_settings, 'accounts': accounts}


@pytest.fixture
def ann_cookie(accounts):
    """ the Cookie header of ann's login """
    value = create_signed_value(COOKIE_SECRET, 'user', str(accounts.ann_id))
    return f'user={value.decode()}'


@pytest.fixture
def ws_headers(ws_headers, ann_cookie):
    """ test clients are logged in as ann """
    return {**ws_headers, 'Cookie': ann_cookie}


# the browser tests: the accounts every test server has, e-mail <name>@example.com
PEOPLE = ('Ann', 'Bob')
PASSWORD = 'e2e password'


def email(name):
    """ the test account's e-mail address """
    return f'{name.lower()}@example.com'


def add_account(server, name, password):
    """ add an account to server's database as `inv account-add` does,
    the password on standard input """
    command = [sys.executable, '-m', f'{PACKAGE}.manage_accounts', 'add', email(name)]
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
    """ on the login page (where the chat sends a stranger): fill it in, submit """
    page.wait_for_url('**/login')
    page.get_by_label('E-mail').fill(email(name))
    page.get_by_label('Password').fill(password)
    page.get_by_role('button', name='Log in').click()


@pytest.fixture
def e2e_setup(e2e_setup):
    """ each browser test server has an account for each of PEOPLE """

    def setup(server):
        e2e_setup(server)
        for person in PEOPLE:
            add_account(server, person, PASSWORD)

    return setup


@pytest.fixture
def open_chat(new_context, server):
    """ a factory: `page = open_chat(name='Ann')`, the chat page of that account,
    logged in (Ann by default) """

    def open_page(name='Ann', url=None, viewport=None, connected=True):
        page = new_context(viewport=viewport or WINDOW).new_page()
        page.goto(url or server.url)
        log_in(page, name, PASSWORD)
        if connected:
            expect(page.locator('#status')).to_have_text('connected')
        return page

    return open_page

""" Fixtures for the browser tests: the real server, a real headless Chromium.

`inv e2e` runs these in a pytest process of their own (pytest-playwright and
pytest-tornasync do not mix; the default `pytest` ignores this folder). The
browser is the system's Chromium, never one from `playwright install`: $CHROMIUM
when set, else the first of chromium, chromium-browser, google-chrome on PATH.

* ``server`` is the chat server started as a user would
  (``python -m {{ cookiecutter.package_name }}.main --port=N``), with ``url``,
  ``stop()``, ``start()`` and ``restart()`` (same port);
  ``start_server(*args, env=...)`` starts more, with other options. Each runs
  in a folder of its own under the test's tmp_path (its log, a SQLite
  database), with a test COOKIE_SECRET and without $DATABASE_URL (see
  ``chat_e2e.server_environment``).
{%- if cookiecutter.database == 'postgresql' %}
  Each server gets a new database on one throwaway PostgreSQL server.
{%- endif %}
{%- if cookiecutter.auth == 'password' %}
  Each server has an account for each of PEOPLE (e-mail ``<name>@example.com``,
  password PASSWORD), added with ``python -m {{ cookiecutter.package_name }}.users``.
{%- endif %}
* ``open_chat(name=..., url=..., viewport=..., connected=True)`` opens the chat
  in a new browser context (its own cookies and storage: another person){% if cookiecutter.auth == 'password' %},
  logged in as name (Ann by default){% endif %}.
"""
{% if cookiecutter.database == 'postgresql' -%}
import uuid

{% endif -%}
import pytest
from playwright.sync_api import expect

{% if cookiecutter.database == 'postgresql' -%}
from ..pg_server import PostgresServer
{% endif -%}
{% if cookiecutter.broker == 'redis' -%}
from ..redis_server import RedisServer
{% endif -%}
{% if cookiecutter.auth == 'password' -%}
from .chat_e2e import (
    CHROMIUM_ARGS,
    NO_CHROMIUM,
    PASSWORD,
    PEOPLE,
    WINDOW,
    Server,
    find_chromium,
    log_in,
)
{% else -%}
from .chat_e2e import CHROMIUM_ARGS, NO_CHROMIUM, WINDOW, Server, find_chromium
{% endif %}

def pytest_sessionstart():
    """ no Chromium, no browser tests: say how to get one and stop (never pass) """
    if find_chromium() is None:
        pytest.exit(NO_CHROMIUM, returncode=3)


@pytest.fixture(scope='session', name='browser_type_launch_args')
def fixture_browser_type_launch_args(browser_type_launch_args):
    """ pytest-playwright launches the system's Chromium, headless """
    return {
        **browser_type_launch_args,
        'executable_path': find_chromium(),
        'args': CHROMIUM_ARGS,
    }


@pytest.fixture(scope='session')
def base_url():
    """ none: pages go to `server.url` (this also replaces pytest-playwright's own
    base_url fixture, which pytest 9 deprecates) """
    return None


{% if cookiecutter.database == 'postgresql' -%}
@pytest.fixture(scope='session', name='postgres')
def fixture_postgres():
    """ one throwaway PostgreSQL server for the browser tests """
    server = PostgresServer().start()
    yield server
    server.remove()


{% endif -%}
{% if cookiecutter.broker == 'redis' -%}
@pytest.fixture(scope='session', name='redis_server')
def fixture_redis_server():
    """ one throwaway Redis server for the browser tests """
    server = RedisServer().start()
    yield server
    server.remove()


{% endif -%}
@pytest.fixture(name='start_server')
def fixture_start_server(tmp_path{% if cookiecutter.database == 'postgresql' %}, postgres{% endif %}{% if cookiecutter.broker == 'redis' %}, redis_server{% endif %}):
    """ a factory: `server = start_server('--max_text=10', env={...})`; stopped after """
    servers = []

    def start(*args, env=None):
        services = {}
{%- if cookiecutter.database == 'postgresql' %}
        name = f'e2e_{uuid.uuid4().hex}'
        services['DATABASE_URL'] = postgres.create_database(name)
{%- endif %}
{%- if cookiecutter.broker == 'redis' %}
        services['REDIS_URL'] = redis_server.url
{%- endif %}
        folder = tmp_path / f'server-{len(servers)}'
        server = Server(folder, args=args, env={**services, **(env or {})})
        servers.append(server)
{%- if cookiecutter.auth == 'password' %}
        for person in PEOPLE:
            server.add_account(person, PASSWORD)
{%- endif %}
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(name='server')
def fixture_server(start_server):
    """ the chat server with its default options """
    return start_server()


@pytest.fixture
def open_chat(new_context, server):
    """ a factory: `page = open_chat(name='ann')`, a chat page of its own person """
{%- if cookiecutter.auth == 'password' %}

    def open_page(name='Ann', url=None, viewport=None, connected=True):
        page = new_context(viewport=viewport or WINDOW).new_page()
        page.goto(url or server.url)
        log_in(page, name, PASSWORD)
        if connected:
            expect(page.locator('#status')).to_have_text('connected')
        return page
{%- else %}

    def open_page(name=None, url=None, viewport=None, connected=True):
        page = new_context(viewport=viewport or WINDOW).new_page()
        page.goto(url or server.url)
        if connected:
            expect(page.locator('#status')).to_have_text('connected')
        if name is not None:
            page.get_by_label('Name', exact=True).fill(name)
        return page
{%- endif %}

    return open_page

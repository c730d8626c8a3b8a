"""Fixtures of the browser tests in every bake: servers, and people at the chat.

* ``server`` is the chat server started as a user would
  (``python -m {{ cookiecutter.package_name }}.main --port=N``), with ``url``,
  ``stop()``, ``start()`` and ``restart()`` (same port);
  ``start_server(*args, env=...)`` starts more, with other options. Each runs
  in a folder of its own under the test's tmp_path (its log, a SQLite
  database), with a test COOKIE_SECRET and without $DATABASE_URL (see
  ``chat_e2e.server_environment``). Option plugins give each server what it
  needs (``e2e_environment``: a database, Redis; ``e2e_setup``: accounts).
* ``open_chat(name=..., url=..., viewport=..., connected=True)`` opens the chat
  in a new browser context (its own cookies and storage: another person),
  named before the page loads (a guest joins its rooms under its name). With
  login, the login plugin replaces it with one that logs in as name.
"""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import json
import re

import pytest
from playwright.sync_api import expect

from .chat_e2e import NAME_KEY, WINDOW, Server


@pytest.fixture
def e2e_environment():
    """a function: the variables of one more test server; plugins add theirs"""
    return dict


@pytest.fixture
def e2e_setup():
    """a function run on each test server before it starts; plugins add theirs"""
    return lambda server: None


@pytest.fixture
def start_server(tmp_path, e2e_environment, e2e_setup):
    """a factory: `server = start_server('--max_text=10', env={...})`; stopped after"""
    servers = []

    def start(*args, env=None):
        folder = tmp_path / f'server-{len(servers)}'
        server = Server(folder, args=args, env={**e2e_environment(), **(env or {})})
        servers.append(server)
        e2e_setup(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start_server):
    """the chat server with its default options"""
    return start_server()


@pytest.fixture
def open_chat(new_context, server):
    """a factory: `page = open_chat(name='ann')`, a chat page of its own person;
    route=handler: its websockets go through handler (a WebSocketRoute each),
    which Playwright installs in the page before it loads"""

    def open_page(name=None, url=None, viewport=None, connected=True, route=None):
        context = new_context(viewport=viewport or WINDOW)
        if route is not None:
            context.route_web_socket(re.compile(r'/ws$'), route)
        if name is not None:
            context.add_init_script(
                f'localStorage.setItem({NAME_KEY!r}, {json.dumps(name)})'
            )
        page = context.new_page()
        page.goto(url or server.url)
        if connected:
            expect(page.locator('#status')).to_have_text('connected')
        return page

    return open_page

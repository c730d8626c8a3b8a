"""The browser tests: the real server, a real headless Chromium.

`inv e2e` runs these in a pytest process of their own (pytest-playwright and
pytest-tornasync do not mix; the default `pytest` ignores this folder). The
browser is the system's Chromium, never one from `playwright install`: $CHROMIUM
when set, else the first of chromium, chromium-browser, google-chrome on PATH.
The fixtures are in ``fixtures.py``, and each option's in its plugin (listed
in ``tests/conftest.py``).
"""

import pytest

from .chat_e2e import CHROMIUM_ARGS, NO_CHROMIUM, find_chromium


def pytest_sessionstart():
    """no Chromium, no browser tests: say how to get one and stop (never pass)"""
    if find_chromium() is None:
        pytest.exit(NO_CHROMIUM, returncode=3)


@pytest.fixture(scope='session', name='browser_type_launch_args')
def fixture_browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches the system's Chromium, headless"""
    return {
        **browser_type_launch_args,
        'executable_path': find_chromium(),
        'args': CHROMIUM_ARGS,
    }


@pytest.fixture(scope='session')
def base_url():
    """none: pages go to `server.url` (this also replaces pytest-playwright's own
    base_url fixture, which pytest 9 deprecates)"""
    return None

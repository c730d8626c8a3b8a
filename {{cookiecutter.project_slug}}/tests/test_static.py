"""The built client is served at / so the chat works without node."""

import json

import pytest

from {{ cookiecutter.package_name }}.headers import SECURITY_HEADERS
from {{ cookiecutter.package_name }}.main import STATIC_DIR


async def test_index_page_is_served(http_server_client):
    """/ is the client's page"""
    response = await http_server_client.fetch('/')
    assert response.code == 200
    assert b'<div id="app"></div>' in response.body
    assert response.headers['Content-Type'].startswith('text/html')


async def test_every_built_asset_is_served(http_server_client):
    """each file vite wrote is reachable under /assets/"""
    assets = sorted((STATIC_DIR / 'assets').iterdir())
    assert assets, 'the client has not been built: run `inv build`'
    for asset in assets:
        response = await http_server_client.fetch(f'/assets/{asset.name}')
        assert response.body == asset.read_bytes()


async def test_a_missing_file_is_404(http_server_client):
    """no listing, no guessing: an unknown path is not found"""
    response = await http_server_client.fetch('/nothing-here.js', raise_error=False)
    assert response.code == 404


async def test_session_says_whether_login_is_needed(app, http_server_client):
    """the client asks who it is: nobody yet, and whether it must log in"""
    response = await http_server_client.fetch('/api/session')
    login_required = app.settings['login_required']
    session = json.loads(response.body)
    assert (session['auth'], session['user']) == (login_required, None)
    assert response.headers['Cache-Control'] == 'no-store'


@pytest.mark.parametrize('path', ['/', '/api/session', '/nothing-here.js'])
async def test_every_answer_carries_the_security_headers(http_server_client, path):
    """a policy that allows only the page's own server; no Tornado version"""
    response = await http_server_client.fetch(path, raise_error=False)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in response.headers['Content-Security-Policy']
    assert 'Server' not in response.headers


async def test_a_path_with_a_nul_byte_is_not_found(http_server_client, caplog):
    """/index.html%00.py: 404 like any missing file, and no traceback logged"""
    response = await http_server_client.fetch('/index.html%00.py', raise_error=False)
    assert response.code == 404
    assert not [record for record in caplog.records if record.exc_info]

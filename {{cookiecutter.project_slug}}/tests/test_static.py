""" The built client is served at / so the chat works without node. """
import json

from {{ cookiecutter.package_name }}.main import STATIC_DIR


async def test_index_page_is_served(http_server_client):
    """ / is the client's page """
    response = await http_server_client.fetch('/')
    assert response.code == 200
    assert b'<div id="app"></div>' in response.body
    assert response.headers['Content-Type'].startswith('text/html')


async def test_every_built_asset_is_served(http_server_client):
    """ each file vite wrote is reachable under /assets/ """
    assets = sorted((STATIC_DIR / 'assets').iterdir())
    assert assets, 'the client has not been built: run `inv build`'
    for asset in assets:
        response = await http_server_client.fetch(f'/assets/{asset.name}')
        assert response.body == asset.read_bytes()


async def test_a_missing_file_is_404(http_server_client):
    """ no listing, no guessing: an unknown path is not found """
    response = await http_server_client.fetch('/nothing-here.js', raise_error=False)
    assert response.code == 404


async def test_session_says_whether_login_is_needed(app, http_server_client):
    """ the client asks who it is: nobody yet, and whether it must log in """
    response = await http_server_client.fetch('/api/session')
    login_required = app.settings['login_required']
    assert json.loads(response.body) == {'auth': login_required, 'user': None}
    assert response.headers['Cache-Control'] == 'no-store'

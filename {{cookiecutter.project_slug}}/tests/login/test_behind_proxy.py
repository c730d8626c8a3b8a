"""Login behind a reverse proxy: the cookie is Secure when the browser came in
over https, as nginx says in X-Forwarded-Proto and X-Scheme."""

from urllib.parse import urlencode

import pytest
from tornado.httpclient import AsyncHTTPClient

from .fixtures import ANN
from .test_auth import form_token

# the accounts fixture adds ann to the database the launched server uses


async def login_cookie(proxy_request, url, headers=None):
    """log ann in at url as a browser would: the Set-Cookie of her login"""
    client = AsyncHTTPClient()
    page = await client.fetch(proxy_request(f'{url}/login', headers=headers))
    xsrf = page.headers['Set-Cookie'].split(';')[0]
    token = form_token(page)
    form = {'_xsrf': token, 'email': ANN['email'], 'password': ANN['password']}
    response = await client.fetch(
        proxy_request(
            f'{url}/login',
            method='POST',
            body=urlencode(form),
            headers={**(headers or {}), 'Cookie': xsrf},
            follow_redirects=False,
        ),
        raise_error=False,
    )
    assert response.code == 302, response.body
    cookies = response.headers.get_list('Set-Cookie')
    return [cookie for cookie in cookies if cookie.startswith('user=')][0]


def attributes(cookie):
    """the attributes of a Set-Cookie value, in lower case, without values"""
    return {part.split('=')[0].strip().lower() for part in cookie.split(';')[1:]}


@pytest.mark.usefixtures('accounts')
async def test_the_cookie_is_secure_behind_https_nginx(behind_nginx, proxy_request):
    """with --xheaders, a login over https through nginx sets a Secure cookie"""
    _, proxy = await behind_nginx('--xheaders')
    cookie = await login_cookie(proxy_request, proxy.https_url)
    assert {'secure', 'httponly', 'samesite'} <= attributes(cookie)


@pytest.mark.usefixtures('accounts')
async def test_the_cookie_is_not_secure_over_plain_http(behind_nginx, proxy_request):
    """over http through nginx the cookie is not Secure, even when the browser
    claims https: nginx sets the scheme headers itself"""
    _, proxy = await behind_nginx('--xheaders')
    forged = {'X-Forwarded-Proto': 'https', 'X-Scheme': 'https'}
    cookie = await login_cookie(proxy_request, proxy.http_url, forged)
    assert 'secure' not in attributes(cookie)


@pytest.mark.usefixtures('accounts')
async def test_without_xheaders_the_server_cannot_tell_https(
    behind_nginx, proxy_request
):
    """the defect --xheaders mends: behind TLS the server sees http only"""
    _, proxy = await behind_nginx()
    cookie = await login_cookie(proxy_request, proxy.https_url)
    assert 'secure' not in attributes(cookie)

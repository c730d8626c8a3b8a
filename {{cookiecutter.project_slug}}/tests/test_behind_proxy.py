"""Behind a reverse proxy: a real nginx in front, https with a self-signed
certificate, and whose X-Forwarded-* headers the server believes."""

import asyncio
import json
import logging

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from {{ cookiecutter.package_name }}.main import make_options, serve_until
from {{ cookiecutter.package_name }}.proxy import LOOPBACK, networks

from .fixtures import CLIENT_IP, COOKIE_SECRET, join, say

FORGED_IP = '203.0.113.9'


def test_nobody_is_believed_by_default():
    """--xheaders is off, and believes loopback only when on; other proxies
    are listed by address or network"""
    options = make_options()
    options.parse_command_line(['prog'])
    assert options.xheaders is False
    assert options.trusted_proxies == LOOPBACK
    options.parse_command_line(
        ['prog', '--xheaders', '--trusted_proxies=10.0.0.0/8,::1']
    )
    assert [str(network) for network in networks(options.trusted_proxies)] == [
        '10.0.0.0/8',
        '::1/128',
    ]


def test_a_proxy_must_be_an_address_or_a_network():
    """a host name is refused: the peer's address is what is checked"""
    with pytest.raises(SystemExit, match="error: --trusted_proxies: 'nginx' does not"):
        networks(['nginx'])


async def test_the_chat_works_through_nginx_over_https(
    behind_nginx, proxy_request, ws_headers
):
    """the page and a wss chat through nginx; the server sees the browser's address"""
    server, proxy = await behind_nginx('--xheaders')
    page = await AsyncHTTPClient().fetch(proxy_request(f'{proxy.https_url}/'))
    assert b'<div id="app"></div>' in page.body
    url = f'wss://127.0.0.1:{proxy.https_port}/ws'
    headers = {**ws_headers, 'Origin': proxy.https_url}
    client = await websocket_connect(proxy_request(url, headers=headers))
    await join(client)
    await client.write_message(say('over wss'))
    frame = json.loads(await client.read_message())
    while frame.get('method') != 'message':
        frame = json.loads(await client.read_message())
    assert frame['params']['text'] == 'over wss'
    client.close()
    await server.until_said(f'GET / ({CLIENT_IP})')
    await server.until_said(f'GET /ws ({CLIENT_IP})')


async def test_another_origin_is_refused_through_nginx(
    behind_nginx, proxy_request, ws_headers
):
    """nginx passes the Host, so the server still compares it with the Origin"""
    _, proxy = await behind_nginx('--xheaders')
    url = f'wss://127.0.0.1:{proxy.https_port}/ws'
    headers = {**ws_headers, 'Origin': 'https://evil.example'}
    with pytest.raises(HTTPClientError) as refused:
        await websocket_connect(proxy_request(url, headers=headers))
    assert refused.value.code == 403


async def test_without_xheaders_the_forwarded_headers_are_ignored(
    behind_nginx, proxy_request
):
    """by default the server sees nginx's address, whatever the headers say"""
    server, proxy = await behind_nginx()
    headers = {'X-Forwarded-For': FORGED_IP}
    await AsyncHTTPClient().fetch(proxy_request(f'{proxy.https_url}/', headers=headers))
    await server.until_said('GET / (127.0.0.1)')
    assert CLIENT_IP not in server.said()
    assert FORGED_IP not in server.said()


async def test_forged_forwarded_headers_do_not_get_through_nginx(
    behind_nginx, proxy_request
):
    """nginx sets X-Real-IP and appends to X-Forwarded-For: the browser's own
    claims lose"""
    server, proxy = await behind_nginx('--xheaders')
    headers = {'X-Forwarded-For': FORGED_IP, 'X-Real-IP': FORGED_IP}
    await AsyncHTTPClient().fetch(proxy_request(f'{proxy.http_url}/', headers=headers))
    await server.until_said(f'GET / ({CLIENT_IP})')
    assert FORGED_IP not in server.said()


@pytest.mark.parametrize(
    'trusted, seen', [('127.0.0.3', CLIENT_IP), ('::1,127.0.0.0/24', FORGED_IP)]
)
async def test_only_trusted_proxies_are_believed(
    server_options, monkeypatch, caplog, trusted, seen
):
    """with --xheaders, the headers of a peer not in --trusted_proxies are ignored"""
    monkeypatch.setenv('COOKIE_SECRET', COOKIE_SECRET)
    caplog.set_level(logging.INFO, logger='tornado.access')
    ports = []
    argv = ['prog', '--port=0', '--address=127.0.0.1', '--xheaders']
    argv += [f'--trusted_proxies={trusted}', *server_options.argv]
    stop = asyncio.Event()
    server = asyncio.ensure_future(serve_until(stop, argv, ports.append))
    while not ports:
        await asyncio.sleep(0.01)
    request = HTTPRequest(
        f'http://127.0.0.1:{ports[0]}/',
        network_interface=CLIENT_IP,
        headers={'X-Forwarded-For': FORGED_IP},
    )
    await AsyncHTTPClient().fetch(request)
    stop.set()
    await server
    assert f'GET / ({seen})' in caplog.text

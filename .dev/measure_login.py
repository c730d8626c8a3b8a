""" Measure logins against a running auth=password bake: enumeration and the chat.

Usage, in a baked project (auth=password), with the template's tools:
    echo 'correct horse' | python -m PACKAGE.manage_accounts add ann@example.com
    COOKIE_SECRET=x python -m PACKAGE.main --port=18123 &
    python .dev/measure_login.py 18123 [enum|logins|all]

enum: five wrong logins of an account and of an unknown e-mail (each from an
address of its own): status, error and milliseconds of each. logins: the chat's
send-to-receive p50/p99 of one logged-in client alone, then while 50 logins of
unknown e-mails (from 50 loopback addresses, so none is throttled) run at once.
"""
import asyncio
import json
import re
import statistics
import sys
import time
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

PORT = int(sys.argv[1])
BASE = f'http://127.0.0.1:{PORT}'


async def post_login(email, password, address):
    client = AsyncHTTPClient()
    page = await client.fetch(HTTPRequest(f'{BASE}/login', network_interface=address))
    cookie = page.headers['Set-Cookie'].split(';')[0]
    token = re.search(rb'name="_xsrf" value="([^"]+)"', page.body).group(1).decode()
    body = urlencode({'_xsrf': token, 'email': email, 'password': password})
    started = time.perf_counter()
    response = await client.fetch(
        HTTPRequest(
            f'{BASE}/login',
            method='POST',
            body=body,
            headers={'Cookie': cookie},
            follow_redirects=False,
            network_interface=address,
            request_timeout=120,
        ),
        raise_error=False,
    )
    return response, time.perf_counter() - started


async def enumeration():
    """ known (wrong password) vs unknown e-mail: status and time, 401 then 429 """
    rows = {}
    for label, email, address in (
        ('known', 'ann@example.com', '127.0.5.1'),
        ('unknown', 'nobody@example.com', '127.0.5.2'),
    ):
        outcomes = []
        for _ in range(5):
            response, seconds = await post_login(email, 'wrong guess', address)
            error = re.search(rb'id="error"[^>]*>([^<]*)<', response.body).group(1)
            outcomes.append((response.code, error.decode(), round(seconds * 1000)))
        rows[label] = outcomes
    return rows


async def chat_round_trips(cookie, seconds, stop=None):
    """ one chat client: send every 150 ms (within the flood limit), the round trip of each own message """
    client = await websocket_connect(
        HTTPRequest(f'ws://127.0.0.1:{PORT}/ws', headers={'Cookie': cookie})
    )
    await client.read_message()  # history
    trips = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sent = time.perf_counter()
        await client.write_message(json.dumps({'name': 'x', 'text': f'{sent}'}))
        while True:
            frame = json.loads(await client.read_message())
            if frame.get('text') == f'{sent}':
                break
        trips.append((time.perf_counter() - sent) * 1000)
        await asyncio.sleep(0.15)
    client.close()
    return trips


def p(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def login_cookie():
    response, _ = await post_login('ann@example.com', 'correct horse', '127.0.6.1')
    assert response.code == 302, response.code
    return [c for c in response.headers.get_list('Set-Cookie') if c.startswith('user=')][
        0
    ].split(';')[0]


async def logins_and_chat():
    """ chat p50/p99 alone, then while 50 logins (unknown e-mails, 50 addresses) run """
    cookie = await login_cookie()
    quiet = await chat_round_trips(cookie, 5)
    started = time.perf_counter()
    logins = [
        post_login(f'someone{n}@example.com', 'guess', f'127.0.7.{n + 1}')
        for n in range(50)
    ]
    chatting = asyncio.ensure_future(chat_round_trips(cookie, 4))
    answers = await asyncio.gather(*logins)
    took = time.perf_counter() - started
    busy = await chatting
    codes = {}
    for response, _ in answers:
        codes[response.code] = codes.get(response.code, 0) + 1
    return {
        'quiet p50/p99 ms': (round(p(quiet, 0.5), 1), round(p(quiet, 0.99), 1)),
        'during 50 logins p50/p99 ms': (round(p(busy, 0.5), 1), round(p(busy, 0.99), 1)),
        'logins': codes,
        'logins took s': round(took, 2),
        'logins/s': round(50 / took, 1),
    }


async def main():
    what = sys.argv[2] if len(sys.argv) > 2 else 'all'
    if what in ('all', 'enum'):
        print('enumeration', json.dumps(await enumeration(), indent=1))
    if what in ('all', 'logins'):
        print('logins', json.dumps(await logins_and_chat(), indent=1))


asyncio.run(main())

"""Fixtures of broker=redis: one throwaway Redis server, brokers on it."""

# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import uuid

import pytest

from {{ cookiecutter.package_name }}.redis.broker import RedisBroker

from ..tcp_proxy import TcpProxy
from .server import RedisServer


@pytest.fixture(scope='session')
def redis_server():
    """one throwaway Redis server for the whole run"""
    server = RedisServer().start()
    yield server
    server.remove()


@pytest.fixture
def brokers(io_loop, redis_server):
    """a factory of Redis brokers on a stream key of this test's own; closed after

    `brokers(url=..., key=..., max_queue=...)`: another Redis URL (a proxy,
    another database) or key than the test's.
    """
    own_key = f'test-{uuid.uuid4().hex}'
    made = []

    def make(url=None, key=None, **options):
        broker = RedisBroker(url or redis_server.url, key or own_key, **options)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        io_loop.run_sync(broker.close)


@pytest.fixture
def redis_proxy(io_loop, redis_server):
    """a factory: `proxy = await redis_proxy()`, a TCP proxy to the test Redis
    that the test can cut and restore; closed after"""
    made = []

    async def make():
        made.append(await TcpProxy(redis_server.port).start())
        return made[-1]

    yield make
    for proxy in made:
        io_loop.run_sync(proxy.cut)


@pytest.fixture
def server_options(server_options, redis_server):
    """a server started by a test uses the test's Redis"""
    server_options.argv.append(f'--redis_url={redis_server.url}')
    server_options.env['REDIS_URL'] = redis_server.url
    return server_options


@pytest.fixture
def e2e_environment(e2e_environment, redis_server):
    """the browser test servers chat through the test Redis"""

    def environment():
        return {**e2e_environment(), 'REDIS_URL': redis_server.url}

    return environment
